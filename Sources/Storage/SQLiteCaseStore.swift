public import Access
public import Foundation
import GRDB
public import ReviewQueue
import RuleEngine

/// `CaseStore` on the SQLite database. Every write is its own committed transaction.
public final class SQLiteCaseStore: CaseStore {
    public let database: SQLiteDatabase
    private let claims = LeaseClaimBatcher()

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    /// The stored request without its body, which has a column of its own.
    /// Decoded verdicts and request heads of the cases read lately (a few KiB each).
    private static let verdicts = DecodedJSONCache<Verdict>(capacity: 4096)
    private static let requestHeads = DecodedJSONCache<CaseStorageForm.RequestHead>(capacity: 4096)


    public func open(_ newCase: NewCase) async throws -> CaseOpening {
        let insert = try Self.inserting(newCase)
        return try await write { db in try insert(db) }
    }

    /// Opens each case as `open` does, all in one transaction: for bulk loads (`herdwatch-bench queue` fills a
    /// queue of 100,000 cases), where a committed transaction per case would spend most of its time in fsync.
    public func open(_ newCases: [NewCase]) async throws -> [CaseOpening] {
        let inserts = try newCases.map(Self.inserting)
        return try await write { db in try inserts.map { try $0(db) } }
    }

    public func report(_ report: NewReport) async throws -> CaseOpening {
        let insert = try Self.inserting(report.newCase)
        let objects = String(decoding: try Self.encoder.encode(report.objects), as: UTF8.self)
        return try await write { db in
            if let caseID = try Int64.fetchOne(
                db, sql: "SELECT case_id FROM case_report WHERE delivery_key = ?", arguments: [report.deliveryKey]),
                let existing = try Self.fetch(id: caseID, db)
            {
                return .duplicate(existing)
            }
            let joined = try Int64.fetchOne(
                db,
                sql:
                    "SELECT id FROM review_case WHERE COALESCE(signer, actor_id) = ? AND state != 'closed' ORDER BY id LIMIT 1",
                arguments: [report.flaggedActor])
            let caseID: Int64
            let opened: Bool
            if let joined {
                caseID = joined
                opened = false
            } else {
                caseID = try insert(db).reviewCase.id
                opened = true
            }
            try db.execute(
                sql: """
                    UPDATE review_case SET priority = priority + CASE WHEN reports * ? < ? THEN ? ELSE 0 END, reports = reports + 1
                    WHERE id = ?
                    """,
                arguments: [NewReport.reportBoost, NewReport.maxReportBoost, NewReport.reportBoost, caseID])
            try db.execute(
                sql: """
                    INSERT INTO case_report (case_id, delivery_key, activity_id, reporter, objects, comment, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    caseID, report.deliveryKey, report.activityID, report.reporter, objects, report.comment,
                    report.receivedAt.timeIntervalSince1970,
                ])
            let reviewCase = try Self.fetch(id: caseID, db)!
            return opened ? .opened(reviewCase) : .duplicate(reviewCase)
        }
    }

    public func reports(caseID: Int64) async throws -> [CaseReport] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM case_report WHERE case_id = ? ORDER BY id"), arguments: [caseID])
                .map { row in
                    let objects: String = row["objects"]
                    return CaseReport(
                        id: row["id"], caseID: row["case_id"], activityID: row["activity_id"],
                        reporter: row["reporter"],
                        objects: try Self.decoder.decode([String].self, from: Data(objects.utf8)),
                        comment: row["comment"],
                        at: Date(timeIntervalSince1970: row["at"]))
                }
        }
    }

    /// Opens a case in the caller's transaction, or counts a repeat of its delivery.
    private static func inserting(_ newCase: NewCase) throws -> @Sendable (GRDB.Database) throws -> CaseOpening {
        let verdict = try Self.encoder.encode(newCase.verdict)
        let head = try newCase.request.map { try Self.encoder.encode(CaseStorageForm.RequestHead($0)) }
        let hits = newCase.verdict.hits
        let rules = CaseStorageForm.words(hits.map(\.rule))
        let tags = CaseStorageForm.words(hits.flatMap(\.tags))
        let languages = CaseStorageForm.words(newCase.languages)
        return { db in
            if let existing = try Row.fetchOne(
                db, sql: "SELECT id FROM review_case WHERE delivery_key = ?", arguments: [newCase.deliveryKey])
            {
                let id: Int64 = existing["id"]
                try db.execute(
                    sql: "UPDATE review_case SET duplicate_deliveries = duplicate_deliveries + 1 WHERE id = ?",
                    arguments: [id])
                return .duplicate(try Self.fetch(id: id, db)!)
            }
            try db.execute(
                sql: """
                    INSERT INTO review_case (
                        activity_id, actor_id, signer, delivery_key, source, action, verdict, state, opened_at, body, request,
                        request_body, priority, actor_host, rules, tags, languages, evidence_sha256, actor_document)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    newCase.activityID, newCase.actorID, newCase.signer, newCase.deliveryKey, newCase.source.rawValue,
                    newCase.verdict.action.rawValue,
                    String(decoding: verdict, as: UTF8.self), newCase.openedAt.timeIntervalSince1970,
                    Data(newCase.body),
                    head.map { String(decoding: $0, as: UTF8.self) }, newCase.request.map { Data($0.body) },
                    newCase.priority, newCase.host, rules, tags, languages,
                    EvidenceDigest.of(body: newCase.body, request: newCase.request, actorDocument: newCase.actorDocument),
                    newCase.actorDocument.map { Data($0) },
                ])
            return .opened(try Self.fetch(id: db.lastInsertedRowID, db)!)
        }
    }

    public func reviewCase(id: Int64) async throws -> ReviewCase? {
        try await read { db in try Self.fetch(id: id, db) }
    }

    public func cases(activityID: String) async throws -> [ReviewCase] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM review_case WHERE activity_id = ? ORDER BY id", arguments: [activityID]
            )
            .map(Self.reviewCase)
        }
    }

    public func cases(matching filter: CaseFilter, limit: Int) async throws -> [ReviewCase] {
        let (condition, arguments) = Self.condition(filter, ignoringState: false)
        return try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM review_case WHERE \(condition) ORDER BY priority DESC, opened_at, id LIMIT ?"),
                arguments: arguments + [limit]
            ).map(Self.reviewCase)
        }
    }

    public func caseCounts() async throws -> [ReviewCase.State: Int] {
        try await read { db in
            var counts: [ReviewCase.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM review_case GROUP BY state") {
                if let state = ReviewCase.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func apply(_ command: CaseCommand, to id: Int64, reasons: [String]) async throws -> ReviewCase {
        let limits = try await queueFilters(for: command.principal)
        return try await write { db in
            guard let reviewCase = try Self.fetch(id: id, db) else { throw CaseWorkflowError.notFound(id) }
            try reviewCase.checkQueueLimits(limits, for: command.principal)
            let update = try reviewCase.applying(command, reasons: reasons)
            try Self.commit(update, db)
            return update.reviewCase
        }
    }

    public func next(for principal: Principal, queue: String?, lease: TimeInterval, at now: Date) async throws
        -> ReviewCase?
    {
        let filters = try await nextFilters(for: principal, queue: queue)
        guard !filters.isEmpty else { return nil }
        // One query per filter and kind of free case, each walking the queue index in order and stopping at its
        // first match; a single query with OR would sort every open case on each call.
        var queries: [(String, StatementArguments)] = []
        for filter in filters {
            let (condition, arguments) = Self.condition(filter, ignoringState: true)
            let free: [(String, StatementArguments)] =
                filter.state == .escalated
                ? [
                    ("state = 'escalated' AND lease_expires_at IS NULL", []),
                    ("state = 'escalated' AND lease_expires_at <= ?", [now.timeIntervalSince1970]),
                ]
                : [
                    ("state = 'open'", []),
                    ("state = 'in_review' AND lease_expires_at <= ?", [now.timeIntervalSince1970]),
                ]
            for (state, stateArguments) in free {
                queries.append(
                    (
                        "SELECT id, priority, opened_at FROM review_case WHERE \(state) AND \(condition) ORDER BY priority DESC, opened_at, id LIMIT 1",
                        stateArguments + arguments
                    ))
            }
        }
        let candidatesQueries = queries
        return try await claims.claim({ db in
            // Each query names its best candidate by its ranking columns; only the chosen one is read whole.
            var best: (priority: Int, openedAt: Double, id: Int64)?
            for (sql, arguments) in candidatesQueries {
                guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) else { continue }
                let candidate = (priority: row["priority"] as Int, openedAt: row["opened_at"] as Double, id: row["id"] as Int64)
                if let current = best, !Self.ranks(candidate, before: current) { continue }
                best = candidate
            }
            guard let best, let chosen = try Self.fetch(id: best.id, db) else { return nil }
            let update = try chosen.applying(CaseCommand(.claim(lease: lease), by: principal, at: now))
            try Self.commit(update, db)
            return update.reviewCase
        }, write: { [self] body in try await write(body) })
    }

    public func expireLeases(at now: Date) async throws -> Int {
        try await write { db in
            let expired = try Row.fetchAll(
                db, sql: "SELECT * FROM review_case WHERE state = 'in_review' AND lease_expires_at <= ?",
                arguments: [now.timeIntervalSince1970]
            ).map(Self.reviewCase)
            let updates = expired.compactMap { $0.expiringLease(at: now) }
            for update in updates { try Self.commit(update, db) }
            return updates.count
        }
    }

    public func audit(caseID: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            let rows =
                if let caseID {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM audit_entry WHERE case_id = ? ORDER BY id DESC LIMIT ?",
                        arguments: [caseID, limit])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM audit_entry ORDER BY id DESC LIMIT ?", arguments: [limit])
                }
            return rows.map { row in
                AuditEntry(
                    id: row["id"], at: Date(timeIntervalSince1970: row["at"]), actor: row["actor"],
                    accountID: row["account_id"],
                    via: Principal.Via(rawValue: row["via"]) ?? .api, batchID: row["batch_id"], caseID: row["case_id"],
                    action: AuditEntry.Action(rawValue: row["action"]) ?? .note,
                    fromState: (row["from_state"] as String?).flatMap(ReviewCase.State.init(rawValue:)),
                    toState: (row["to_state"] as String?).flatMap(ReviewCase.State.init(rawValue:)),
                    reason: row["reason"],
                    note: row["note"])
            }
        }
    }

    public func addNote(_ text: String, on subject: CaseNote.Subject, by principal: Principal, at now: Date)
        async throws -> CaseNote
    {
        guard principal.allows(.decide) else {
            throw CaseWorkflowError(.forbidden, "\(principal.displayName) may not write notes")
        }
        let limits = try await queueFilters(for: principal)
        let (kind, key) = CaseStorageForm.key(subject)
        return try await write { db in
            if case .reviewCase(let id) = subject {
                guard let reviewCase = try Self.fetch(id: id, db) else { throw CaseWorkflowError.notFound(id) }
                try reviewCase.checkQueueLimits(limits, for: principal)
                try Self.insert(
                    AuditEntry(
                        by: principal, at: now, caseID: id, action: .note, from: reviewCase.state, to: reviewCase.state,
                        note: text), db)
            }
            try db.execute(
                sql:
                    "INSERT INTO case_note (subject_kind, subject, at, author, account_id, text) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [kind, key, now.timeIntervalSince1970, principal.displayName, principal.accountID, text])
            return CaseNote(
                id: db.lastInsertedRowID, subject: subject, at: now, author: principal.displayName,
                accountID: principal.accountID, text: text)
        }
    }

    public func notes(about subject: CaseNote.Subject) async throws -> [CaseNote] {
        try await read { db in
            var subjects: [CaseNote.Subject] = [subject]
            // The case's actor and domain from two columns: decoding the whole case (its verdict) cost more than
            // the notes.
            if case .reviewCase(let id) = subject,
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT signer, actor_id FROM review_case WHERE id = ?"), arguments: [id])
            {
                subjects = CaseNote.Subject.shown(caseID: id, signer: row["signer"], actorID: row["actor_id"])
            }
            var notes: [CaseNote] = []
            for subject in subjects {
                let (kind, key) = CaseStorageForm.key(subject)
                for row in try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM case_note WHERE subject_kind = ? AND subject = ? ORDER BY id"),
                    arguments: [kind, key])
                {
                    notes.append(
                        CaseNote(
                            id: row["id"], subject: subject, at: Date(timeIntervalSince1970: row["at"]),
                            author: row["author"],
                            accountID: row["account_id"], text: row["text"]))
                }
            }
            return notes.sorted { $0.id < $1.id }
        }
    }

    public func proposals(state: Proposal.State?, limit: Int) async throws -> [Proposal] {
        try await read { db in
            let rows =
                if let state {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM proposal WHERE state = ? ORDER BY id LIMIT ?",
                        arguments: [state.rawValue, limit])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM proposal ORDER BY id LIMIT ?", arguments: [limit])
                }
            return rows.map(Self.proposal)
        }
    }

    public func resolveProposal(id: Int64, confirm: Bool, by principal: Principal, at now: Date) async throws
        -> Proposal
    {
        try await write { db in
            guard
                let proposal = try Row.fetchOne(db, sql: "SELECT * FROM proposal WHERE id = ?", arguments: [id]).map(
                    Self.proposal)
            else {
                throw CaseWorkflowError(.notFound, "there is no proposal \(id)")
            }
            let (resolved, entry) = try proposal.resolving(confirm: confirm, by: principal, at: now)
            try db.execute(
                sql: "UPDATE proposal SET state = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
                arguments: [resolved.state.rawValue, resolved.resolvedBy, now.timeIntervalSince1970, id])
            try Self.insert(entry, db)
            return resolved
        }
    }

    public func saveQueue(_ queue: CaseQueue) async throws {
        let filter = String(decoding: try Self.encoder.encode(queue.filter), as: UTF8.self)
        try await write { db in
            try db.execute(
                sql:
                    "INSERT INTO case_queue (name, filter) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET filter = excluded.filter",
                arguments: [queue.name, filter])
        }
    }

    public func queues() async throws -> [CaseQueue] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM case_queue ORDER BY name").map { row in
                let filter: String = row["filter"]
                return CaseQueue(
                    name: row["name"], filter: try Self.decoder.decode(CaseFilter.self, from: Data(filter.utf8)))
            }
        }
    }

    public func deleteQueue(named name: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM queue_assignment WHERE queue = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM case_queue WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func assignQueues(_ names: [String], toAccount accountID: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM queue_assignment WHERE account_id = ?", arguments: [accountID])
            for name in Set(names) {
                try db.execute(
                    sql: "INSERT INTO queue_assignment (account_id, queue) VALUES (?, ?)", arguments: [accountID, name])
            }
        }
    }

    public func assignedQueues(account accountID: Int64) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT queue FROM queue_assignment WHERE account_id = ? ORDER BY queue",
                arguments: [accountID])
        }
    }

    /// A filter as SQL over the columns `open` fills; every value is a bound argument.
    static func condition(_ filter: CaseFilter, ignoringState: Bool) -> (String, StatementArguments) {
        var parts = ["1"]
        var arguments = StatementArguments()
        if !ignoringState, let state = filter.state {
            parts.append("state = ?")
            arguments += [state.rawValue]
        }
        if let outcome = filter.outcome {
            parts.append("outcome = ?")
            arguments += [outcome.rawValue]
        }
        if let action = filter.action {
            parts.append("action = ?")
            arguments += [action.rawValue]
        }
        if let domain = filter.domain {
            parts.append("actor_host = ?")
            arguments += [domain.lowercased()]
        }
        for (column, word) in [("rules", filter.ruleID), ("tags", filter.ruleTag), ("languages", filter.language)] {
            guard let word else { continue }
            parts.append("instr(\(column), ?) > 0")
            arguments += [" \(word) "]
        }
        return (parts.joined(separator: " AND "), arguments)
    }

    private static func commit(_ update: CaseUpdate, _ db: GRDB.Database) throws {
        let reviewCase = update.reviewCase
        try db.cachedStatement(
            sql: """
                UPDATE review_case SET state = ?, outcome = ?, version = ?, lease_holder = ?, lease_holder_name = ?,
                    lease_expires_at = ?, delivered_at = ?, delivery_status = ?, decided_at = ?, decided_by = ?
                WHERE id = ? AND version = ?
                """
        ).execute(
            arguments: [
                reviewCase.state.rawValue, reviewCase.outcome?.rawValue, reviewCase.version, reviewCase.lease?.holder,
                reviewCase.lease?.holderName, reviewCase.lease?.expiresAt.timeIntervalSince1970,
                reviewCase.delivery?.at.timeIntervalSince1970, reviewCase.delivery?.status,
                reviewCase.closedAt?.timeIntervalSince1970, reviewCase.decidedBy, reviewCase.id, reviewCase.version - 1,
            ])
        guard db.changesCount == 1 else {
            throw CaseWorkflowError(
                .staleVersion, "case \(reviewCase.id) changed while it was being updated; reload it",
                caseID: reviewCase.id)
        }
        for entry in update.audit { try insert(entry, db) }
        for proposal in update.proposals {
            try db.execute(
                sql: """
                    INSERT INTO proposal (case_id, action, target, reason, note, proposed_by, proposed_at, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    proposal.caseID, proposal.action.rawValue, proposal.target, proposal.reason, proposal.note,
                    proposal.proposedBy,
                    proposal.proposedAt.timeIntervalSince1970, proposal.state.rawValue,
                ])
        }
    }

    static func insert(_ entry: AuditEntry, _ db: GRDB.Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_entry (at, actor, account_id, via, batch_id, case_id, action, from_state, to_state, reason, note)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                entry.at.timeIntervalSince1970, entry.actor, entry.accountID, entry.via.rawValue, entry.batchID,
                entry.caseID,
                entry.action.rawValue, entry.fromState?.rawValue, entry.toState?.rawValue, entry.reason, entry.note,
            ])
    }

    private static func proposal(_ row: Row) -> Proposal {
        let resolvedAt: Double? = row["resolved_at"]
        return Proposal(
            id: row["id"], caseID: row["case_id"], action: Decision.Action(rawValue: row["action"]) ?? .limitActor,
            target: row["target"], reason: row["reason"], note: row["note"], proposedBy: row["proposed_by"],
            proposedAt: Date(timeIntervalSince1970: row["proposed_at"]),
            state: Proposal.State(rawValue: row["state"]) ?? .pending,
            resolvedBy: row["resolved_by"], resolvedAt: resolvedAt.map(Date.init(timeIntervalSince1970:)))
    }

    private static func fetch(id: Int64, _ db: GRDB.Database) throws -> ReviewCase? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM review_case WHERE id = ?"), arguments: [id]).map(reviewCase)
    }

    /// `ReviewCase.precedes` on the ranking columns alone.
    private static func ranks(
        _ lhs: (priority: Int, openedAt: Double, id: Int64), before rhs: (priority: Int, openedAt: Double, id: Int64)
    ) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        if lhs.openedAt != rhs.openedAt { return lhs.openedAt < rhs.openedAt }
        return lhs.id < rhs.id
    }

    private static func reviewCase(_ row: Row) throws -> ReviewCase {
        let verdictText: String = row["verdict"]
        let verdict = try verdicts.value(for: verdictText) { try decoder.decode(Verdict.self, from: Data($0.utf8)) }
        var request: StoredRequest?
        if let headText: String = row["request"] {
            let head = try requestHeads.value(for: headText) {
                try decoder.decode(CaseStorageForm.RequestHead.self, from: Data($0.utf8))
            }
            let body: Data = row["request_body"] ?? Data()
            request = head.request(body: Array(body))
        }
        let deliveredAt: Double? = row["delivered_at"]
        let decidedAt: Double? = row["decided_at"]
        let leaseExpiresAt: Double? = row["lease_expires_at"]
        let leaseHolder: String? = row["lease_holder"]
        let deliveryStatus: Int? = row["delivery_status"]
        let body: Data = row["body"]
        return ReviewCase(
            id: row["id"], activityID: row["activity_id"], actorID: row["actor_id"], signer: row["signer"],
            deliveryKey: row["delivery_key"], source: ReviewCase.Source(rawValue: row["source"]) ?? .inbox,
            action: RuleAction(rawValue: row["action"]) ?? verdict.action, verdict: verdict,
            state: ReviewCase.State(rawValue: row["state"]) ?? .open,
            outcome: (row["outcome"] as String?).flatMap(ReviewCase.Outcome.init(rawValue:)), version: row["version"],
            lease: leaseHolder.map {
                ReviewCase.Lease(
                    holder: $0, holderName: row["lease_holder_name"] ?? $0,
                    expiresAt: Date(timeIntervalSince1970: leaseExpiresAt ?? 0))
            },
            priority: row["priority"], openedAt: Date(timeIntervalSince1970: row["opened_at"]),
            duplicateDeliveries: row["duplicate_deliveries"],
            reports: row["reports"],
            body: Array(body), request: request,
            delivery: deliveredAt.map {
                ReviewCase.Delivery(at: Date(timeIntervalSince1970: $0), status: deliveryStatus ?? 0)
            },
            decidedBy: row["decided_by"],
            closedAt: row["state"] == "closed" ? decidedAt.map(Date.init(timeIntervalSince1970:)) : nil,
            evidenceDigest: row["evidence_sha256"],
            actorDocument: (row["actor_document"] as Data?).map { [UInt8]($0) })
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch let error as CaseWorkflowError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read cases from")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch let error as CaseWorkflowError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write cases to")
        }
    }
}

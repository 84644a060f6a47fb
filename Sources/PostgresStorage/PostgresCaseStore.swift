public import Access
public import Foundation
import NIOCore
import PostgresNIO
public import ReviewQueue
import RuleEngine

/// `CaseStore` on PostgreSQL: every node works the same queue. Each write is one transaction; a case being changed
/// is locked (`FOR UPDATE`) for it, and `next` and `expireLeases` skip the cases another node has locked
/// (`SKIP LOCKED`), so two nodes never hand out the same case or expire the same lease.
public struct PostgresCaseStore: CaseStore {
    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()


    /// The advisory lock class of `report`: reports about one actor are filed one at a time across the nodes, so two
    /// of them never open two cases about the same actor. (Two-key locks: apart from the one-key migration lock.)
    private static let reportLockClass = 22_001

    public func open(_ newCase: NewCase) async throws -> CaseOpening {
        let insert = try Self.inserting(newCase)
        return try await transaction("write cases to") { connection in try await insert(connection) }
    }

    public func report(_ report: NewReport) async throws -> CaseOpening {
        let insert = try Self.inserting(report.newCase)
        let objects = String(decoding: try Self.encoder.encode(report.objects), as: UTF8.self)
        return try await transaction("write cases to") { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(CAST(\(Self.reportLockClass) AS integer), hashtext(\(report.flaggedActor)))",
                logger: database.logger)
            if let caseID = try await Self.first(
                Int64.self, "SELECT case_id FROM case_report WHERE delivery_key = \(report.deliveryKey)", connection),
                let existing = try await Self.fetch(id: caseID, connection)
            {
                return .duplicate(existing)
            }
            let caseID: Int64
            let opened: Bool
            if let joined = try await Self.first(
                Int64.self,
                """
                SELECT id FROM review_case WHERE COALESCE(signer, actor_id) = \(report.flaggedActor) AND state != 'closed'
                ORDER BY id LIMIT 1
                """, connection)
            {
                caseID = joined
                opened = false
            } else {
                caseID = try await insert(connection).reviewCase.id
                opened = true
            }
            try await connection.query(
                """
                UPDATE review_case SET reports = reports + 1,
                    priority = priority + CASE WHEN reports * \(NewReport.reportBoost) < \(NewReport.maxReportBoost)
                        THEN \(NewReport.reportBoost) ELSE 0 END
                WHERE id = \(caseID)
                """, logger: database.logger)
            try await connection.query(
                """
                INSERT INTO case_report (case_id, delivery_key, activity_id, reporter, objects, comment, at)
                VALUES (\(caseID), \(report.deliveryKey), \(report.activityID), \(report.reporter), \(objects),
                    \(report.comment), \(report.receivedAt.timeIntervalSince1970))
                """, logger: database.logger)
            guard let reviewCase = try await Self.fetch(id: caseID, connection) else {
                throw PostgresStoreError(
                    code: .failed, message: "case \(caseID) vanished while a report was filed on it")
            }
            return opened ? .opened(reviewCase) : .duplicate(reviewCase)
        }
    }

    public func reports(caseID: Int64) async throws -> [CaseReport] {
        try await read { connection in
            var reports: [CaseReport] = []
            let rows = try await connection.query(
                """
                SELECT id, case_id, activity_id, reporter, objects, comment, at FROM case_report
                WHERE case_id = \(caseID) ORDER BY id
                """, logger: database.logger)
            for try await (id, caseID, activityID, reporter, objects, comment, at) in rows.decode(
                (Int64, Int64, String, String?, String, String?, Double).self)
            {
                reports.append(
                    CaseReport(
                        id: id, caseID: caseID, activityID: activityID, reporter: reporter,
                        objects: try Self.decoder.decode([String].self, from: Data(objects.utf8)), comment: comment,
                        at: Date(timeIntervalSince1970: at)))
            }
            return reports
        }
    }

    /// Opens a case in the caller's transaction, or counts a repeat of its delivery. One statement, so two nodes
    /// receiving the same delivery at once open one case between them.
    private static func inserting(_ newCase: NewCase) throws
        -> @Sendable (PostgresConnection) async throws -> CaseOpening
    {
        let verdict = String(decoding: try encoder.encode(newCase.verdict), as: UTF8.self)
        let head = try newCase.request.map {
            String(decoding: try encoder.encode(CaseStorageForm.RequestHead($0)), as: UTF8.self)
        }
        let hits = newCase.verdict.hits
        let rules = CaseStorageForm.words(hits.map(\.rule))
        let tags = CaseStorageForm.words(hits.flatMap(\.tags))
        let languages = CaseStorageForm.words(newCase.languages)
        let digest = EvidenceDigest.of(
            body: newCase.body, request: newCase.request, actorDocument: newCase.actorDocument)
        let body = ByteBuffer(bytes: newCase.body)
        let requestBody = newCase.request.map { ByteBuffer(bytes: $0.body) }
        let actorDocument = newCase.actorDocument.map { ByteBuffer(bytes: $0) }
        return { connection in
            // A fresh row has no duplicates yet; a conflict counts one.
            let rows = try await connection.query(
                """
                INSERT INTO review_case (
                    activity_id, actor_id, signer, delivery_key, source, action, verdict, state, opened_at, body, request,
                    request_body, priority, actor_host, rules, tags, languages, evidence_sha256, actor_document)
                VALUES (
                    \(newCase.activityID), \(newCase.actorID), \(newCase.signer), \(newCase.deliveryKey),
                    \(newCase.source.rawValue), \(newCase.verdict.action.rawValue), \(verdict), 'open',
                    \(newCase.openedAt.timeIntervalSince1970), \(body), \(head), \(requestBody), \(newCase.priority),
                    \(newCase.host), \(rules), \(tags), \(languages), \(digest), \(actorDocument))
                ON CONFLICT (delivery_key) DO UPDATE SET duplicate_deliveries = review_case.duplicate_deliveries + 1
                RETURNING *
                """, logger: connection.logger)
            for try await row in rows {
                let reviewCase = try Self.reviewCase(row)
                return reviewCase.duplicateDeliveries == 0 ? .opened(reviewCase) : .duplicate(reviewCase)
            }
            throw PostgresStoreError(code: .failed, message: "cannot write a case to the database: no row came back")
        }
    }

    public func reviewCase(id: Int64) async throws -> ReviewCase? {
        try await read { connection in try await Self.fetch(id: id, connection) }
    }

    public func cases(activityID: String) async throws -> [ReviewCase] {
        try await read { connection in
            try await Self.cases(
                "SELECT * FROM review_case WHERE activity_id = \(activityID) ORDER BY id", connection)
        }
    }

    public func cases(matching filter: CaseFilter, limit: Int) async throws -> [ReviewCase] {
        var query = SQLBuilder("SELECT * FROM review_case WHERE ")
        Self.condition(filter, ignoringState: false, into: &query)
        query.append(" ORDER BY priority DESC, opened_at, id LIMIT ")
        query.append(binding: limit)
        return try await read { connection in try await Self.cases(query.query, connection) }
    }

    public func caseCounts() async throws -> [ReviewCase.State: Int] {
        try await read { connection in
            var counts: [ReviewCase.State: Int] = [:]
            let rows = try await connection.query(
                "SELECT state, COUNT(*) FROM review_case GROUP BY state", logger: database.logger)
            for try await (state, count) in rows.decode((String, Int).self) {
                if let state = ReviewCase.State(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    public func apply(_ command: CaseCommand, to id: Int64, reasons: [String]) async throws -> ReviewCase {
        let limits = try await queueFilters(for: command.principal)
        return try await transaction("write cases to") { connection in
            guard let reviewCase = try await Self.fetch(id: id, connection, forUpdate: true) else {
                throw CaseWorkflowError.notFound(id)
            }
            try reviewCase.checkQueueLimits(limits, for: command.principal)
            let update = try reviewCase.applying(command, reasons: reasons)
            try await Self.commit(update, connection)
            return update.reviewCase
        }
    }

    public func next(for principal: Principal, queue: String?, lease: TimeInterval, at now: Date) async throws
        -> ReviewCase?
    {
        let filters = try await nextFilters(for: principal, queue: queue)
        guard !filters.isEmpty else { return nil }
        // One query per filter and kind of free case, each walking the queue index in order to its first match that
        // no other transaction holds, and locking it; a single query with OR would sort every open case on each
        // call. The best of the candidates is claimed in the same transaction; the others are let go at commit.
        let moment = now.timeIntervalSince1970
        var queries: [PostgresQuery] = []
        for filter in filters {
            let free =
                filter.state == .escalated
                ? ["state = 'escalated' AND lease_expires_at IS NULL", "state = 'escalated' AND lease_expires_at <= "]
                : ["state = 'open'", "state = 'in_review' AND lease_expires_at <= "]
            for (index, state) in free.enumerated() {
                var query = SQLBuilder("SELECT id, priority, opened_at FROM review_case WHERE " + state)
                if index == 1 { query.append(binding: moment) }
                query.append(" AND ")
                Self.condition(filter, ignoringState: true, into: &query)
                query.append(" ORDER BY priority DESC, opened_at, id LIMIT 1 FOR UPDATE SKIP LOCKED")
                queries.append(query.query)
            }
        }
        return try await transaction("write cases to") { connection in
            var best: Rank?
            for query in queries {
                for try await (id, priority, openedAt) in try await connection.query(query, logger: database.logger)
                    .decode((Int64, Int, Double).self)
                {
                    let candidate = Rank(priority: priority, openedAt: openedAt, id: id)
                    if let current = best, !candidate.precedes(current) { continue }
                    best = candidate
                }
            }
            guard let best, let chosen = try await Self.fetch(id: best.id, connection) else { return nil }
            let update = try chosen.applying(CaseCommand(.claim(lease: lease), by: principal, at: now))
            try await Self.commit(update, connection)
            return update.reviewCase
        }
    }

    public func expireLeases(at now: Date) async throws -> Int {
        try await transaction("write cases to") { connection in
            // Leases another node is expiring (or a `next` is taking over) are skipped: each is expired once.
            let expired = try await Self.cases(
                """
                SELECT * FROM review_case WHERE state = 'in_review' AND lease_expires_at <= \(now.timeIntervalSince1970)
                ORDER BY id FOR UPDATE SKIP LOCKED
                """, connection)
            let updates = expired.compactMap { $0.expiringLease(at: now) }
            for update in updates { try await Self.commit(update, connection) }
            return updates.count
        }
    }

    public func audit(caseID: Int64?, limit: Int) async throws -> [AuditEntry] {
        let columns = "id, at, actor, account_id, via, batch_id, case_id, action, from_state, to_state, reason, note"
        var query = SQLBuilder("SELECT \(columns) FROM audit_entry")
        if let caseID {
            query.append(" WHERE case_id = ")
            query.append(binding: caseID)
        }
        query.append(" ORDER BY id DESC LIMIT ")
        query.append(binding: limit)
        return try await read { connection in
            var entries: [AuditEntry] = []
            for try await (id, at, actor, accountID, via, batchID, caseID, action, from, to, reason, note)
                in try await connection.query(query.query, logger: database.logger).decode(
                    (Int64, Double, String, Int64?, String, String?, Int64?, String, String?, String?, String?, String?)
                        .self)
            {
                entries.append(
                    AuditEntry(
                        id: id, at: Date(timeIntervalSince1970: at), actor: actor, accountID: accountID,
                        via: Principal.Via(rawValue: via) ?? .api, batchID: batchID, caseID: caseID,
                        action: AuditEntry.Action(rawValue: action) ?? .note,
                        fromState: from.flatMap(ReviewCase.State.init(rawValue:)),
                        toState: to.flatMap(ReviewCase.State.init(rawValue:)), reason: reason, note: note))
            }
            return entries
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
        return try await transaction("write notes to") { connection in
            if case .reviewCase(let id) = subject {
                guard let reviewCase = try await Self.fetch(id: id, connection, forUpdate: true) else {
                    throw CaseWorkflowError.notFound(id)
                }
                try reviewCase.checkQueueLimits(limits, for: principal)
                try await Self.insert(
                    AuditEntry(
                        by: principal, at: now, caseID: id, action: .note, from: reviewCase.state, to: reviewCase.state,
                        note: text), connection)
            }
            guard
                let id = try await Self.first(
                    Int64.self,
                    """
                    INSERT INTO case_note (subject_kind, subject, at, author, account_id, text)
                    VALUES (\(kind), \(key), \(now.timeIntervalSince1970), \(principal.displayName),
                        \(principal.accountID), \(text))
                    RETURNING id
                    """, connection)
            else {
                throw PostgresStoreError(code: .failed, message: "cannot write a note to the database: no id came back")
            }
            return CaseNote(
                id: id, subject: subject, at: now, author: principal.displayName, accountID: principal.accountID,
                text: text)
        }
    }

    public func notes(about subject: CaseNote.Subject) async throws -> [CaseNote] {
        try await read { connection in
            var subjects: [CaseNote.Subject] = [subject]
            if case .reviewCase(let id) = subject {
                for try await (signer, actorID) in try await connection.query(
                    "SELECT signer, actor_id FROM review_case WHERE id = \(id)", logger: database.logger
                ).decode((String?, String?).self) {
                    subjects = CaseNote.Subject.shown(caseID: id, signer: signer, actorID: actorID)
                }
            }
            var notes: [CaseNote] = []
            for subject in subjects {
                let (kind, key) = CaseStorageForm.key(subject)
                for try await (id, at, author, accountID, text) in try await connection.query(
                    """
                    SELECT id, at, author, account_id, text FROM case_note
                    WHERE subject_kind = \(kind) AND subject = \(key) ORDER BY id
                    """, logger: database.logger
                ).decode((Int64, Double, String, Int64?, String).self) {
                    notes.append(
                        CaseNote(
                            id: id, subject: subject, at: Date(timeIntervalSince1970: at), author: author,
                            accountID: accountID, text: text))
                }
            }
            return notes.sorted { $0.id < $1.id }
        }
    }

    public func proposals(state: Proposal.State?, limit: Int) async throws -> [Proposal] {
        var query = SQLBuilder("SELECT \(Self.proposalColumns) FROM proposal")
        if let state {
            query.append(" WHERE state = ")
            query.append(binding: state.rawValue)
        }
        query.append(" ORDER BY id LIMIT ")
        query.append(binding: limit)
        return try await read { connection in try await Self.proposals(query.query, connection) }
    }

    public func resolveProposal(id: Int64, confirm: Bool, by principal: Principal, at now: Date) async throws
        -> Proposal
    {
        try await transaction("write proposals to") { connection in
            var query = SQLBuilder("SELECT \(Self.proposalColumns) FROM proposal WHERE id = ")
            query.append(binding: id)
            query.append(" FOR UPDATE")
            guard let proposal = try await Self.proposals(query.query, connection).first else {
                throw CaseWorkflowError(.notFound, "there is no proposal \(id)")
            }
            let (resolved, entry) = try proposal.resolving(confirm: confirm, by: principal, at: now)
            try await connection.query(
                """
                UPDATE proposal SET state = \(resolved.state.rawValue), resolved_by = \(resolved.resolvedBy),
                    resolved_at = \(now.timeIntervalSince1970)
                WHERE id = \(id)
                """, logger: database.logger)
            try await Self.insert(entry, connection)
            return resolved
        }
    }

    public func saveQueue(_ queue: CaseQueue) async throws {
        let filter = String(decoding: try Self.encoder.encode(queue.filter), as: UTF8.self)
        try await transaction("write queues to") { connection in
            _ = try await connection.query(
                """
                INSERT INTO case_queue (name, filter) VALUES (\(queue.name), \(filter))
                ON CONFLICT (name) DO UPDATE SET filter = EXCLUDED.filter
                """, logger: database.logger)
        }
    }

    public func queues() async throws -> [CaseQueue] {
        try await read { connection in
            var queues: [CaseQueue] = []
            for try await (name, filter) in try await connection.query(
                "SELECT name, filter FROM case_queue ORDER BY name COLLATE \"C\"", logger: database.logger
            ).decode((String, String).self) {
                queues.append(
                    CaseQueue(name: name, filter: try Self.decoder.decode(CaseFilter.self, from: Data(filter.utf8))))
            }
            return queues
        }
    }

    public func deleteQueue(named name: String) async throws -> Bool {
        try await transaction("write queues to") { connection in
            try await connection.query("DELETE FROM queue_assignment WHERE queue = \(name)", logger: database.logger)
            return try await Self.first(
                Int.self, "DELETE FROM case_queue WHERE name = \(name) RETURNING 1", connection) != nil
        }
    }

    public func assignQueues(_ names: [String], toAccount accountID: Int64) async throws {
        try await transaction("write queues to") { connection in
            try await connection.query(
                "DELETE FROM queue_assignment WHERE account_id = \(accountID)", logger: database.logger)
            for name in Set(names) {
                try await connection.query(
                    "INSERT INTO queue_assignment (account_id, queue) VALUES (\(accountID), \(name))",
                    logger: database.logger)
            }
        }
    }

    public func assignedQueues(account accountID: Int64) async throws -> [String] {
        try await read { connection in
            var names: [String] = []
            for try await name in try await connection.query(
                "SELECT queue FROM queue_assignment WHERE account_id = \(accountID) ORDER BY queue COLLATE \"C\"",
                logger: database.logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }
}

// MARK: - Rows and statements

extension PostgresCaseStore {
    /// Appends a filter as SQL over the columns `open` fills, its values bound.
    static func condition(_ filter: CaseFilter, ignoringState: Bool, into query: inout SQLBuilder) {
        query.append("TRUE")
        var equalities: [(String, String)] = []
        if !ignoringState, let state = filter.state { equalities.append(("state", state.rawValue)) }
        if let outcome = filter.outcome { equalities.append(("outcome", outcome.rawValue)) }
        if let action = filter.action { equalities.append(("action", action.rawValue)) }
        if let domain = filter.domain { equalities.append(("actor_host", domain.lowercased())) }
        for (column, value) in equalities {
            query.append(" AND \(column) = ")
            query.append(binding: value)
        }
        for (column, word) in [("rules", filter.ruleID), ("tags", filter.ruleTag), ("languages", filter.language)] {
            guard let word else { continue }
            query.append(" AND strpos(\(column), ")
            query.append(binding: " \(word) ")
            query.append(") > 0")
        }
    }

    /// Writes a case's new state, if nobody changed it since it was read, with its audit entries and proposals.
    static func commit(_ update: CaseUpdate, _ connection: PostgresConnection) async throws {
        let reviewCase = update.reviewCase
        let changed = try await first(
            Int.self,
            """
            UPDATE review_case SET state = \(reviewCase.state.rawValue), outcome = \(reviewCase.outcome?.rawValue),
                version = \(reviewCase.version), lease_holder = \(reviewCase.lease?.holder),
                lease_holder_name = \(reviewCase.lease?.holderName),
                lease_expires_at = \(reviewCase.lease?.expiresAt.timeIntervalSince1970),
                delivered_at = \(reviewCase.delivery?.at.timeIntervalSince1970),
                delivery_status = \(reviewCase.delivery?.status), decided_at = \(reviewCase.closedAt?.timeIntervalSince1970),
                decided_by = \(reviewCase.decidedBy)
            WHERE id = \(reviewCase.id) AND version = \(reviewCase.version - 1)
            RETURNING 1
            """, connection)
        guard changed != nil else {
            throw CaseWorkflowError(
                .staleVersion, "case \(reviewCase.id) changed while it was being updated; reload it",
                caseID: reviewCase.id)
        }
        for entry in update.audit { try await insert(entry, connection) }
        for proposal in update.proposals {
            try await connection.query(
                """
                INSERT INTO proposal (case_id, action, target, reason, note, proposed_by, proposed_at, state)
                VALUES (\(proposal.caseID), \(proposal.action.rawValue), \(proposal.target), \(proposal.reason),
                    \(proposal.note), \(proposal.proposedBy), \(proposal.proposedAt.timeIntervalSince1970),
                    \(proposal.state.rawValue))
                """, logger: connection.logger)
        }
    }

    static func insert(_ entry: AuditEntry, _ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO audit_entry (at, actor, account_id, via, batch_id, case_id, action, from_state, to_state, reason, note)
            VALUES (\(entry.at.timeIntervalSince1970), \(entry.actor), \(entry.accountID), \(entry.via.rawValue),
                \(entry.batchID), \(entry.caseID), \(entry.action.rawValue), \(entry.fromState?.rawValue),
                \(entry.toState?.rawValue), \(entry.reason), \(entry.note))
            """, logger: connection.logger)
    }

    /// The case, locked until the transaction ends when `forUpdate`.
    static func fetch(id: Int64, _ connection: PostgresConnection, forUpdate: Bool = false) async throws
        -> ReviewCase?
    {
        var query = SQLBuilder("SELECT * FROM review_case WHERE id = ")
        query.append(binding: id)
        if forUpdate { query.append(" FOR UPDATE") }
        return try await cases(query.query, connection).first
    }

    static func cases(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> [ReviewCase] {
        var cases: [ReviewCase] = []
        for try await row in try await connection.query(query, logger: connection.logger) {
            cases.append(try reviewCase(row))
        }
        return cases
    }

    /// The first column of the first row, if any.
    static func first<T: PostgresDecodable & Sendable>(
        _ type: T.Type, _ query: PostgresQuery, _ connection: PostgresConnection
    )
        async throws -> T?
    {
        for try await value in try await connection.query(query, logger: connection.logger).decode(T.self) {
            return value
        }
        return nil
    }

    private static let proposalColumns =
        "id, case_id, action, target, reason, note, proposed_by, proposed_at, state, resolved_by, resolved_at"

    private static func proposals(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> [Proposal] {
        var proposals: [Proposal] = []
        for try await (id, caseID, action, target, reason, note, proposedBy, proposedAt, state, resolvedBy, resolvedAt)
            in try await connection.query(query, logger: connection.logger).decode(
                (Int64, Int64, String, String, String, String?, String, Double, String, String?, Double?).self)
        {
            proposals.append(
                Proposal(
                    id: id, caseID: caseID, action: Decision.Action(rawValue: action) ?? .limitActor, target: target,
                    reason: reason, note: note, proposedBy: proposedBy,
                    proposedAt: Date(timeIntervalSince1970: proposedAt),
                    state: Proposal.State(rawValue: state) ?? .pending, resolvedBy: resolvedBy,
                    resolvedAt: resolvedAt.map(Date.init(timeIntervalSince1970:))))
        }
        return proposals
    }

    /// A case from a `SELECT *` row.
    static func reviewCase(_ row: PostgresRow) throws -> ReviewCase {
        let row = row.makeRandomAccess()
        func column<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
            try row[name].decode(T.self)
        }
        let verdict = try decoder.decode(Verdict.self, from: Data(try column("verdict", as: String.self).utf8))
        var request: StoredRequest?
        if let headText = try column("request", as: String?.self) {
            let head = try decoder.decode(CaseStorageForm.RequestHead.self, from: Data(headText.utf8))
            let body = try column("request_body", as: ByteBuffer?.self)
            request = head.request(body: body.map { Array($0.readableBytesView) } ?? [])
        }
        let state = ReviewCase.State(rawValue: try column("state", as: String.self)) ?? .open
        let leaseExpiresAt = try column("lease_expires_at", as: Double?.self)
        let leaseHolderName = try column("lease_holder_name", as: String?.self)
        let deliveryStatus = try column("delivery_status", as: Int?.self)
        return ReviewCase(
            id: try column("id"), activityID: try column("activity_id"), actorID: try column("actor_id"),
            signer: try column("signer"), deliveryKey: try column("delivery_key"),
            source: ReviewCase.Source(rawValue: try column("source", as: String.self)) ?? .inbox,
            action: RuleAction(rawValue: try column("action", as: String.self)) ?? verdict.action, verdict: verdict,
            state: state, outcome: try column("outcome", as: String?.self).flatMap(ReviewCase.Outcome.init(rawValue:)),
            version: try column("version"),
            lease: try column("lease_holder", as: String?.self).map {
                ReviewCase.Lease(
                    holder: $0, holderName: leaseHolderName ?? $0,
                    expiresAt: Date(timeIntervalSince1970: leaseExpiresAt ?? 0))
            },
            priority: try column("priority"), openedAt: Date(timeIntervalSince1970: try column("opened_at")),
            duplicateDeliveries: try column("duplicate_deliveries"), reports: try column("reports"),
            body: Array(try column("body", as: ByteBuffer.self).readableBytesView), request: request,
            delivery: try column("delivered_at", as: Double?.self).map {
                ReviewCase.Delivery(at: Date(timeIntervalSince1970: $0), status: deliveryStatus ?? 0)
            },
            decidedBy: try column("decided_by"),
            closedAt: state == .closed
                ? try column("decided_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)) : nil,
            evidenceDigest: try column("evidence_sha256"),
            actorDocument: try column("actor_document", as: ByteBuffer?.self).map { Array($0.readableBytesView) })
    }

    /// Runs `body` in one transaction; workflow errors come out as they are, others as a `PostgresStoreError`.
    func transaction<T: Sendable>(_ action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await database.client.withTransaction(logger: database.logger) { connection in
                try await body(connection)
            }
        } catch {
            throw Self.mapped(error, doing: action)
        }
    }

    /// Runs `body` on one connection of the pool, outside any transaction.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await database.client.withConnection { connection in try await body(connection) }
        } catch {
            throw Self.mapped(error, doing: "read cases from")
        }
    }

    private static func mapped(_ error: any Error, doing action: String) -> any Error {
        if let error = error as? CaseWorkflowError { return error }
        if let error = error as? PostgresTransactionError, let cause = error.closureError as? CaseWorkflowError {
            return cause
        }
        return PostgreSQLDatabase.storeError(error, doing: action)
    }
}

/// `ReviewCase.precedes` on the ranking columns alone.
private struct Rank {
    var priority: Int
    var openedAt: Double
    var id: Int64

    func precedes(_ other: Rank) -> Bool {
        if priority != other.priority { return priority > other.priority }
        if openedAt != other.openedAt { return openedAt < other.openedAt }
        return id < other.id
    }
}

import Foundation
import GRDB
public import ReviewQueue
import RuleEngine

/// `CaseStore` on the SQLite database. Every write is its own committed transaction.
public final class SQLiteCaseStore: CaseStore {
    public let database: SQLiteDatabase

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
    private struct RequestHead: Codable {
        var method: String
        var target: String
        var headers: [StoredRequest.Header]
        var receivedAt: Date
        var signedAt: Date?
    }

    public func open(_ newCase: NewCase) async throws -> CaseOpening {
        let verdict = try Self.encoder.encode(newCase.verdict)
        let head = try newCase.request.map {
            try Self.encoder.encode(
                RequestHead(method: $0.method, target: $0.target, headers: $0.headers, receivedAt: $0.receivedAt, signedAt: $0.signedAt))
        }
        return try await write { db in
            if let existing = try Row.fetchOne(
                db, sql: "SELECT id FROM review_case WHERE delivery_key = ?", arguments: [newCase.deliveryKey])
            {
                let id: Int64 = existing["id"]
                try db.execute(sql: "UPDATE review_case SET duplicate_deliveries = duplicate_deliveries + 1 WHERE id = ?", arguments: [id])
                return .duplicate(try Self.fetch(id: id, db)!)
            }
            try db.execute(
                sql: """
                    INSERT INTO review_case (
                        activity_id, actor_id, signer, delivery_key, source, action, verdict, state, opened_at, body, request,
                        request_body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
                    """,
                arguments: [
                    newCase.activityID, newCase.actorID, newCase.signer, newCase.deliveryKey, newCase.source.rawValue, newCase.verdict.action.rawValue,
                    String(decoding: verdict, as: UTF8.self), newCase.openedAt.timeIntervalSince1970, Data(newCase.body),
                    head.map { String(decoding: $0, as: UTF8.self) }, newCase.request.map { Data($0.body) },
                ])
            return .opened(try Self.fetch(id: db.lastInsertedRowID, db)!)
        }
    }

    public func reviewCase(id: Int64) async throws -> ReviewCase? {
        try await read { db in try Self.fetch(id: id, db) }
    }

    public func cases(activityID: String) async throws -> [ReviewCase] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review_case WHERE activity_id = ? ORDER BY id", arguments: [activityID])
                .map(Self.reviewCase)
        }
    }

    public func cases(state: ReviewCase.State?, limit: Int) async throws -> [ReviewCase] {
        try await read { db in
            let rows: [Row]
            if let state {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM review_case WHERE state = ? ORDER BY id LIMIT ?", arguments: [state.rawValue, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM review_case ORDER BY id LIMIT ?", arguments: [limit])
            }
            return try rows.map(Self.reviewCase)
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

    public func decide(
        id: Int64, state: ReviewCase.State, delivery: ReviewCase.Delivery?, by decider: String?
    ) async throws -> ReviewCase? {
        try await write { db in
            guard let current = try Self.fetch(id: id, db) else { return nil }
            guard current.state == .open else { throw CaseTransitionError(caseID: id, state: current.state) }
            try db.execute(
                sql: """
                    UPDATE review_case SET state = ?, delivered_at = ?, delivery_status = ?, decided_at = ?, decided_by = ?
                    WHERE id = ?
                    """,
                arguments: [
                    state.rawValue, delivery?.at.timeIntervalSince1970, delivery?.status, Date().timeIntervalSince1970,
                    decider, id,
                ])
            return try Self.fetch(id: id, db)
        }
    }

    private static func fetch(id: Int64, _ db: GRDB.Database) throws -> ReviewCase? {
        try Row.fetchOne(db, sql: "SELECT * FROM review_case WHERE id = ?", arguments: [id]).map(reviewCase)
    }

    private static func reviewCase(_ row: Row) throws -> ReviewCase {
        let verdictText: String = row["verdict"]
        let verdict = try decoder.decode(Verdict.self, from: Data(verdictText.utf8))
        var request: StoredRequest?
        if let headText: String = row["request"] {
            let head = try decoder.decode(RequestHead.self, from: Data(headText.utf8))
            let body: Data = row["request_body"] ?? Data()
            request = StoredRequest(
                method: head.method, target: head.target, headers: head.headers, body: Array(body),
                receivedAt: head.receivedAt, signedAt: head.signedAt)
        }
        let deliveredAt: Double? = row["delivered_at"]
        let deliveryStatus: Int? = row["delivery_status"]
        let body: Data = row["body"]
        return ReviewCase(
            id: row["id"], activityID: row["activity_id"], actorID: row["actor_id"], signer: row["signer"],
            deliveryKey: row["delivery_key"], source: ReviewCase.Source(rawValue: row["source"]) ?? .inbox,
            action: RuleAction(rawValue: row["action"]) ?? verdict.action, verdict: verdict,
            state: ReviewCase.State(rawValue: row["state"]) ?? .open,
            openedAt: Date(timeIntervalSince1970: row["opened_at"]), duplicateDeliveries: row["duplicate_deliveries"],
            body: Array(body), request: request,
            delivery: deliveredAt.map { ReviewCase.Delivery(at: Date(timeIntervalSince1970: $0), status: deliveryStatus ?? 0) },
            decidedBy: row["decided_by"])
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch let error as CaseTransitionError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read cases from")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch let error as CaseTransitionError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write cases to")
        }
    }
}

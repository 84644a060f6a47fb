public import Foundation
import GRDB

/// Runs `body` while another connection (as another process would) holds the write lock of the SQLite database
/// at `path`; the lock is released `seconds` after it was taken, and this returns after that.
public func whileAnotherConnectionHoldsTheWriteLock(
    of path: String, for seconds: TimeInterval, _ body: () async throws -> Void
) async throws {
    let holder = try DatabaseQueue(path: path)
    let (locked, lockedContinuation) = AsyncStream.makeStream(of: Void.self)
    let (done, doneContinuation) = AsyncStream.makeStream(of: Void.self)
    Thread.detachNewThread {
        try? holder.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            lockedContinuation.yield()
            Thread.sleep(forTimeInterval: seconds)
            try db.execute(sql: "COMMIT")
        }
        lockedContinuation.finish()
        doneContinuation.finish()
    }
    for await _ in locked { break }
    do {
        try await body()
    } catch {
        for await _ in done {}
        throw error
    }
    for await _ in done {}
}

public import Foundation
import GRDB
import Synchronization

/// Runs `body` while another connection (as another process would) holds the write lock of the SQLite database
/// at `path`. The lock is released when `body` returns, or after `seconds` at the latest; this returns once it
/// is released. Held for the whole of `body`, so a test does not depend on how soon its task is scheduled.
public func whileAnotherConnectionHoldsTheWriteLock(
    of path: String, for seconds: TimeInterval, _ body: () async throws -> Void
) async throws {
    // The holder waits for a lock someone else holds for a moment (the database under test may be finishing a
    // write of its own), rather than failing to take it and letting `body` run unlocked.
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    let holder = try DatabaseQueue(path: path, configuration: configuration)
    let (locked, lockedContinuation) = AsyncStream.makeStream(of: Bool.self)
    let (done, doneContinuation) = AsyncStream.makeStream(of: Void.self)
    let release = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        do {
            try holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                lockedContinuation.yield(true)
                _ = release.wait(timeout: .now() + seconds)
                try db.execute(sql: "COMMIT")
            }
        } catch {
            lockedContinuation.yield(false)
        }
        lockedContinuation.finish()
        doneContinuation.finish()
    }
    var held = false
    for await taken in locked {
        held = taken
        break
    }
    guard held else {
        for await _ in done {}
        throw WriteLockError(path: path)
    }
    do {
        try await body()
    } catch {
        release.signal()
        for await _ in done {}
        throw error
    }
    release.signal()
    for await _ in done {}
}

/// The test's own connection could not take the write lock.
public struct WriteLockError: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "could not take the write lock of \(path) to hold it" }
}

/// Runs a small Python script that GETs `url` `count` times, one after another, and prints the slowest answer
/// in seconds: timed in a process of its own, so the figure does not include how long this test process took
/// to get to it.
public func slowestOfSequentialGets(_ url: String, count: Int, pause: Double = 0.1) throws -> Double {
    let script = """
        import sys, time, urllib.request
        slowest = 0.0
        for _ in range(\(count)):
            started = time.monotonic()
            urllib.request.urlopen("\(url)", timeout=60).read()
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(\(pause))
        print(slowest)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
        let slowest = Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    else {
        throw SlowestGetError(output: String(decoding: output, as: UTF8.self))
    }
    return slowest
}

public struct SlowestGetError: Error, CustomStringConvertible {
    public var output: String
    public var description: String { "the timing script failed: \(output)" }
}

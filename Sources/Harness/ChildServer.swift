public import Foundation
import Synchronization

/// One of our executables started as a child process serving HTTP on an ephemeral port of 127.0.0.1. Once
/// started it is listening: `start` reads its output until it says `listening on http://127.0.0.1:PORT`.
/// End-to-end tests start `herdwatch serve` with it, and `herdwatch-bench serve` the servers it loads.
public final class ChildServer: Sendable {
    public let process: Process
    public let port: Int
    /// The admin token a first start prints (`API token (admin scope): hw_…`), or "" when it printed none.
    public let adminToken: String
    private let log: OutputLog

    public var pid: Int32 { process.processIdentifier }

    /// What the child wrote so far, standard output and error together (the last 64 KiB).
    public var output: String { log.text }

    /// Starts `executable` with `arguments` (which must make it listen on port 0 of 127.0.0.1), `environment`
    /// added to this process's own, in `directory` (this process's when nil).
    public init(
        executable: URL, arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) throws(ChildServerError) {
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw ChildServerError(command: command, output: "could not be started: \(error)")
        }
        let log = OutputLog()
        let handle = pipe.fileHandleForReading
        var port: Int?
        while port == nil {
            let data = handle.availableData
            if data.isEmpty { break }
            let text = log.append(data)
            if let range = text.range(of: #"listening on http://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                port = Int(text[range].split(separator: ":").last ?? "")
            }
        }
        guard let port else {
            process.terminate()
            process.waitUntilExit()
            throw ChildServerError(command: command, output: log.text)
        }
        // Keep reading, so the child never blocks on a full pipe.
        Thread.detachNewThread {
            while case let data = handle.availableData, !data.isEmpty { log.append(data) }
        }
        self.process = process
        self.port = port
        self.log = log
        adminToken = log.text.split(separator: "\n").first { $0.contains("API token (admin scope):") }
            .map { String($0.split(separator: " ").last ?? "") } ?? ""
    }

    /// Sends SIGTERM (unless it has exited already), waits for the exit and returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        stop(grace: .seconds(30)).status
    }

    /// Sends SIGTERM and waits up to `grace` for the child to exit; then sends SIGKILL. `killed` says whether it
    /// had to: a server that ignores SIGTERM is a bug to report, not a reason to wait forever.
    @discardableResult
    public func stop(grace: Duration) -> (status: Int32, killed: Bool) {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        var killed = false
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed = true
        }
        process.waitUntilExit()
        return (process.terminationStatus, killed)
    }
}

/// A child server that exited or closed its output before it said where it listens.
public struct ChildServerError: Error, Sendable, CustomStringConvertible {
    /// The command line, executable name first.
    public var command: String
    /// What it wrote before it stopped.
    public var output: String

    public var description: String { "`\(command)` did not start listening on 127.0.0.1:\n\(output)" }
}

/// A child's output, the last 64 KiB of it.
private final class OutputLog: Sendable {
    private static let limit = 64 * 1024
    private let buffer = Mutex("")

    var text: String { buffer.withLock { $0 } }

    @discardableResult
    func append(_ data: Data) -> String {
        buffer.withLock { text in
            text += String(decoding: data, as: UTF8.self)
            if text.utf8.count > Self.limit { text = String(text.suffix(Self.limit / 2)) }
            return text
        }
    }
}

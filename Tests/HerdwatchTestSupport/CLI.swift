public import Foundation
import Testing

/// Runs the built `herdwatch` binary (or another of the package's executables), as a user would, from the
/// package's root folder.
public enum CLI {
    /// The package's root folder, where the CLI runs (so `Rules/` and `Fixtures/…` resolve).
    public static var root: URL { Executables.packageRoot }

    /// The `herdwatch` binary of the build folder the tests were built in.
    public static var binary: URL { Executables.url("herdwatch") }

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static func run(_ arguments: [String], stdin: String? = nil, executable: String = "herdwatch") throws -> Output {
        let process = Process()
        process.executableURL = Executables.url(executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Each line of `text` as a JSON object.
    public static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }
}

extension ChildServer {
    /// `herdwatch serve --port 0 ARGUMENTS`, started from the package's root folder.
    public static func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildServer {
        try ChildServer(
            executable: CLI.binary, arguments: ["serve", "--port", "0"] + arguments, environment: environment,
            directory: CLI.root)
    }
}

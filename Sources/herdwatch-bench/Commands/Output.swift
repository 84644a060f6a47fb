import ArgumentParser
import Foundation

/// How a benchmark prints its figures.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// Writes `line` and a newline to standard error (progress, so standard output keeps only the figures).
func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints `herdwatch-bench: MESSAGE` to standard error; the returned exit status 2 is for the caller to throw.
func fail(_ message: String) -> ExitCode {
    printToStandardError("herdwatch-bench: \(message)")
    return ExitCode(2)
}

import ArgumentParser
import Foundation

/// How a benchmark prints its figures.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json

    /// Prints `report` as its text, or as pretty JSON with snake-case keys.
    func print(_ report: some Encodable & TextReport) throws {
        switch self {
        case .text:
            Swift.print(report.text)
        case .json:
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Swift.print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}

/// A report with a printable table.
protocol TextReport {
    var text: String { get }
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

import Foundation
import Intake
import Reputation
import ReviewQueue

/// `--demo`: evaluates a fixture stream at start so a newcomer sees a filled queue at once.
enum DemoReplay {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Returns how many cases were opened.
    static func run(file: String, gate: Gate) async throws -> Int {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "demo: cannot read \(file); run from the repository folder or set demo.file")
        }
        var opened = 0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            guard var envelope = try? Envelope.parse(Array(line)) else { continue }
            envelope.statedSignature = envelope.statedSignature ?? .verified
            let outcome = await gate.check(envelope, source: .demo)
            if case .opened = outcome.reviewCase { opened += 1 }
        }
        return opened
    }
}

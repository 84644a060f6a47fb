import ActivityPub
import Foundation

/// Replayed input read a batch at a time, so a large NDJSON stream is never held whole.
///
/// Input of at most `JSONLimits.default.maxBytes` that parses as one JSON document (pretty-printed JSON) is
/// one item; anything else is read line by line, each line one item, numbered
/// for messages. Lines are parsed by whoever takes the batch (the replay pipeline's workers).
public final class InputBatches {
    /// Entries per batch of a replay (`check`, `backtest`, `bench stream`): prepared on the spare cores while the
    /// previous batch is evaluated, and with a database their reputation is read in one transaction.
    public static let batchSize = 256
    /// Workers preparing a batch: every core but the one evaluating in order.
    public static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }

    public enum Entry: Sendable {
        /// A whole document, already parsed and read.
        case item(InputReader.Item)
        /// One NDJSON line, to parse.
        case line(source: String, bytes: [UInt8])

        /// The item, parsing the line if it is one; a line that is not JSON gives a failed item.
        public func parsed() -> InputReader.Item {
            switch self {
            case .item(let item):
                return item
            case .line(let source, let bytes):
                do {
                    return InputReader.item(try JSONValue.parse(bytes), source: source, body: bytes)
                } catch {
                    return InputReader.Item(
                        source: source, id: nil,
                        payload: .failure(
                            ActivityPubError(
                                code: .invalidJSON, path: error.path, message: "not valid JSON: \(error.description)",
                                jsonError: error)))
                }
            }
        }

        /// The order-independent work of a replay for this entry, done on a worker: parse it, then `ready` for the
        /// rest (normalising and preparing it for an assessor).
        public func prepared<Ready: Sendable>(_ ready: (Envelope) -> Ready) -> PreparedEntry<Ready> {
            let item = parsed()
            return PreparedEntry(source: item.source, id: item.id, payload: item.payload.map(ready))
        }
    }

    private let handle: FileHandle
    private let source: String
    private let closesHandle: Bool
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    private var lineNumber = 0
    private var started = false
    private var producedAny = false
    /// Bytes read from the input so far, and the input's size when it is a regular file (for progress).
    public private(set) var bytesRead = 0
    public let size: Int?

    /// Opens `file`, or standard input for `-`.
    public init(file: String) throws(IntakeError) {
        if file == "-" {
            handle = FileHandle.standardInput
            source = "stdin"
            closesHandle = false
            size = nil
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else {
                throw IntakeError("cannot read \(file): no such file or not readable")
            }
            handle = opened
            source = file
            closesHandle = true
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            size = attributes?[.type] as? FileAttributeType == .typeRegular ? (attributes?[.size] as? Int) : nil
        }
    }

    deinit {
        if closesHandle { try? handle.close() }
    }

    /// Up to `count` entries, or nil at the end.
    public func next(_ count: Int) -> [Entry]? {
        if !started {
            started = true
            if let whole = readWholeDocument() {
                producedAny = true
                exhausted = true
                position = buffer.count
                return [whole]
            }
        }
        var entries: [Entry] = []
        while entries.count < count, let line = nextLine() {
            entries.append(.line(source: "\(source):\(lineNumber)", bytes: line))
        }
        if entries.isEmpty, !producedAny {
            producedAny = true
            return [
                .item(
                    InputReader.Item(
                        source: source, id: nil,
                        payload: .failure(ActivityPubError(code: .notAnObject, path: "$", message: "the input is empty"))))
            ]
        }
        producedAny = producedAny || !entries.isEmpty
        return entries.isEmpty ? nil : entries
    }

    /// Reads up to the JSON size limit; when the whole input fits and parses as one document, that document.
    private func readWholeDocument() -> Entry? {
        let limit = JSONLimits.default.maxBytes
        while buffer.count <= limit, !exhausted { fill() }
        guard exhausted, let value = try? JSONValue.parse(buffer) else { return nil }
        return .item(InputReader.item(value, source: source, body: buffer))
    }

    /// The next line that is not blank, without its newline; nil at the end.
    private func nextLine() -> [UInt8]? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[position..<newline])
                position = newline + 1
                lineNumber += 1
                if !Self.isBlank(line) { return line }
                continue
            }
            if exhausted {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                lineNumber += 1
                return Self.isBlank(line) ? nil : line
            }
            buffer.removeSubrange(..<position)
            position = 0
            fill()
        }
    }

    private func fill() {
        let chunk = handle.readData(ofLength: 1 << 20)
        bytesRead += chunk.count
        if chunk.isEmpty { exhausted = true } else { buffer += chunk }
    }

    private static func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

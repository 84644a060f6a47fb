import ActivityPub
import HTTPTypes
import Hummingbird
import NIOCore

/// Tells inbox deliveries from other POSTs wherever they are sent, so the firewall can fail closed.
enum DeliverySniffer {
    /// Whether the request carries an HTTP signature (draft-cavage or RFC 9421): servers sign deliveries, and
    /// client APIs authenticate otherwise.
    static func isSigned(_ headers: HTTPFields) -> Bool {
        headers[signature] != nil || headers[signatureInput] != nil
    }

    private static let signature = HTTPField.Name("Signature")!
    private static let signatureInput = HTTPField.Name("Signature-Input")!

    /// Whether `bytes` is an ActivityPub activity as a server would take it: a JSON object with a string `type`
    /// and an `actor`. Linear in the body, which is at most `proxy.maxBodyBytes` long.
    static func isActivity(_ bytes: ByteBuffer) -> Bool {
        var start = bytes.readerIndex
        let end = bytes.writerIndex
        // Only JSON objects can be activities: anything else (forms, multipart, media) is not parsed at all.
        if bytes.getBytes(at: start, length: 3) == [0xEF, 0xBB, 0xBF] { start += 3 }
        while start < end, let byte = bytes.getInteger(at: start, as: UInt8.self), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            start += 1
        }
        guard start < end, bytes.getInteger(at: start, as: UInt8.self) == UInt8(ascii: "{") else { return false }
        guard let value = try? JSONValue.parse(Array(buffer: bytes)), case .object(let members) = value else { return false }
        let typed =
            switch members["type"] {
            case .string?: true
            case .array(let types)?: types.first?.stringValue != nil
            default: false
            }
        return typed && members["actor"] != nil
    }

    /// The start of a request body: all of it when `complete`, else the first `limit` bytes or more, with the
    /// rest still to be read through `body`.
    struct Prefix: Sendable {
        var bytes: ByteBuffer
        var complete: Bool
        /// The whole body: what was read, then the rest.
        var body: ResumedBody
    }

    /// Reads `body` until it ends or more than `limit` bytes have come.
    static func read(_ body: RequestBody, upTo limit: Int) async throws -> Prefix {
        let iterator = ResumedBody.Iterator(body.makeAsyncIterator())
        var bytes = ByteBuffer()
        var complete = false
        while bytes.readableBytes <= limit {
            guard var chunk = try await iterator.next() else {
                complete = true
                break
            }
            bytes.writeBuffer(&chunk)
        }
        return Prefix(bytes: bytes, complete: complete, body: ResumedBody(prefix: bytes, rest: complete ? nil : iterator))
    }
}

/// A request body of which the start was already read: that start, then the rest of the original body. It
/// can be iterated once, as a request body can.
struct ResumedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let prefix: ByteBuffer
    let rest: Iterator?

    /// The original body's iterator, handed from the sniffer to the one consumer that forwards the body.
    // @unchecked: a request body has one reader at a time; the sniffer stops reading before it hands the
    // iterator on, and the upstream client then reads it from one task.
    final class Iterator: @unchecked Sendable {
        private var base: RequestBody.AsyncIterator

        init(_ base: RequestBody.AsyncIterator) { self.base = base }

        func next() async throws -> ByteBuffer? { try await base.next() }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var prefix: ByteBuffer?
        let rest: Iterator?

        mutating func next() async throws -> ByteBuffer? {
            if let first = prefix {
                prefix = nil
                if first.readableBytes > 0 { return first }
            }
            return try await rest?.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(prefix: prefix, rest: rest) }
}

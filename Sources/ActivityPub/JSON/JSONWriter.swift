/// Writes JSON straight into bytes. The hook and `herdwatch check --format json` write thousands of verdicts a
/// second, and Foundation's `JSONEncoder` (with snake_case keys) cost more than evaluating them; written with
/// keys in sorted order, this writer produces the same bytes as `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes`.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func array<Element>(_ elements: [Element], _ body: (inout JSONWriter, Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for element in elements { body(&self, element) }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes a parsed document back out: objects with their members in document order (duplicates too),
    /// numbers as `value(_: Double)` writes them.
    public mutating func value(_ json: JSONValue) {
        switch json {
        case .null: value(nil as String?)
        case .bool(let flag): value(flag)
        case .number(let number): value(number)
        case .string(let text): value(text)
        case .array(let elements): array(elements) { json, element in json.value(element) }
        case .object(let object):
            self.object { json in
                for (name, member) in object {
                    json.key(name)
                    json.value(member)
                }
            }
        }
    }

    /// Starts a member; the next value written is its value.
    public mutating func key(_ name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func value(_ text: String?) {
        separate()
        if let text { string(text) } else { bytes += Array("null".utf8) }
        needsComma = true
    }

    public mutating func value(_ number: Double) {
        separate()
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
            bytes += Array(String(Int64(number)).utf8)
        } else if number.isFinite {
            bytes += Array(String(number).utf8)
        } else {
            bytes += Array("null".utf8)
        }
        needsComma = true
    }

    public mutating func value(_ number: Int) {
        separate()
        bytes += Array(String(number).utf8)
        needsComma = true
    }

    public mutating func value(_ flag: Bool) {
        separate()
        bytes += Array((flag ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func member(_ name: String, _ text: String?) {
        key(name)
        value(text)
    }

    public mutating func member(_ name: String, _ number: Double) {
        key(name)
        value(number)
    }

    public mutating func member(_ name: String, _ number: Int) {
        key(name)
        value(number)
    }

    public mutating func member(_ name: String, _ flag: Bool) {
        key(name)
        value(flag)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

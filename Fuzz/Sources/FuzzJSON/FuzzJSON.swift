import ActivityPub
import FuzzSupport

/// `JSONValue.parse` on arbitrary bytes. What parses must survive a round trip: written back out (by the
/// writer below, not the parser's code) and parsed again, it gives the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = FuzzInput.bytes(start, count)
    guard let value = try? JSONValue.parse(bytes) else { return 0 }
    var written: [UInt8] = []
    guard write(value, to: &written) else { return 0 }
    let again: JSONValue
    do {
        again = try JSONValue.parse(written, limits: JSONLimits(maxDepth: 32, maxBytes: 1 << 26))
    } catch {
        fatalError("FuzzJSON: a parsed document, written back, does not parse: \(error)")
    }
    precondition(again == value, "FuzzJSON: a parsed document, written back and parsed again, changed")
    return 0
}

/// Writes `value` as JSON; false when it holds a number JSON cannot spell (an overflow read as infinity).
private func write(_ value: JSONValue, to out: inout [UInt8]) -> Bool {
    switch value {
    case .null: out += Array("null".utf8)
    case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
    case .number(let number):
        guard number.isFinite else { return false }
        out += Array("\(number)".utf8)
    case .string(let text): writeString(text, to: &out)
    case .array(let elements):
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard write(element, to: &out) else { return false }
        }
        out.append(UInt8(ascii: "]"))
    case .object(let object):
        out.append(UInt8(ascii: "{"))
        for (index, member) in object.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            guard write(member.value, to: &out) else { return false }
        }
        out.append(UInt8(ascii: "}"))
    }
    return true
}

private func writeString(_ text: String, to out: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            out += [UInt8(ascii: "\\"), byte]
        case 0..<0x20:
            out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        default:
            out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzJSON_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}

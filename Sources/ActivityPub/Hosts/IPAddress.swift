/// IPv4 and IPv6 hosts, parsed and written as the WHATWG URL Standard does, so that every spelling of an address
/// compares equal: `0x7f.1`, `0177.0.0.1` and `2130706433` are all `127.0.0.1`; `[0:0::FFFF:7F00:1]` is
/// `[::ffff:7f00:1]`.
enum IPAddress {
    /// Whether a normalised ASCII domain (no trailing dot) is to be read as an IPv4 address: its last label is a
    /// number. Only digits, or `0x` and hexadecimal digits, parse as one; read without splitting, since every
    /// link's host goes through here.
    static func endsInNumber(_ host: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = host.count
        while start > 0, host[start - 1] != UInt8(ascii: ".") { start -= 1 }
        let last = host[start...]
        guard let first = last.first else { return false }
        if last.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
        return first == UInt8(ascii: "0") && last.count >= 2 && last[start + 1] | 0x20 == UInt8(ascii: "x")
            && last.dropFirst(2).allSatisfy { digitValue($0) != nil }
    }

    /// The dotted-decimal form of an IPv4 host in any of the forms the standard accepts; nil when it is not one.
    static func ipv4(_ host: UnsafeBufferPointer<UInt8>) -> String? {
        var parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true, parts.count > 1 { parts.removeLast() }
        guard parts.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            numbers.append(value)
        }
        guard let last = numbers.last, numbers.dropLast().allSatisfy({ $0 <= 255 }),
            last < UInt64(1) << (8 * (5 - numbers.count))
        else { return nil }
        var address = last
        for (position, value) in numbers.dropLast().enumerated() { address += value << (8 * (3 - position)) }
        return "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    /// Whether `host` (a normalised host) is an IPv4 address.
    static func isDottedDecimal(_ host: String) -> Bool {
        !host.isEmpty && host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
    }

    /// One IPv4 part: decimal, octal with a leading `0`, or hexadecimal after `0x`. Values past 2^32 are kept
    /// at 2^33, which every range check refuses, so that no part of any length can overflow.
    private static func number(_ part: ArraySlice<UInt8>) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix: UInt64 = 10
        if part.count >= 2, part.first == UInt8(ascii: "0"), part[part.startIndex + 1] | 0x20 == UInt8(ascii: "x") {
            radix = 16
            digits = part.dropFirst(2)
        } else if part.count >= 2, part.first == UInt8(ascii: "0") {
            radix = 8
            digits = part.dropFirst()
        }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = digitValue(byte), digit < radix else { return nil }
            value = min(value * radix + digit, 1 << 33)
        }
        return value
    }

    private static func number(_ part: Slice<UnsafeBufferPointer<UInt8>>) -> UInt64? {
        number(ArraySlice(part))
    }

    /// The bracketed, shortest form of the IPv6 address between `[` and `]`; nil when it is not one.
    static func ipv6(_ input: UnsafeBufferPointer<UInt8>) -> String? {
        var address = [UInt16](repeating: 0, count: 8)
        var pieceIndex = 0
        var compress: Int?
        var pointer = 0
        func byte(at position: Int) -> UInt8? { position < input.count ? input[position] : nil }

        if byte(at: 0) == UInt8(ascii: ":") {
            guard byte(at: 1) == UInt8(ascii: ":") else { return nil }
            pointer = 2
            pieceIndex = 1
            compress = 1
        }
        while let current = byte(at: pointer) {
            guard pieceIndex < 8 else { return nil }
            if current == UInt8(ascii: ":") {
                guard compress == nil else { return nil }
                pointer += 1
                pieceIndex += 1
                compress = pieceIndex
                continue
            }
            var value: UInt16 = 0
            var length = 0
            while length < 4, let next = byte(at: pointer), let digit = digitValue(next), digit < 16 {
                value = value << 4 | UInt16(digit)
                pointer += 1
                length += 1
            }
            if byte(at: pointer) == UInt8(ascii: ".") {
                guard length > 0, pieceIndex <= 6 else { return nil }
                pointer -= length
                var numbersSeen = 0
                while byte(at: pointer) != nil {
                    if numbersSeen > 0 {
                        guard byte(at: pointer) == UInt8(ascii: "."), numbersSeen < 4 else { return nil }
                        pointer += 1
                    }
                    guard let first = byte(at: pointer), first >= 0x30, first <= 0x39 else { return nil }
                    var piece: UInt16?
                    while let next = byte(at: pointer), next >= 0x30, next <= 0x39 {
                        let digit = UInt16(next - 0x30)
                        if let current = piece {
                            guard current != 0 else { return nil }
                            piece = current * 10 + digit
                        } else {
                            piece = digit
                        }
                        guard piece! <= 255 else { return nil }
                        pointer += 1
                    }
                    address[pieceIndex] = address[pieceIndex] << 8 | piece!
                    numbersSeen += 1
                    if numbersSeen == 2 || numbersSeen == 4 { pieceIndex += 1 }
                }
                guard numbersSeen == 4 else { return nil }
                break
            } else if byte(at: pointer) == UInt8(ascii: ":") {
                pointer += 1
                guard byte(at: pointer) != nil else { return nil }
            } else if byte(at: pointer) != nil {
                return nil
            }
            address[pieceIndex] = value
            pieceIndex += 1
        }
        if let compress {
            var swaps = pieceIndex - compress
            pieceIndex = 7
            while pieceIndex != 0, swaps > 0 {
                address.swapAt(pieceIndex, compress + swaps - 1)
                pieceIndex -= 1
                swaps -= 1
            }
        } else if pieceIndex != 8 {
            return nil
        }
        return serialize(address)
    }

    /// The first longest run of two or more zero pieces becomes `::`.
    private static func serialize(_ address: [UInt16]) -> String {
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for index in 0...8 {
            if index < 8, address[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart
                }
                runStart = -1
            }
        }
        var output = "["
        var index = 0
        while index < 8 {
            if index == bestStart {
                output += index == 0 ? "::" : ":"
                index += bestLength
                continue
            }
            output += String(address[index], radix: 16)
            if index < 7 { output += ":" }
            index += 1
        }
        return output + "]"
    }

    private static func digitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

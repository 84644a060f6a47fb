/// Text a remote sender chose, made safe to print on an operator's terminal.
///
/// Ids, excerpts and evidence come from activities: an escape sequence in them could retitle the window, hide
/// lines or rewrite what was printed, and bidirectional controls can make a line read other than it is. Every
/// control character (C0, DEL, C1), line and paragraph separator and bidirectional formatting character is
/// shown as `\u{XX}` instead; everything else is printed as it is.
enum TerminalText {
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
            true
        default:
            false
        }
    }
}

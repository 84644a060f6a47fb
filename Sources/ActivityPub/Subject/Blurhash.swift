/// Reading the `blurhash` servers attach to media, so that one image posted from many accounts can be recognised.
///
/// Each server computes the blurhash from the image itself, so copies of one picture uploaded to different servers
/// by the same software carry the same string; the February 2024 wave's image variant was matched this way.
public enum Blurhash {
    /// The value of each base-83 digit a blurhash is written in, by ASCII byte; -1 for other bytes.
    private static let digitValues: [Int] = {
        var table = [Int](repeating: -1, count: 128)
        let alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
        for (value, byte) in alphabet.utf8.enumerated() { table[Int(byte)] = value }
        return table
    }()

    /// The blurhash as a comparison key: trimmed of surrounding whitespace, kept case-sensitive (the digits are
    /// base 83: `a` and `A` differ). Nil when it is not a well-formed blurhash (its length must be the one its
    /// first digit announces), or when it has a single component: that is only the mean colour, which unrelated
    /// images share.
    public static func normalized(_ raw: String) -> String? {
        guard raw.utf8.count <= 512 else { return nil }
        let trimmed = raw.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(trimmed.reversed().drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }.reversed())
        guard bytes.count >= 6, bytes.count <= 4 + 2 * 81, bytes.allSatisfy({ $0 < 128 && digitValues[Int($0)] >= 0 })
        else {
            return nil
        }
        let sizeFlag = digitValues[Int(bytes[0])]
        let componentsX = sizeFlag % 9 + 1
        let componentsY = sizeFlag / 9 + 1
        guard componentsX * componentsY > 1, bytes.count == 4 + 2 * componentsX * componentsY else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

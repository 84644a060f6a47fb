/// Decoding of the valid UTF-8 that `String` guarantees, one scalar at a time (no validation: the bytes must
/// come from a `String`).
public enum UTF8Scalar {
    /// The scalar starting at `index` and its length in bytes.
    @inlinable @inline(__always)
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | continuation(bytes, index + 1), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | continuation(bytes, index + 1) << 6 | continuation(bytes, index + 2), 3)
        }
        let value =
            (lead & 0x07) << 18 | continuation(bytes, index + 1) << 12 | continuation(bytes, index + 2) << 6
            | continuation(bytes, index + 3)
        return (value, 4)
    }

    @inlinable @inline(__always)
    static func continuation(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
        UInt32(bytes[index] & 0x3F)
    }
}

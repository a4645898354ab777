/// Unsigned LEB128, the multiformats varint that prefixes each CAR section with its length.
enum Varint {
    /// No `UInt64` needs more than ten 7-bit groups.
    static let maximumLength = 10

    /// Appends `value` in the fewest bytes.
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The varint at the front of `bytes` and how many bytes it took, or `nil` when `bytes` end
    /// inside it (more may arrive). Refuses one longer than ten bytes, one that overflows a
    /// `UInt64`, and one not written in the fewest bytes (so every length has one spelling).
    static func decode(_ bytes: ArraySlice<UInt8>) throws(CARError) -> (value: UInt64, byteCount: Int)? {
        var value: UInt64 = 0
        var count = 0
        for byte in bytes {
            let shift = UInt64(count) * 7
            count += 1
            if count == maximumLength && byte > 1 { throw .lengthPrefixTooLong }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && count > 1 { throw .lengthPrefixNotMinimal }
                return (value, count)
            }
            if count == maximumLength { throw .lengthPrefixTooLong }
        }
        return nil
    }
}

/// RFC 4648 base32 in lower case without padding: the alphabet of API token ids and of CIDv1
/// strings (multibase prefix `b`).
public enum Base32 {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// Encodes bytes as unpadded lower-case base32.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[(buffer >> bits) & 0x1F])
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 {
            output.append(alphabet[(buffer << (5 - bits)) & 0x1F])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base32 (either case), or returns `nil` on a character outside the
    /// alphabet or on trailing bits that are not zero (a non-canonical encoding).
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in string.lowercased().utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> bits) & 0xFF))
                buffer &= (1 << bits) - 1
            }
        }
        guard bits < 5, buffer == 0 else { return nil }
        return output
    }
}

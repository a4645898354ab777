/// RFC 4648 §5 base64url without padding, the encoding of every segment of a compact JWS.
///
/// Decoding is strict so that one value has exactly one encoding: `=`, `+`, `/`, whitespace,
/// a length of 1 modulo 4 and non-zero trailing bits are all refused. Without that, a token's
/// signature could be re-spelt into a different string, and so a different token id, that
/// still verifies.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() {
            table[Int(character)] = Int8(index)
        }
        return table
    }()

    /// Encodes bytes as unpadded base64url.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                output.append(alphabet[(buffer >> bits) & 0x3F])
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 {
            output.append(alphabet[(buffer << (6 - bits)) & 0x3F])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url, or returns `nil` on a character outside the alphabet
    /// (padding included), an impossible length, or trailing bits that are not zero.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count * 3 / 4)
        var buffer = 0
        var bits = 0
        for character in string.utf8 {
            let value = decodeTable[Int(character)]
            guard value >= 0 else { return nil }
            buffer = (buffer << 6) | Int(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> bits) & 0xFF))
                buffer &= (1 << bits) - 1
            }
        }
        // Six leftover bits (a length of 1 modulo 4) cannot end an encoding; fewer must be zero.
        guard bits < 6, buffer == 0 else { return nil }
        return output
    }
}

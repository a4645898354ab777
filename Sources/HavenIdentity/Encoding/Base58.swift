/// Base58 with the Bitcoin alphabet, the encoding `did:key` uses (multibase prefix `z`).
///
/// Leading zero bytes map to leading `1`s, so the encoding is a bijection on byte strings.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, character) in alphabet.enumerated() {
            table[Int(character)] = Int8(index)
        }
        return table
    }()

    /// Encodes bytes as a Base58 string.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let zeros = bytes.prefix(while: { $0 == 0 }).count
        // Base-256 to base-58 conversion over a little-endian digit buffer.
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count * 138 / 100 + 1)
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        var result = [UInt8](repeating: alphabet[0], count: zeros)
        result.append(contentsOf: digits.reversed().map { alphabet[Int($0)] })
        return String(decoding: result, as: UTF8.self)
    }

    /// Decodes a Base58 string, or returns `nil` if it holds a character outside the alphabet.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        let characters = Array(string.utf8)
        let ones = characters.prefix(while: { $0 == alphabet[0] }).count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * 733 / 1000 + 1)
        for character in characters.dropFirst(ones) {
            guard character < 128, case let value = decodeTable[Int(character)], value >= 0 else {
                return nil
            }
            var carry = Int(value)
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
    }
}

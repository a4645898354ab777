import Crypto

/// The 32-bit key ID that, with the key name, picks the key a signature line claims:
/// the first four bytes of SHA-256(name || "\n" || signature type || public key), big-endian.
/// Written as eight lowercase hex digits in keys and in messages.
public struct NoteKeyID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The key ID of a key, computed as c2sp.org/signed-note recommends (and tlog-cosignature requires).
    public init(name: String, type: NoteSignatureType, publicKey: some Collection<UInt8>) {
        var hash = SHA256()
        hash.update(data: Array(name.utf8) + [NoteSyntax.newline, type.rawValue] + Array(publicKey))
        let digest = Array(hash.finalize())
        self.init(bytes: digest.prefix(4))
    }

    /// Reads four big-endian bytes (the caller guarantees there are four).
    init(bytes: some Collection<UInt8>) {
        self.rawValue = bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Eight lowercase hex digits, exactly; nil for anything else (upper case included).
    init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 8 else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            let nibble: UInt8
            switch digit {
            case 0x30...0x39: nibble = digit - 0x30
            case 0x61...0x66: nibble = digit - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(nibble)
        }
        self.rawValue = value
    }

    /// The four big-endian bytes that start a signature.
    public var bytes: [UInt8] {
        [
            UInt8(rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
            UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue),
        ]
    }

    /// Eight lowercase hex digits, as in verifier keys.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

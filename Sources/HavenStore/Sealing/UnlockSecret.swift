/// What unlocks an encrypted home: the owner's passphrase, or the contents of a key file.
///
/// The bytes are used as given (a reader strips one trailing line break before making one);
/// they never appear in a description.
public enum UnlockSecret: Sendable {
    case passphrase([UInt8])
    case keyFile([UInt8])

    /// Which kind of secret a keyring is unlocked with.
    public enum Kind: String, Sendable, Codable {
        case passphrase
        case keyFile = "key-file"
    }

    public var kind: Kind {
        switch self {
        case .passphrase: .passphrase
        case .keyFile: .keyFile
        }
    }

    /// A passphrase shorter than this is refused when a home is encrypted.
    public static let minimumPassphraseLength = 8
    /// A key file shorter than this (32 random bytes) is refused.
    public static let minimumKeyFileLength = 32
    /// Longer secrets are refused: nobody types more, and a key file is not a data file.
    public static let maximumLength = 4096

    /// A passphrase from text: the bytes of its UTF-8, as typed.
    public static func passphrase(_ text: String) -> UnlockSecret {
        .passphrase(Array(text.utf8))
    }

    /// Why this secret is too weak or too long to encrypt a home with, or `nil` when it is fine.
    public var problem: String? {
        switch self {
        case .passphrase(let bytes):
            if bytes.count > Self.maximumLength { return "the passphrase is longer than \(Self.maximumLength) bytes" }
            if String(decoding: bytes, as: UTF8.self).count < Self.minimumPassphraseLength {
                return "the passphrase must have at least \(Self.minimumPassphraseLength) characters"
            }
        case .keyFile(let bytes):
            if bytes.count > Self.maximumLength { return "the key file is longer than \(Self.maximumLength) bytes" }
            if bytes.count < Self.minimumKeyFileLength {
                return "the key file must hold at least \(Self.minimumKeyFileLength) random bytes, not \(bytes.count)"
            }
        }
        return nil
    }

    /// Strips one trailing line break (`\n` or `\r\n`), as a line read from a file or a pipe ends.
    public static func trimmingLineBreak(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\n") {
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        }
        return bytes
    }
}

extension UnlockSecret: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "UnlockSecret(\(kind.rawValue), redacted)" }
    public var debugDescription: String { description }
}

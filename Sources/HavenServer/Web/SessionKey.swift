import Crypto
import HavenIdentity

/// The secret a browser holds for a web session, as its cookie: `hvs_<id>_<secret>`.
///
/// Like an API token, only the SHA-256 of the secret is stored, and a presented secret is
/// compared with it in constant time. The id is public: sessions are listed and revoked by it.
public struct SessionKey: Sendable, Equatable {
    public static let prefix = "hvs_"
    static let idByteCount = 10
    static let secretByteCount = 32

    /// `ses_` and the base32 id: what listings show.
    public let id: String
    let secret: [UInt8]

    /// A new key from the system's secure random generator.
    public static func generate() -> SessionKey {
        var generator = SystemRandomNumberGenerator()
        let id = Base32.encode((0..<idByteCount).map { _ in generator.next() as UInt8 })
        return SessionKey(id: "ses_" + id, secret: (0..<secretByteCount).map { _ in generator.next() as UInt8 })
    }

    init(id: String, secret: [UInt8]) {
        self.id = id
        self.secret = secret
    }

    /// Parses a cookie value, checking its shape only; `nil` for anything else.
    public init?(cookieValue: some StringProtocol) {
        guard cookieValue.hasPrefix(Self.prefix), cookieValue.count < 200 else { return nil }
        let parts = cookieValue.dropFirst(Self.prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let idBytes = Base32.decode(parts[0]), idBytes.count == Self.idByteCount,
            let secret = Base32.decode(parts[1]), secret.count == Self.secretByteCount
        else { return nil }
        self.init(id: "ses_" + String(parts[0]).lowercased(), secret: secret)
    }

    /// The cookie value handed to the browser.
    public var cookieValue: String {
        Self.prefix + id.dropFirst(4) + "_" + Base32.encode(secret)
    }

    /// What the server stores in place of the secret.
    public var secretHash: [UInt8] { Array(SHA256.hash(data: secret)) }

    /// Whether this key's secret is the one whose hash was stored, compared in constant time.
    public func matches(secretHash stored: some Collection<UInt8>) -> Bool {
        ConstantTime.equals(secretHash, stored)
    }
}

/// A one-time code in a login link (`/#login=<code>`), printed by `haven open`.
public struct LoginCode: Sendable, Equatable {
    static let byteCount = 32
    public let text: String

    /// A new code from the system's secure random generator.
    public static func generate() -> LoginCode {
        var generator = SystemRandomNumberGenerator()
        return LoginCode(text: Base32.encode((0..<byteCount).map { _ in generator.next() as UInt8 }))
    }

    /// A presented code, checked for shape only; `nil` for anything else.
    public init?(parsing text: some StringProtocol) {
        guard text.count < 100, let bytes = Base32.decode(text), bytes.count == Self.byteCount else { return nil }
        self.text = String(text).lowercased()
    }

    init(text: String) { self.text = text }

    /// The catalog keeps only this: a code cannot be recovered from the database.
    public var hash: [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }
}

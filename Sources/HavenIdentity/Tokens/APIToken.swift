import Crypto

/// A bearer token for Haven's API: `hvn_<id>_<secret>`.
///
/// The id (10 random bytes, base32) names the token so the server can find its record without
/// comparing secrets; the secret (32 random bytes, base32) is never stored, only its SHA-256,
/// and is checked with ``ConstantTime/equals(_:_:)``. Both parts use `[a-z2-7]`, so the token
/// is one word to a shell, a terminal's double-click and an `Authorization` header.
public struct APIToken: Sendable, Equatable {
    public static let prefix = "hvn_"
    static let idByteCount = 10
    static let secretByteCount = 32

    /// The public identifier of the token, safe to log and list.
    public let id: TokenID
    /// The secret part.
    let secret: [UInt8]

    /// Makes a new token from the system's secure random generator.
    public static func generate() -> APIToken {
        var generator = SystemRandomNumberGenerator()
        return APIToken(
            id: TokenID(rawValue: Base32.encode((0..<idByteCount).map { _ in generator.next() as UInt8 })),
            secret: (0..<secretByteCount).map { _ in generator.next() as UInt8 }
        )
    }

    init(id: TokenID, secret: [UInt8]) {
        self.id = id
        self.secret = secret
    }

    /// Parses the text a client presented, checking its shape only (not whether it is known).
    public init(parsing string: some StringProtocol) throws(IdentityError) {
        guard string.hasPrefix(Self.prefix) else { throw .malformedToken }
        let parts = string.dropFirst(Self.prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let idBytes = Base32.decode(parts[0]), idBytes.count == Self.idByteCount,
            let secret = Base32.decode(parts[1]), secret.count == Self.secretByteCount
        else { throw .malformedToken }
        self.init(id: TokenID(rawValue: String(parts[0]).lowercased()), secret: secret)
    }

    /// The text handed to the holder.
    public var stringValue: String {
        Self.prefix + id.rawValue + "_" + Base32.encode(secret)
    }

    /// What the server stores in place of the secret.
    public var secretHash: [UInt8] {
        Array(SHA256.hash(data: secret))
    }

    /// Whether this token's secret is the one whose hash was stored, compared in constant time.
    public func matches(secretHash stored: some Collection<UInt8>) -> Bool {
        ConstantTime.equals(secretHash, stored)
    }
}

/// The public identifier of an ``APIToken``.
public struct TokenID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

import Foundation
import HavenIdentity
import Hummingbird

/// A browser signed in to Haven: whose it is (the principal of the token or login link it was
/// made from), and when it ends — after `idleTimeout` without a request, at `expiresAt` in any
/// case, when revoked, or when the token it came from is revoked. It is also the body of
/// `GET`/`POST /haven/session`, with `idle_expires_at` added.
public struct WebSession: Codable, Sendable, Equatable, ResponseEncodable {
    public let id: String
    public let principal: Principal
    /// The name of the API token the session was made from (`owner` for a login link).
    public let token: String
    let tokenID: TokenID
    public let createdAt: Date
    public let lastSeenAt: Date
    /// The absolute end of the session.
    public let expiresAt: Date
    /// Seconds without a request after which the session ends.
    public let idleTimeout: Int
    public let revokedAt: Date?
    /// The browser that signed in, as its `User-Agent` said (at most 200 characters).
    public let userAgent: String?

    /// When the session ends if no further request comes.
    public var idleExpiresAt: Date { min(expiresAt, lastSeenAt.addingTimeInterval(TimeInterval(idleTimeout))) }

    /// Whether the session may still be used at `now`.
    public func isActive(at now: Date) -> Bool {
        revokedAt == nil && now < idleExpiresAt
    }

    public init(
        id: String, principal: Principal, token: String, tokenID: TokenID, createdAt: Date, lastSeenAt: Date,
        expiresAt: Date, idleTimeout: Int, revokedAt: Date?, userAgent: String?
    ) {
        self.id = id
        self.principal = principal
        self.token = token
        self.tokenID = tokenID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.idleTimeout = idleTimeout
        self.revokedAt = revokedAt
        self.userAgent = userAgent
    }

    enum CodingKeys: String, CodingKey {
        case id, principal, token
        case tokenID = "token_id"
        case createdAt = "created_at"
        case lastSeenAt = "last_seen_at"
        case expiresAt = "expires_at"
        case idleTimeout = "idle_timeout"
        case revokedAt = "revoked_at"
        case userAgent = "user_agent"
        case idleExpiresAt = "idle_expires_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        principal = try container.decode(Principal.self, forKey: .principal)
        token = try container.decode(String.self, forKey: .token)
        tokenID = try container.decode(TokenID.self, forKey: .tokenID)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        lastSeenAt = try container.decode(Date.self, forKey: .lastSeenAt)
        expiresAt = try container.decode(Date.self, forKey: .expiresAt)
        idleTimeout = try container.decode(Int.self, forKey: .idleTimeout)
        revokedAt = try container.decodeIfPresent(Date.self, forKey: .revokedAt)
        userAgent = try container.decodeIfPresent(String.self, forKey: .userAgent)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(principal, forKey: .principal)
        try container.encode(token, forKey: .token)
        try container.encode(tokenID, forKey: .tokenID)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastSeenAt, forKey: .lastSeenAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(idleTimeout, forKey: .idleTimeout)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(userAgent, forKey: .userAgent)
        // Derived, for clients: when the session ends if left idle.
        try container.encode(idleExpiresAt, forKey: .idleExpiresAt)
    }
}

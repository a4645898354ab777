import Foundation
import HavenAccess
import HavenIdentity
import Hummingbird

/// Body of `POST /haven/shares`: mint a capability token for a holder outside this server.
public struct CreateShareRequest: Codable, Sendable {
    /// A data path or directory prefix.
    public let path: String
    public let to: DID
    public let rights: [Right]
    public let notBefore: Date?
    public let expiresAt: Date?
    /// A licence the token carries: an ODRL policy document (JSON-LD text) in Haven's subset.
    public let policy: String?

    public init(path: String, to: DID, rights: [Right], notBefore: Date?, expiresAt: Date?, policy: String? = nil) {
        self.path = path
        self.to = to
        self.rights = rights
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case path, to, rights, policy
        case notBefore = "not_before"
        case expiresAt = "expires_at"
    }
}

/// Answer to `POST /haven/shares`: the token (shown once) and what it grants.
public struct CreatedShare: Codable, Sendable, ResponseEncodable {
    public let token: String
    public let share: Share
}

/// Body of `GET /haven/shares`.
public struct ShareList: Codable, Sendable, ResponseEncodable {
    public let shares: [Share]
}

/// Answer to `DELETE /haven/shares/{id}`.
public struct RevokedShare: Codable, Sendable, ResponseEncodable {
    public let id: String
    /// Whether the token was minted here (a delegated token may be revoked by id too).
    public let mintedHere: Bool
    public let revokedAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case mintedHere = "minted_here"
        case revokedAt = "revoked_at"
    }
}

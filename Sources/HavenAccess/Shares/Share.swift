import Foundation
import HavenIdentity

/// A capability token the owner minted (`haven share`), as remembered here: its id and what it
/// grants, never the token itself, which only its holder keeps.
public struct Share: Sendable, Equatable, Codable {
    /// The token's id (``CapabilityToken/id(of:)``).
    public let id: String
    public let audience: DID
    public let capabilities: [Capability]
    public let createdAt: Date
    public let notBefore: Date?
    public let expiresAt: Date?
    public let revokedAt: Date?
    /// The licence whose terms every use of the token must meet, if any.
    public let policy: LicencePolicy?

    public init(
        id: String, audience: DID, capabilities: [Capability], createdAt: Date, notBefore: Date?, expiresAt: Date?,
        revokedAt: Date?, policy: LicencePolicy? = nil
    ) {
        self.id = id
        self.audience = audience
        self.capabilities = capabilities
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case id, audience, capabilities, policy
        case createdAt = "created_at"
        case notBefore = "not_before"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }

    /// Absent values are written as `null`, so every key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(audience, forKey: .audience)
        try container.encode(capabilities, forKey: .capabilities)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(notBefore, forKey: .notBefore)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encode(policy.map { String(decoding: $0.canonicalJSON, as: UTF8.self) }, forKey: .policy)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        audience = try container.decode(DID.self, forKey: .audience)
        capabilities = try container.decode([Capability].self, forKey: .capabilities)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        notBefore = try container.decodeIfPresent(Date.self, forKey: .notBefore)
        expiresAt = try container.decodeIfPresent(Date.self, forKey: .expiresAt)
        revokedAt = try container.decodeIfPresent(Date.self, forKey: .revokedAt)
        policy = try container.decodeIfPresent(String.self, forKey: .policy).map { try LicencePolicy(parsing: Array($0.utf8)) }
    }
}

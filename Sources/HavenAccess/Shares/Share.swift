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

    public init(
        id: String, audience: DID, capabilities: [Capability], createdAt: Date, notBefore: Date?, expiresAt: Date?,
        revokedAt: Date?
    ) {
        self.id = id
        self.audience = audience
        self.capabilities = capabilities
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, audience, capabilities
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
    }
}

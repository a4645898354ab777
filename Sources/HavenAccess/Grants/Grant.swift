import Foundation
import HavenIdentity

/// Rights the owner gives a principal on a resource, from an optional not-before until it
/// expires or is revoked.
///
/// A grant may carry a licence (``policy``): then each use of content under it must also be
/// allowed by the licence (see ``AccessPolicy``).
///
/// The resource is a data path prefix (`/photos/`, see ``ResourcePattern``) or a model
/// (`models/` for all, `models/NAME` for one).
public struct Grant: Codable, Sendable, Equatable {
    public let id: String
    public let principal: Principal
    public let rights: [Right]
    public let resource: String
    public let purpose: String?
    public let createdAt: Date
    public let notBefore: Date?
    public let expiresAt: Date?
    public let revokedAt: Date?
    /// The licence whose terms every use under this grant must meet, if any.
    public let policy: LicencePolicy?

    public init(
        id: String, principal: Principal, rights: [Right], resource: String, purpose: String?, createdAt: Date,
        notBefore: Date? = nil, expiresAt: Date?, revokedAt: Date?, policy: LicencePolicy? = nil
    ) {
        self.id = id
        self.principal = principal
        self.rights = rights
        self.resource = resource
        self.purpose = purpose
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case id, principal, rights, resource, purpose, policy
        case createdAt = "created_at"
        case notBefore = "not_before"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }

    /// Absent values are written as `null`, so every key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(principal, forKey: .principal)
        try container.encode(rights, forKey: .rights)
        try container.encode(resource, forKey: .resource)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(notBefore, forKey: .notBefore)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encode(policy.map { String(decoding: $0.canonicalJSON, as: UTF8.self) }, forKey: .policy)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        principal = try container.decode(Principal.self, forKey: .principal)
        rights = try container.decode([Right].self, forKey: .rights)
        resource = try container.decode(String.self, forKey: .resource)
        purpose = try container.decodeIfPresent(String.self, forKey: .purpose)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        notBefore = try container.decodeIfPresent(Date.self, forKey: .notBefore)
        expiresAt = try container.decodeIfPresent(Date.self, forKey: .expiresAt)
        revokedAt = try container.decodeIfPresent(Date.self, forKey: .revokedAt)
        policy = try container.decodeIfPresent(String.self, forKey: .policy).map { try LicencePolicy(parsing: Array($0.utf8)) }
    }

    /// Whether this grant lets `principal` use `right` on `resource` at `now`, leaving its
    /// licence aside (``AccessPolicy`` applies that): a pure decision, made afresh for every
    /// request.
    public func allows(_ principal: Principal, _ right: Right, on resource: String, at now: Date) -> Bool {
        guard revokedAt == nil, self.principal == principal, rights.contains(right) else { return false }
        if let notBefore, now < notBefore { return false }
        if let expiresAt, now >= expiresAt { return false }
        return ResourcePattern.covers(self.resource, resource)
    }
}

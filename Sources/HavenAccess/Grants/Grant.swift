import Foundation
import HavenIdentity

/// Rights the owner gives a principal on a resource, from an optional not-before until it
/// expires or is revoked.
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

    public init(
        id: String, principal: Principal, rights: [Right], resource: String, purpose: String?, createdAt: Date,
        notBefore: Date? = nil, expiresAt: Date?, revokedAt: Date?
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
    }

    enum CodingKeys: String, CodingKey {
        case id, principal, rights, resource, purpose
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
    }

    /// Whether this grant lets `principal` use `right` on `resource` at `now`: a pure decision,
    /// made afresh for every request.
    public func allows(_ principal: Principal, _ right: Right, on resource: String, at now: Date) -> Bool {
        guard revokedAt == nil, self.principal == principal, rights.contains(right) else { return false }
        if let notBefore, now < notBefore { return false }
        if let expiresAt, now >= expiresAt { return false }
        return ResourcePattern.covers(self.resource, resource)
    }
}

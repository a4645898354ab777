import Foundation
import HavenIdentity

/// A right the owner gives a principal on a resource, until it expires or is revoked.
///
/// Today the only right is `infer` on models (`models/` for all, `models/NAME` for one); the
/// data store adds rights on paths with the same record.
public struct Grant: Codable, Sendable, Equatable {
    public let id: String
    public let principal: Principal
    public let rights: [Right]
    /// `models/` or `models/NAME`.
    public let resource: String
    public let purpose: String?
    public let createdAt: Date
    public let expiresAt: Date?
    public let revokedAt: Date?

    /// What a grant may allow.
    public enum Right: String, Codable, Sendable, CaseIterable {
        case infer
    }

    enum CodingKeys: String, CodingKey {
        case id, principal, rights, resource, purpose
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }

    /// Whether this grant lets `principal` use `right` on `resource` at `now`: a pure decision,
    /// made afresh for every request.
    public func allows(_ principal: Principal, _ right: Right, on resource: String, at now: Date) -> Bool {
        guard revokedAt == nil, self.principal == principal, rights.contains(right) else { return false }
        if let expiresAt, now >= expiresAt { return false }
        return resource == self.resource || (self.resource.hasSuffix("/") && resource.hasPrefix(self.resource))
    }
}

import Foundation
import HavenIdentity

/// The decision function: pure, made afresh on every request against the grants as they are
/// now, never a cached yes.
///
/// The owner may do everything. Anyone else needs a grant (for local principals) or a verified
/// capability (for token holders) that names the right, covers the resource
/// (``ResourcePattern``) and is within its validity window at `now`.
public enum AccessPolicy {
    /// Decides `request` against `grants` at `now`.
    public static func decide(_ request: AccessRequest, grants: [Grant], at now: Date) -> AccessDecision {
        if request.principal == .owner { return AccessDecision(allowed: true, basis: nil, cause: .owner) }
        var closest: AccessDecision.Cause?
        for grant in grants where grant.revokedAt == nil && grant.principal == request.principal {
            guard ResourcePattern.covers(grant.resource, request.resource) else { continue }
            guard grant.rights.contains(request.right) else {
                if closest == nil {
                    closest = .missingRight(request, grant: grant.id, resource: grant.resource, holds: grant.rights)
                }
                continue
            }
            if let notBefore = grant.notBefore, now < notBefore {
                closest = .notYetValid(request, grant: grant.id, from: notBefore)
                continue
            }
            if let expiry = grant.expiresAt, now >= expiry {
                closest = .expired(request, grant: grant.id, at: expiry)
                continue
            }
            return AccessDecision(
                allowed: true, basis: grant.id, cause: .grant(id: grant.id, right: request.right, resource: grant.resource))
        }
        return AccessDecision(allowed: false, basis: nil, cause: closest ?? .noGrant(request))
    }

    /// Decides `request` for the holder of a verified capability token: allowed when one of the
    /// token's capabilities names the right and covers the resource. The chain's signatures,
    /// validity windows and revocations were checked when the token was verified.
    public static func decide(_ request: AccessRequest, capability token: VerifiedCapability) -> AccessDecision {
        for capability in token.capabilities
        where capability.right == request.right && ResourcePattern.covers(capability.resource, request.resource) {
            return AccessDecision(
                allowed: true, basis: token.id,
                cause: .capability(id: token.id, right: request.right, resource: capability.resource))
        }
        return AccessDecision(allowed: false, basis: nil, cause: .capabilityLacks(request, token: token.id))
    }
}

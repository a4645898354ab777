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
        if request.principal == .owner { return .allow("the owner may do everything", basis: nil) }
        var closest: String?
        for grant in grants where grant.principal == request.principal && grant.revokedAt == nil {
            guard ResourcePattern.covers(grant.resource, request.resource) else { continue }
            guard grant.rights.contains(request.right) else {
                closest = closest ?? "grant \(grant.id) on \(grant.resource) gives "
                    + grant.rights.map(\.rawValue).joined(separator: ",") + ", not \(request.right.rawValue)"
                continue
            }
            if let notBefore = grant.notBefore, now < notBefore {
                closest = "grant \(grant.id) is not valid before \(notBefore.formatted(.iso8601))"
                continue
            }
            if let expiry = grant.expiresAt, now >= expiry {
                closest = "grant \(grant.id) expired at \(expiry.formatted(.iso8601))"
                continue
            }
            return .allow("grant \(grant.id) gives \(request.right.rawValue) on \(grant.resource)", basis: grant.id)
        }
        return .deny(
            closest.map { "\(request.principal) may not \(request.right.rawValue) \(request.resource): \($0)" }
                ?? "\(request.principal) holds no grant with \(request.right.rawValue) on \(request.resource)")
    }

    /// Decides `request` for the holder of a verified capability token: allowed when one of the
    /// token's capabilities names the right and covers the resource. The chain's signatures,
    /// validity windows and revocations were checked when the token was verified.
    public static func decide(_ request: AccessRequest, capability token: VerifiedCapability) -> AccessDecision {
        for capability in token.capabilities
        where capability.right == request.right && ResourcePattern.covers(capability.resource, request.resource) {
            return .allow(
                "capability token \(token.id) gives \(request.right.rawValue) on \(capability.resource)", basis: token.id)
        }
        return .deny(
            "capability token \(token.id) does not give \(request.right.rawValue) on \(request.resource)")
    }
}

import Foundation
import HavenIdentity

/// The decision function: pure, made afresh on every request against the grants as they are
/// now, never a cached yes.
///
/// The owner may do everything. Anyone else needs a grant (for local principals) or a verified
/// capability (for token holders) that names the right, covers the resource
/// (``ResourcePattern``) and is within its validity window at `now`. A grant or token that
/// carries a licence (``LicencePolicy``) also needs the licence to allow the request's use of
/// the content (``AccessRequest/use``): its action, purpose, time, recipient and the uses
/// counted so far (`uses`, by the grant's or token's id). A request that states no use is
/// refused by such a grant: a licence allows only what it names.
public enum AccessPolicy {
    /// The uses counted so far under one grant or token id; empty when none were.
    public typealias Uses = (_ basis: String) -> [LicenceRuleKey: Int]

    /// Decides `request` against `grants` at `now`.
    public static func decide(
        _ request: AccessRequest, grants: [Grant], at now: Date, uses: Uses = { _ in [:] }
    ) -> AccessDecision {
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
            guard let policy = grant.policy else {
                return AccessDecision(
                    allowed: true, basis: grant.id, cause: .grant(id: grant.id, right: request.right, resource: grant.resource))
            }
            let licensed = decide(request, under: [(grant.id, policy)], kind: .grant, at: now, uses: uses)
            if licensed.allowed { return licensed }
            closest = licensed.cause
        }
        return AccessDecision(allowed: false, basis: nil, cause: closest ?? .noGrant(request))
    }

    /// Decides `request` for the holder of a verified capability token: allowed when one of the
    /// token's capabilities names the right and covers the resource, and the licence of every
    /// token in its chain that carries one (`policies`, by token id) allows the use. The
    /// chain's signatures, validity windows and revocations were checked when the token was
    /// verified.
    public static func decide(
        _ request: AccessRequest, capability token: VerifiedCapability, policies: [String: LicencePolicy] = [:],
        at now: Date = Date(), uses: Uses = { _ in [:] }
    ) -> AccessDecision {
        let covering = token.capabilities.first {
            $0.right == request.right && ResourcePattern.covers($0.resource, request.resource)
        }
        guard let capability = covering else {
            return AccessDecision(allowed: false, basis: nil, cause: .capabilityLacks(request, token: token.id))
        }
        let licences = token.chain.compactMap { id in policies[id].map { (id, $0) } }
        guard licences.isEmpty else {
            return decide(request, under: licences, kind: .capability, at: now, uses: uses)
        }
        return AccessDecision(
            allowed: true, basis: token.id, cause: .capability(id: token.id, right: request.right, resource: capability.resource))
    }

    /// Every licence must allow the use; the first that refuses decides. An allowed decision
    /// names the first licence's rule and carries the counted uses of all.
    private static func decide(
        _ request: AccessRequest, under licences: [(basis: String, policy: LicencePolicy)], kind: AccessDecision.BasisKind,
        at now: Date, uses: Uses
    ) -> AccessDecision {
        var counted: [CountedUse] = []
        var allowedBy: AccessDecision.Cause?
        for (basis, policy) in licences {
            guard let use = request.use else {
                return AccessDecision(
                    allowed: false, basis: nil, cause: .licenceNeedsUse(request, basis: basis, kind: kind, licence: policy.uid))
            }
            let decision = policy.evaluate(
                LicenceRequest(
                    assignee: LicenceParty(principal: request.principal), action: use.action, target: use.target,
                    purpose: use.purpose, time: PolicyTime(now), recipient: use.recipient,
                    usesSoFar: use.counted ? uses(basis) : [:]))
            guard decision.isAllowed else {
                return AccessDecision(
                    allowed: false, basis: nil,
                    cause: .licenceRefused(request, basis: basis, kind: kind, licence: policy.uid, rule: decision.reason))
            }
            if use.counted, let key = decision.countUse { counted.append(CountedUse(basis: basis, key: key)) }
            if allowedBy == nil {
                allowedBy = .licensed(basis: basis, kind: kind, licence: policy.uid, rule: decision.reason)
            }
        }
        return AccessDecision(
            allowed: true, basis: licences[0].basis, cause: allowedBy ?? .stated("allowed by its licences"), countedUses: counted)
    }
}

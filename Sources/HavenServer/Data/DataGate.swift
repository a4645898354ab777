import Foundation
import HavenAccess
import HavenIdentity
import HavenStore

/// Where every request on `/data` is decided and audited: the caller, the right the operation
/// needs, and the path go through the pure decision function against the grants (or the
/// verified capability) as they are at this moment, and the decision, allowed or denied, is
/// appended to the audit log before anything is read or written.
struct DataGate: Sendable {
    let catalog: Catalog
    let audit: AuditLog

    /// Decides without recording; ``record(_:_:)`` the decision that is acted on.
    func decide(_ authentication: Authentication, _ right: Right, _ path: DataPath, at now: Date) throws -> AccessDecision {
        let request = AccessRequest(principal: authentication.principal, right: right, resource: path.string)
        if let capability = authentication.capability {
            return AccessPolicy.decide(request, capability: capability)
        }
        return AccessPolicy.decide(request, grants: try catalog.grants(for: authentication.principal), at: now)
    }

    /// Appends `decision` to the audit log.
    func record(
        _ authentication: Authentication, _ right: Right, _ path: DataPath, _ decision: AccessDecision, at now: Date
    ) throws {
        let request = AccessRequest(principal: authentication.principal, right: right, resource: path.string)
        try audit.record(request, decision, at: now)
    }

    /// Decides, records, and throws 403 when denied.
    @discardableResult
    func require(_ authentication: Authentication, _ right: Right, _ path: DataPath) throws -> AccessDecision {
        let now = Date()
        let decision = try decide(authentication, right, path, at: now)
        try record(authentication, right, path, decision, at: now)
        guard decision.allowed else { throw Self.denied(decision) }
        return decision
    }

    /// Records a refusal made before a decision could be reached: a capability token that did
    /// not verify, or a path that does not parse.
    func recordRefusal(principal: String, right: Right, resource: String, reason: String) throws {
        try audit.record(principal: principal, action: right.rawValue, resource: resource, allowed: false, reason: reason)
    }

    static func denied(_ decision: AccessDecision) -> APIError {
        APIError(.forbidden, code: "access_denied", message: decision.reason)
    }
}

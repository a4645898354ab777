import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import HTTPTypes

/// Where every request on `/data` is decided and audited: the caller, the right the operation
/// needs, and the path go through the pure decision function against the grants (or the
/// verified capability) as they are at this moment, and the decision, allowed or denied, is
/// appended to the audit log before anything is read or written.
///
/// A use of content (``LicenceUse``) is decided with the licences of the grants and tokens
/// that cover it, and a counted use is counted in the same transaction that decides it.
struct DataGate: Sendable {
    let catalog: Catalog
    let audit: AuditLog

    /// The header in which a request states its purpose, as a DPV purpose (`dpv:Name`).
    static let purposeHeader = HTTPField.Name("Haven-Purpose")!

    /// Decides without recording; ``record(_:_:)`` the decision that is acted on. A counted
    /// use is counted here when allowed. `policies` are the licences of a capability's chain
    /// when the caller has already read them; otherwise they are read here.
    func decide(
        _ authentication: Authentication, _ right: Right, _ path: DataPath, use: LicenceUse? = nil,
        policies known: [String: LicencePolicy]? = nil, at now: Date
    ) throws -> AccessDecision {
        let request = AccessRequest(principal: authentication.principal, right: right, resource: path.string, use: use)
        if let capability = authentication.capability {
            let policies = try known ?? catalog.sharePolicies(among: capability.chain)
            guard !policies.isEmpty, use?.counted == true else {
                return AccessPolicy.decide(request, capability: capability, policies: policies, at: now)
            }
            return try catalog.decideCounting(at: now) { uses in
                AccessPolicy.decide(request, capability: capability, policies: policies, at: now, uses: uses)
            }
        }
        let grants = try catalog.grants(for: authentication.principal)
        guard use?.counted == true, grants.contains(where: { $0.policy != nil }) else {
            return AccessPolicy.decide(request, grants: grants, at: now)
        }
        return try catalog.decideCounting(at: now) { uses in
            AccessPolicy.decide(request, grants: grants, at: now, uses: uses)
        }
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
    func require(
        _ authentication: Authentication, _ right: Right, _ path: DataPath, use: LicenceUse? = nil
    ) throws -> AccessDecision {
        let now = Date()
        let decision = try decide(authentication, right, path, use: use, at: now)
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

    /// The purpose a request states in ``purposeHeader``, if it states one; a purpose that is
    /// not a DPV purpose is a 400 naming the header.
    static func purpose(of headers: HTTPFields) throws -> DPVPurpose? {
        guard let text = headers[purposeHeader] else { return nil }
        do {
            return try DPVPurpose(text.trimmingCharacters(in: .whitespaces))
        } catch {
            throw APIError(
                .badRequest, code: "invalid_purpose",
                message: "\(purposeHeader.canonicalName): '\(String(text.prefix(100)))' is not a DPV purpose; "
                    + "write one such as dpv:ResearchAndDevelopment or dpv:AcademicResearch")
        }
    }
}

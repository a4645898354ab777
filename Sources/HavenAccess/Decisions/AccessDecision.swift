import Foundation
import HavenIdentity

/// The answer to an ``AccessRequest``: allowed or denied, why, and what allowed it.
///
/// The why is kept as a value (``Cause``) and turned into a sentence only when someone reads
/// ``reason`` (the audit log, an error body), so deciding costs no string formatting.
public struct AccessDecision: Sendable, Equatable {
    public let allowed: Bool
    /// The grant or capability token that allowed the request, if one did.
    public let basis: String?
    public let cause: Cause

    /// Why a decision went the way it did.
    public enum Cause: Sendable, Equatable {
        case owner
        case grant(id: String, right: Right, resource: String)
        case capability(id: String, right: Right, resource: String)
        case noGrant(AccessRequest)
        case missingRight(AccessRequest, grant: String, resource: String, holds: [Right])
        case notYetValid(AccessRequest, grant: String, from: Date)
        case expired(AccessRequest, grant: String, at: Date)
        case capabilityLacks(AccessRequest, token: String)
        /// Any other reason, already a sentence.
        case stated(String)
    }

    public init(allowed: Bool, basis: String?, cause: Cause) {
        self.allowed = allowed
        self.basis = basis
        self.cause = cause
    }

    public static func allow(_ reason: String, basis: String?) -> AccessDecision {
        AccessDecision(allowed: true, basis: basis, cause: .stated(reason))
    }

    public static func deny(_ reason: String) -> AccessDecision {
        AccessDecision(allowed: false, basis: nil, cause: .stated(reason))
    }

    /// A sentence a person can act on: which grant allowed it, or what is missing.
    public var reason: String {
        switch cause {
        case .owner:
            return "the owner may do everything"
        case .grant(let id, let right, let resource):
            return "grant \(id) gives \(right.rawValue) on \(resource)"
        case .capability(let id, let right, let resource):
            return "capability token \(id) gives \(right.rawValue) on \(resource)"
        case .noGrant(let request):
            return "\(request.principal) holds no grant with \(request.right.rawValue) on \(request.resource)"
        case .missingRight(let request, let grant, let resource, let holds):
            return Self.refusal(request) + "grant \(grant) on \(resource) gives "
                + holds.map(\.rawValue).joined(separator: ",") + ", not \(request.right.rawValue)"
        case .notYetValid(let request, let grant, let start):
            return Self.refusal(request) + "grant \(grant) is not valid before \(start.formatted(.iso8601))"
        case .expired(let request, let grant, let end):
            return Self.refusal(request) + "grant \(grant) expired at \(end.formatted(.iso8601))"
        case .capabilityLacks(let request, let token):
            return "capability token \(token) does not give \(request.right.rawValue) on \(request.resource)"
        case .stated(let sentence):
            return sentence
        }
    }

    private static func refusal(_ request: AccessRequest) -> String {
        "\(request.principal) may not \(request.right.rawValue) \(request.resource): "
    }
}

import Foundation
import HavenIdentity

/// The answer to an ``AccessRequest``: allowed or denied, why, what allowed it, and the
/// licensed uses that must be counted before it is acted on.
///
/// The why is kept as a value (``Cause``) and turned into a sentence only when someone reads
/// ``reason`` (the audit log, an error body), so deciding costs no string formatting.
public struct AccessDecision: Sendable, Equatable {
    public let allowed: Bool
    /// The grant or capability token that allowed the request, if one did.
    public let basis: String?
    public let cause: Cause
    /// Uses a licence with a `count` limit allowed: count each (atomically with the decision,
    /// see `Catalog.decideCounting`) or the limit is not enforced. Empty when denied.
    public let countedUses: [CountedUse]

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
        /// A grant or token carrying a licence allowed it; `rule` is the licence's sentence
        /// naming the permission that decided.
        case licensed(basis: String, kind: BasisKind, licence: String, rule: String)
        /// A grant or token covered the request, but its licence refused it.
        case licenceRefused(AccessRequest, basis: String, kind: BasisKind, licence: String, rule: String)
        /// A grant or token carries a licence, and the request does not say what it does with
        /// the content (a search, a write): a licence only allows the uses it names.
        case licenceNeedsUse(AccessRequest, basis: String, kind: BasisKind, licence: String)
        /// Any other reason, already a sentence.
        case stated(String)
    }

    /// What a decision rests on.
    public enum BasisKind: String, Sendable {
        case grant
        case capability = "capability token"
    }

    public init(allowed: Bool, basis: String?, cause: Cause, countedUses: [CountedUse] = []) {
        self.allowed = allowed
        self.basis = basis
        self.cause = cause
        self.countedUses = allowed ? countedUses : []
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
        case .licensed(let basis, let kind, let licence, let rule):
            return "\(kind.rawValue) \(basis) under licence \(licence): \(rule)"
        case .licenceRefused(let request, let basis, let kind, let licence, let rule):
            return Self.refusal(request) + "the licence \(licence) on \(kind.rawValue) \(basis) refuses it: \(rule)"
        case .licenceNeedsUse(let request, let basis, let kind, let licence):
            return Self.refusal(request) + "\(kind.rawValue) \(basis) carries the licence \(licence), which allows only "
                + "the uses it names (reading a file through /data or /exchange), not this request"
        case .stated(let sentence):
            return sentence
        }
    }

    private static func refusal(_ request: AccessRequest) -> String {
        "\(request.principal) may not \(request.right.rawValue) \(request.resource): "
    }
}

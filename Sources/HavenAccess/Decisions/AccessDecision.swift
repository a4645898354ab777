/// The answer to an ``AccessRequest``: allowed or denied, why, and what allowed it.
public struct AccessDecision: Sendable, Equatable {
    public let allowed: Bool
    /// A sentence a person can act on: which grant allowed it, or what is missing.
    public let reason: String
    /// The grant or capability token that allowed the request, if one did.
    public let basis: String?

    public static func allow(_ reason: String, basis: String?) -> AccessDecision {
        AccessDecision(allowed: true, reason: reason, basis: basis)
    }

    public static func deny(_ reason: String) -> AccessDecision {
        AccessDecision(allowed: false, reason: reason, basis: nil)
    }
}

/// Why an identifier, key or token could not be used.
public enum IdentityError: Error, Equatable, Sendable {
    /// The text is not a `did:key` this server understands.
    case invalidDID(String, reason: String)
    /// A key file could not be parsed.
    case invalidKey(reason: String)
    /// The text is not a well-formed Haven API token.
    case malformedToken
    /// A principal name is not acceptable.
    case invalidPrincipal(String, reason: String)
}

extension IdentityError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidDID(let did, let reason): "'\(did)' is not a valid did:key: \(reason)"
        case .invalidKey(let reason): "invalid key: \(reason)"
        case .malformedToken: "the token is not a Haven API token (expected hvn_<id>_<secret>)"
        case .invalidPrincipal(let name, let reason): "'\(name)' is not a valid principal: \(reason)"
        }
    }
}

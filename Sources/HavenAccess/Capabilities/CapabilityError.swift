import Foundation
import HavenIdentity

/// Why a capability token cannot be minted or was refused, with a message its holder can act on.
///
/// Ids are token ids (``CapabilityToken/id(of:)``), so a refusal names the link of the chain
/// at fault, which may be a proof rather than the token presented.
public enum CapabilityError: Error, Equatable, Sendable {
    /// The text is not a capability token: bad JWS shape, bad claims or a bad resource.
    case malformed(String)
    /// The token is not signed with EdDSA; the empty string when its header names no algorithm.
    case unsupportedAlgorithm(String)
    /// The token's signature is not its issuer's: it was altered or forged.
    case badSignature(id: String)
    /// The token is not valid before this time.
    case notYetValid(id: String, Date)
    /// The token expired at this time.
    case expired(id: String, Date)
    /// The token, or a proof it rests on, was revoked.
    case revoked(id: String)
    /// A chain starts at an issuer other than this server's owner.
    case rootNotOwner(DID)
    /// A proof was given to `audience`, but the token resting on it was signed by `issuer`.
    case audienceMismatch(proof: String, audience: DID, issuer: DID)
    /// The token claims a capability that none of its proofs includes.
    case widens(Capability)
    /// A proof includes the capability but does not hold `share` on it, so it cannot be delegated.
    case delegationWithoutShare(Capability)
    /// The chain holds more tokens, end to end, than the verifier's limit.
    case tooDeep(limit: Int)
    /// The token names more proofs than ``CapabilityToken/maximumProofs``.
    case tooManyProofs(id: String, count: Int)
}

extension CapabilityError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformed(let reason):
            "the text is not a capability token: \(reason)"
        case .unsupportedAlgorithm(let algorithm) where algorithm.isEmpty:
            "the capability token names no signature algorithm; only EdDSA (Ed25519) tokens are accepted"
        case .unsupportedAlgorithm(let algorithm):
            "the capability token is signed with '\(algorithm)'; only EdDSA (Ed25519) tokens are accepted"
        case .badSignature(let id):
            "capability token \(id) is not signed by its issuer's key; it was altered or forged, "
                + "ask its issuer for a new one"
        case .notYetValid(let id, let date):
            "capability token \(id) is not valid before \(date.formatted(.iso8601)); use it from then on"
        case .expired(let id, let date):
            "capability token \(id) expired at \(date.formatted(.iso8601)); ask its issuer for a new one"
        case .revoked(let id):
            "capability token \(id) was revoked; ask its issuer for a new one"
        case .rootNotOwner(let issuer):
            "the token's chain starts at \(issuer), not at this server's owner; "
                + "only tokens that the owner issued, or that rest on one, are accepted here"
        case .audienceMismatch(let proof, let audience, let issuer):
            "proof \(proof) was given to \(audience), but the token resting on it was signed by \(issuer); "
                + "a token can only be delegated by the holder it was given to"
        case .widens(let capability):
            "the token claims '\(capability.right.rawValue)' on \(capability.resource), which none of its proofs "
                + "gives; a delegated token can only narrow what its issuer holds"
        case .delegationWithoutShare(let capability):
            "the token's issuer holds '\(capability.right.rawValue)' on \(capability.resource) but not 'share', "
                + "so it may not delegate it; ask for a token that includes 'share'"
        case .tooDeep(let limit):
            "the token's delegation chain is longer than \(limit) tokens; ask for a token nearer the owner"
        case .tooManyProofs(let id, let count):
            "capability token \(id) rests on \(count) proofs; at most \(CapabilityToken.maximumProofs) are accepted"
        }
    }
}

extension CapabilityError {
    /// A token whose JWS shape was refused.
    init(_ error: JSONWebSignatureError) {
        switch error {
        case .unsupportedAlgorithm(let algorithm): self = .unsupportedAlgorithm(algorithm)
        default: self = .malformed(error.description)
        }
    }
}

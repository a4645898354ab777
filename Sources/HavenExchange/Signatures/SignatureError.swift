import Foundation

/// Why a server-to-server request signature could not be made or was refused, one case per
/// refusal so that the caller can log, count or answer each one distinctly.
public enum SignatureError: Error, Equatable, Sendable {
    /// The request carries no `Signature-Input` or no `Signature` field.
    case missingSignature
    /// No label in `Signature-Input` has `tag="haven"`.
    case noHavenSignature
    /// A field (`Signature-Input`, `Signature`, `Content-Digest`) is not what its RFC defines.
    case malformedField(String, reason: String)
    /// `Signature-Input` names a label that `Signature` does not carry.
    case missingSignatureValue(label: String)
    /// Haven's policy requires this component to be covered and the signature does not cover it.
    case missingRequiredComponent(String)
    /// The signature covers a component this server cannot reproduce.
    case unsupportedComponent(String)
    /// `alg` is absent (`nil`) or names an algorithm other than `ed25519`.
    case unsupportedAlgorithm(String?)
    /// `keyid` is absent (`nil`) or not an Ed25519 `did:key`.
    case invalidKeyID(String?)
    /// A signature parameter Haven requires (`created`, `expires`, `nonce`) is absent.
    case missingParameter(String)
    /// The signature claims to be made after the verifier's clock plus the allowed skew.
    case createdInFuture(Date)
    /// The signature was made longer ago than the verifier's window.
    case stale(created: Date)
    /// The signature expired at this time (plus the allowed skew).
    case expired(Date)
    /// `expires` is not after `created`, or the two are further apart than the verifier's window.
    case invalidValidityPeriod(created: Date, expires: Date)
    /// The signature covers a header field that the request does not carry.
    case missingField(String)
    /// `Content-Digest` has no `sha-256` member.
    case missingContentDigestAlgorithm
    /// The `sha-256` member of `Content-Digest` does not match the body received.
    case contentDigestMismatch
    /// The Ed25519 signature does not verify with the key `keyid` names.
    case badSignature
    /// An input is longer than this server accepts.
    case tooLong(String, limit: Int)
    /// The target URI is not an absolute `http` or `https` URI with a host.
    case invalidTargetURI(String)
    /// The signature could not be produced.
    case signingFailed(reason: String)
}

extension SignatureError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingSignature:
            "the request is not signed: it needs both a Signature-Input and a Signature field (RFC 9421)"
        case .noHavenSignature:
            "the request carries no Haven signature: no Signature-Input label has tag=\"haven\""
        case .malformedField(let field, let reason):
            "the \(field) field is malformed: \(reason)"
        case .missingSignatureValue(let label):
            "Signature-Input declares the signature '\(label)' but the Signature field does not carry it"
        case .missingRequiredComponent(let component):
            "the signature does not cover '\(component)', which Haven requires; the signer must include it"
        case .unsupportedComponent(let component):
            "the signature covers '\(component)', a component this server does not support"
        case .unsupportedAlgorithm(nil):
            "the signature names no algorithm; Haven requires alg=\"ed25519\""
        case .unsupportedAlgorithm(let algorithm?):
            "the signature uses algorithm '\(algorithm)'; Haven accepts only alg=\"ed25519\""
        case .invalidKeyID(nil):
            "the signature names no key; Haven requires keyid to be the signer's did:key"
        case .invalidKeyID(let keyID?):
            "the signature's keyid '\(keyID)' is not an Ed25519 did:key"
        case .missingParameter(let name):
            "the signature has no '\(name)' parameter, which Haven requires"
        case .createdInFuture(let created):
            "the signature claims to be made at \(created.formatted(.iso8601)), in the future; "
                + "check the signer's and this server's clocks"
        case .stale(let created):
            "the signature was made at \(created.formatted(.iso8601)), too long ago; the signer must sign afresh "
                + "(or the clocks differ)"
        case .expired(let expires):
            "the signature expired at \(expires.formatted(.iso8601)); the signer must sign afresh"
        case .invalidValidityPeriod(let created, let expires):
            "the signature's validity from \(created.formatted(.iso8601)) to \(expires.formatted(.iso8601)) "
                + "is empty or longer than this server accepts"
        case .missingField(let name):
            "the signature covers the '\(name)' field but the request does not carry it"
        case .missingContentDigestAlgorithm:
            "the Content-Digest field has no sha-256 digest, the only one Haven checks"
        case .contentDigestMismatch:
            "the body does not match its Content-Digest: it was altered or truncated on the way"
        case .badSignature:
            "the signature does not verify with the key its keyid names: the request was altered or forged"
        case .tooLong(let what, let limit):
            "the \(what) is longer than the \(limit) bytes this server accepts"
        case .invalidTargetURI(let uri):
            "'\(uri)' is not an absolute http or https URI with a host"
        case .signingFailed(let reason):
            "the request could not be signed: \(reason)"
        }
    }
}

/// Why a text is not a compact JWS this server accepts.
public enum JSONWebSignatureError: Error, Equatable, Sendable {
    /// The token is longer than ``JSONWebSignature/maximumSize`` bytes.
    case tooLarge(bytes: Int)
    /// The token is not three strict base64url segments with a JSON object header.
    case malformed(reason: String)
    /// The header names an algorithm other than `EdDSA`; the empty string when it names none.
    case unsupportedAlgorithm(String)
    /// The header's `typ` is present and is not `JWT`.
    case unsupportedType(String)
    /// The header has a `crit` member: extensions this server would have to understand.
    case criticalExtensions
}

extension JSONWebSignatureError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooLarge(let bytes):
            "the token is \(bytes) bytes long; at most \(JSONWebSignature.maximumSize) are accepted"
        case .malformed(let reason):
            "the text is not a signed token (compact JWS): \(reason)"
        case .unsupportedAlgorithm(let algorithm) where algorithm.isEmpty:
            "the token's header names no signature algorithm; only EdDSA (Ed25519) tokens are accepted"
        case .unsupportedAlgorithm(let algorithm):
            "the token is signed with '\(algorithm)'; only EdDSA (Ed25519) tokens are accepted"
        case .unsupportedType(let type):
            "the token's type is '\(type)'; only JWT tokens are accepted"
        case .criticalExtensions:
            "the token's header requires extensions ('crit') that this server does not support"
        }
    }
}

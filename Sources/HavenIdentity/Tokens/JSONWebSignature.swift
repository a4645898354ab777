import Foundation

/// Compact JSON Web Signatures (RFC 7515) with EdDSA over Ed25519 (RFC 8037), and nothing else.
///
/// The accepted shape is deliberately narrow: three unpadded base64url segments, a header whose
/// `alg` is exactly `EdDSA` (so `none` and HMAC confusion are impossible), an optional `typ` of
/// `JWT`, no `crit`, and at most ``maximumSize`` bytes in all. Decoding checks the shape only;
/// ``DecodedJWS/isSigned(by:)`` checks the signature against a key the caller chose.
public enum JSONWebSignature {
    /// The longest token accepted, in bytes. It also bounds the work of verifying the tokens
    /// nested inside one another's payloads.
    public static let maximumSize = 16 * 1024

    /// The header of every token this server signs, byte for byte.
    static let header = Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8)

    /// Signs `payload` with `key`: `b64url(header).b64url(payload).b64url(signature)` with the
    /// header `{"alg":"EdDSA","typ":"JWT"}`. Throws ``JSONWebSignatureError/tooLarge(bytes:)``
    /// rather than produce a token that ``decode(_:)`` would refuse.
    public static func sign(payload: [UInt8], with key: IdentityKey) throws -> String {
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = try key.signature(for: Array(signingInput.utf8))
        let token = signingInput + "." + Base64URL.encode(signature)
        guard token.utf8.count <= maximumSize else {
            throw JSONWebSignatureError.tooLarge(bytes: token.utf8.count)
        }
        return token
    }

    /// Splits and decodes `token` without verifying its signature, refusing any shape but the
    /// one described on ``JSONWebSignature``.
    public static func decode(_ token: String) throws(JSONWebSignatureError) -> DecodedJWS {
        let bytes = Array(token.utf8)
        guard bytes.count <= maximumSize else { throw .tooLarge(bytes: bytes.count) }
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw .malformed(reason: "expected three segments separated by '.', found \(segments.count)")
        }
        guard let header = Base64URL.decode(String(decoding: segments[0], as: UTF8.self)) else {
            throw .malformed(reason: "the header is not unpadded base64url")
        }
        guard let payload = Base64URL.decode(String(decoding: segments[1], as: UTF8.self)) else {
            throw .malformed(reason: "the payload is not unpadded base64url")
        }
        guard let signature = Base64URL.decode(String(decoding: segments[2], as: UTF8.self)) else {
            throw .malformed(reason: "the signature is not unpadded base64url")
        }
        try checkHeader(header)
        guard signature.count == 64 else {
            throw .malformed(reason: "an Ed25519 signature has 64 bytes, this one has \(signature.count)")
        }
        let signingInput = Array(bytes[..<segments[1].endIndex])
        return DecodedJWS(header: header, payload: payload, signingInput: signingInput, signature: signature)
    }

    private static func checkHeader(_ header: [UInt8]) throws(JSONWebSignatureError) {
        let fields: HeaderFields
        do {
            fields = try JSONDecoder().decode(HeaderFields.self, from: Data(header))
        } catch {
            throw .malformed(reason: "the header is not a JSON object with string 'alg' and 'typ'")
        }
        guard fields.algorithm == "EdDSA" else { throw .unsupportedAlgorithm(fields.algorithm ?? "") }
        if let type = fields.type, type != "JWT" { throw .unsupportedType(type) }
        guard !fields.hasCriticalExtensions else { throw .criticalExtensions }
    }
}

/// The members of a JOSE header that decide whether a token is acceptable.
private struct HeaderFields: Decodable {
    let algorithm: String?
    let type: String?
    let hasCriticalExtensions: Bool

    enum CodingKeys: String, CodingKey {
        case algorithm = "alg"
        case type = "typ"
        case critical = "crit"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        algorithm = try container.decodeIfPresent(String.self, forKey: .algorithm)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        hasCriticalExtensions = container.contains(.critical)
    }
}

import Foundation
import HavenIdentity

/// Signs server-to-server requests with Haven's profile of RFC 9421: `alg="ed25519"`,
/// `keyid` the signer's `did:key`, `created`, `expires`, a random `nonce` and `tag="haven"`,
/// covering `@method`, `@target-uri`, `@authority` and, when there is a body, `content-digest`.
public struct RequestSigner: Sendable {
    /// The signing identity.
    public let key: IdentityKey
    /// How long a signature stays valid, in seconds: from 1 to 86 400 (a verifier's window is
    /// usually much shorter).
    public let lifetime: TimeInterval

    /// A signer for `key` whose signatures expire `lifetime` seconds after they are made.
    public init(key: IdentityKey, lifetime: TimeInterval = 60) {
        self.key = key
        self.lifetime = lifetime
    }

    /// The header fields to add to the request: `Signature-Input`, `Signature` (label "haven"),
    /// and `Content-Digest` when `body` is non-nil. `nonce` is random unless given (tests).
    public func sign(
        method: String, targetURI: String, body: [UInt8]?, at now: Date, nonce: String? = nil
    ) throws(SignatureError) -> [(name: String, value: String)] {
        let nonce = nonce ?? Self.randomNonce()
        guard nonce.utf8.count <= HavenSignaturePolicy.maximumNonceLength else {
            throw .tooLong("nonce", limit: HavenSignaturePolicy.maximumNonceLength)
        }
        guard lifetime >= 1, lifetime <= 86_400 else {
            throw .signingFailed(reason: "the signature lifetime must be between 1 second and 1 day, not \(lifetime)")
        }
        var components = HavenSignaturePolicy.requiredComponents
        var fields: [(name: String, value: String)] = []
        if let body {
            components.append(.contentDigest)
            fields.append((name: "Content-Digest", value: ContentDigest.fieldValue(for: body)))
        }
        let created = Int64(now.timeIntervalSince1970.rounded(.down))
        let parameters = SignatureParameters(
            components: components,
            created: created,
            expires: created + Int64(lifetime.rounded(.up)),
            nonce: nonce,
            alg: HavenSignaturePolicy.algorithm,
            keyid: key.did.description,
            tag: HavenSignaturePolicy.tag
        )
        let request = SignableRequest(method: method, targetURI: targetURI, fields: fields)
        let signature = try SignatureBase(request: request, parameters: parameters).signature(using: key)
        let label = HavenSignaturePolicy.label
        return fields + [
            (name: "Signature-Input", value: try SignatureFields.signatureInput(label: label, parameters: parameters)),
            (name: "Signature", value: try SignatureFields.signature(label: label, bytes: signature)),
        ]
    }

    /// 128 random bits, base64url: unique per request and a valid structured-field string.
    private static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

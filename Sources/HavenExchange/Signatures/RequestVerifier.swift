import Foundation
import HavenIdentity

/// Verifies server-to-server requests against Haven's profile of RFC 9421 (see
/// ``RequestSigner``). Pure: it remembers no nonces, so the caller must pass each result through
/// a ``NonceWindow`` to refuse replays.
///
/// Only the label whose parameters have `tag="haven"` is used; others are ignored.
public struct RequestVerifier: Sendable {
    /// How old a signature may be, and how long its validity may be, in seconds.
    public let window: TimeInterval
    /// How far the signer's clock may run ahead of, or behind, this server's, in seconds.
    public let skew: TimeInterval

    /// A verifier accepting signatures made at most `window` seconds ago, with `skew` seconds of
    /// clock difference either way.
    public init(window: TimeInterval = 300, skew: TimeInterval = 60) {
        self.window = window
        self.skew = skew
    }

    /// Verifies `request`. `body` is the bytes actually received (`nil` or empty when none); a
    /// request that carries content (a body, `Content-Length` above zero or `Transfer-Encoding`)
    /// must have its `content-digest` covered and matching.
    public func verify(_ request: SignableRequest, body: [UInt8]?, at now: Date) throws(SignatureError)
        -> VerifiedSignature
    {
        guard let input = request.field("Signature-Input"), let signatures = request.field("Signature") else {
            throw .missingSignature
        }
        guard let (label, parameters) = try SignatureFields.parameters(taggedWith: HavenSignaturePolicy.tag, in: input)
        else {
            throw .noHavenSignature
        }
        guard let signature = try SignatureFields.signature(label: label, in: signatures) else {
            throw .missingSignatureValue(label: label)
        }
        // An Ed25519 signature has 64 bytes; anything longer is refused before any work on it.
        guard signature.count <= 64 else { throw .tooLong("signature", limit: 64) }

        guard parameters.alg == HavenSignaturePolicy.algorithm else {
            throw .unsupportedAlgorithm(parameters.alg)
        }
        // An Ed25519 did:key has 56 characters; the bound keeps base58 decoding cheap.
        guard let keyID = parameters.keyid, keyID.utf8.count <= 128, let signer = try? DID(parsing: keyID) else {
            throw .invalidKeyID(parameters.keyid)
        }
        let (created, expires, nonce) = try validity(of: parameters, at: now)
        try checkCoverage(of: parameters, request: request, body: body)

        let base = try SignatureBase(request: request, parameters: parameters)
        if parameters.components.contains(.contentDigest), let digest = request.field("content-digest") {
            try ContentDigest.verify(fieldValue: digest, body: body ?? [])
        }
        guard base.isValidSignature(signature, by: signer.publicKey) else {
            throw .badSignature
        }
        return VerifiedSignature(signer: signer, created: created, expires: expires, nonce: nonce, label: label)
    }

    /// Checks `created`, `expires` and `nonce` against the window and returns them.
    private func validity(of parameters: SignatureParameters, at now: Date) throws(SignatureError) -> (
        created: Date, expires: Date, nonce: String
    ) {
        guard let createdSeconds = parameters.created else { throw .missingParameter("created") }
        guard let expiresSeconds = parameters.expires else { throw .missingParameter("expires") }
        guard let nonce = parameters.nonce, !nonce.isEmpty else { throw .missingParameter("nonce") }
        guard nonce.utf8.count <= HavenSignaturePolicy.maximumNonceLength else {
            throw .tooLong("nonce", limit: HavenSignaturePolicy.maximumNonceLength)
        }
        let created = Date(timeIntervalSince1970: TimeInterval(createdSeconds))
        let expires = Date(timeIntervalSince1970: TimeInterval(expiresSeconds))
        guard expires > created, expires.timeIntervalSince(created) <= window else {
            throw .invalidValidityPeriod(created: created, expires: expires)
        }
        guard created <= now.addingTimeInterval(skew) else { throw .createdInFuture(created) }
        guard now.timeIntervalSince(created) <= window else { throw .stale(created: created) }
        guard now <= expires.addingTimeInterval(skew) else { throw .expired(expires) }
        return (created, expires, nonce)
    }

    /// The missing or unknown component policy: Haven's required components must be covered
    /// (unknown ones were already refused when the parameters were parsed).
    private func checkCoverage(
        of parameters: SignatureParameters, request: SignableRequest, body: [UInt8]?
    ) throws(SignatureError) {
        for component in HavenSignaturePolicy.requiredComponents where !parameters.components.contains(component) {
            throw .missingRequiredComponent(component.identifier)
        }
        let contentLength = request.field("content-length").map { Int($0).map { $0 > 0 } ?? true } ?? false
        let hasBody = !(body ?? []).isEmpty || contentLength || request.field("transfer-encoding") != nil
        if hasBody, !parameters.components.contains(.contentDigest) {
            throw .missingRequiredComponent(MessageComponent.contentDigest.identifier)
        }
    }
}

import Foundation
import HavenIdentity

/// Checks a capability token and every proof it rests on, back to this server's owner: a pure
/// function of the token text, the owner's DID, the time and the revocation list.
///
/// Each token in the chain must be an EdDSA JWS signed by its `iss`, be within `nbf`..<`exp`
/// at `now`, and not be revoked. A token without proofs must be issued by the owner. A token
/// with proofs (at most ``CapabilityToken/maximumProofs``) must be signed by the audience of
/// each, and each of its capabilities must be included in a capability of one proof that also
/// holds `share` on a resource covering it: delegation only narrows, and needs `share`.
/// The token size limit (``JSONWebSignature/maximumSize``) bounds the work, as proofs nest.
public struct CapabilityVerifier: Sendable {
    /// This server's owner: the root issuer of every accepted chain.
    public let owner: DID
    /// The most tokens in one chain, from the presented token to the root, both included.
    public let maximumDepth: Int

    public init(owner: DID, maximumDepth: Int = 8) {
        self.owner = owner
        self.maximumDepth = maximumDepth
    }

    /// Verifies `token` and its whole proof chain at `now`; `isRevoked` is asked about the id
    /// (``CapabilityToken/id(of:)``) of every token in the chain.
    ///
    /// The result's `chain` lists ids depth first, the presented token first (for a single line
    /// of delegation: leaf to root); its `expiresAt` is the earliest expiry in the chain.
    public func verify(_ token: String, at now: Date, isRevoked: (String) -> Bool) throws(CapabilityError)
        -> VerifiedCapability
    {
        try verify(token, depth: 1, at: now, isRevoked: isRevoked)
    }

    private func verify(_ token: String, depth: Int, at now: Date, isRevoked: (String) -> Bool)
        throws(CapabilityError) -> VerifiedCapability
    {
        guard depth <= maximumDepth else { throw .tooDeep(limit: maximumDepth) }
        let id = CapabilityToken.id(of: token)
        let jws: DecodedJWS
        do {
            jws = try JSONWebSignature.decode(token)
        } catch {
            throw CapabilityError(error)
        }
        let claims = try CapabilityToken(decodingPayload: jws.payload)
        // The signature comes first: nothing else about a forged token is worth reporting.
        guard jws.isSigned(by: claims.issuer) else { throw .badSignature(id: id) }
        if let notBefore = claims.notBefore, now < notBefore { throw .notYetValid(id: id, notBefore) }
        if let expiresAt = claims.expiresAt, now >= expiresAt { throw .expired(id: id, expiresAt) }
        guard !isRevoked(id) else { throw .revoked(id: id) }
        guard claims.proofs.count <= CapabilityToken.maximumProofs else {
            throw .tooManyProofs(id: id, count: claims.proofs.count)
        }

        guard !claims.proofs.isEmpty else {
            guard claims.issuer == owner else { throw .rootNotOwner(claims.issuer) }
            return VerifiedCapability(
                id: id, issuer: claims.issuer, audience: claims.audience, capabilities: claims.capabilities,
                chain: [id], expiresAt: claims.expiresAt)
        }

        var proofs: [VerifiedCapability] = []
        for proof in claims.proofs {
            let verified = try verify(proof, depth: depth + 1, at: now, isRevoked: isRevoked)
            guard verified.audience == claims.issuer else {
                throw .audienceMismatch(proof: verified.id, audience: verified.audience, issuer: claims.issuer)
            }
            proofs.append(verified)
        }
        for capability in claims.capabilities {
            try Self.checkDelegation(of: capability, from: proofs)
        }

        var chain = [id]
        for link in proofs.flatMap(\.chain) where !chain.contains(link) {
            chain.append(link)
        }
        let expiresAt = ([claims.expiresAt] + proofs.map(\.expiresAt)).compactMap { $0 }.min()
        return VerifiedCapability(
            id: id, issuer: claims.issuer, audience: claims.audience, capabilities: claims.capabilities,
            chain: chain, expiresAt: expiresAt)
    }

    /// Throws unless one proof both includes `capability` and holds `share` on its resource.
    private static func checkDelegation(of capability: Capability, from proofs: [VerifiedCapability])
        throws(CapabilityError)
    {
        let including = proofs.filter { proof in proof.capabilities.contains { $0.includes(capability) } }
        guard !including.isEmpty else { throw .widens(capability) }
        let mayShare = including.contains { proof in
            proof.capabilities.contains { $0.right == .share && ResourcePattern.covers($0.resource, capability.resource) }
        }
        guard mayShare else { throw .delegationWithoutShare(capability) }
    }
}

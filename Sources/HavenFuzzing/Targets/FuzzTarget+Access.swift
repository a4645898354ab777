import Foundation
import HavenAccess
import HavenIdentity

extension FuzzTarget {
    /// Capability tokens: a whole token and its proof chain against the fixed owner, and a bare
    /// claims payload, which must survive minting.
    static let capabilityToken = FuzzTarget(
        name: "capability-token",
        summary: "CapabilityVerifier.verify on the input as a token; CapabilityToken(decodingPayload:) and re-minting"
    ) { bytes throws(FuzzFinding) in
        let verifier = CapabilityVerifier(owner: FuzzFixtures.owner.did)
        if let verified = attempt({ try verifier.verify(text(bytes), at: FuzzFixtures.now, isRevoked: { _ in false }) }) {
            try expect(!verified.capabilities.isEmpty, "a verified token grants nothing")
            try expect(verified.chain.first == verified.id, "the chain does not start at the token presented")
            // Revoking any token of the chain revokes the whole.
            for link in verified.chain {
                let revoked = attempt { try verifier.verify(text(bytes), at: FuzzFixtures.now, isRevoked: { $0 == link }) }
                try expect(revoked == nil, "revoking \(link) does not revoke the chain")
            }
        }
        guard let claims = attempt({ try CapabilityToken(decodingPayload: bytes) }) else { return }
        try expect(!claims.capabilities.isEmpty, "accepted claims grant nothing")
        // What the decoder accepts, a key can sign again (unless minting refuses it: an
        // expiry before the start, too many proofs, a time no token can carry, too large).
        guard
            let token = attempt({
                try CapabilityToken.mint(
                    issuer: FuzzFixtures.owner, audience: claims.audience, capabilities: claims.capabilities,
                    notBefore: claims.notBefore, expiresAt: claims.expiresAt, proofs: claims.proofs)
            })
        else { return }
        let payload = attempt { try JSONWebSignature.decode(token).payload }
        let again = payload.flatMap { payload in attempt { try CapabilityToken(decodingPayload: payload) } }
        try expect(again != nil, "a minted token's claims are refused")
        if let again {
            try expect(
                again.audience == claims.audience && again.capabilities == claims.capabilities
                    && again.proofs == claims.proofs && again.notBefore == claims.notBefore && again.expiresAt == claims.expiresAt,
                "re-minted claims differ from the claims read")
        }
    }

    /// Licences: ODRL policies as a grant, a share or a ledger record carries them.
    static let licence = FuzzTarget(
        name: "licence",
        summary: "LicencePolicy(parsing:); its canonical JSON parses back equal and is a fixed point; evaluation"
    ) { bytes throws(FuzzFinding) in
        guard let policy = attempt({ try LicencePolicy(parsing: bytes) }) else { return }
        let canonical = policy.canonicalJSON
        let again = attempt { try LicencePolicy(parsing: canonical) }
        try expect(again == policy, "the canonical JSON of a policy does not parse back to it")
        try expect(again?.canonicalJSON == canonical, "canonical JSON is not a fixed point")
        // Decide one request per rule, as its own assignee, action and target would ask.
        let stranger = attempt { try LicenceParty(FuzzFixtures.stranger.did.description) }
        let content = attempt { try LicenceTarget("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy") }
        guard let stranger, let content else { throw FuzzFinding("the fixture party or target is refused") }
        let uses = policy.permissions.isEmpty ? [:] : [policy.key(ofPermission: 0): 1]
        for rule in policy.permissions + policy.prohibitions {
            for time in [FuzzFixtures.now, Date(timeIntervalSince1970: 0)] {
                let request = LicenceRequest(
                    assignee: rule.assignee ?? stranger, action: rule.action, target: rule.target ?? content,
                    time: PolicyTime(time), usesSoFar: uses)
                _ = policy.evaluate(request)
            }
        }
    }
}

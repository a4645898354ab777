import Foundation
import HavenIdentity

/// A capability token whose whole proof chain checked out at the time of verification: every
/// signature, audience link, validity window and revocation, back to the owner as root issuer.
public struct VerifiedCapability: Sendable, Equatable {
    /// The presented token's id (see ``CapabilityToken/id``).
    public let id: String
    /// Who signed the presented token.
    public let issuer: DID
    /// Who may use it: the holder presenting it.
    public let audience: DID
    /// What the presented token grants (already checked to be within its proofs).
    public let capabilities: [Capability]
    /// Ids of every token in the chain, depth first: the presented one first, each proof before
    /// its own proofs (for a single line of delegation: leaf to root).
    public let chain: [String]
    /// The earliest expiry along the chain, if any link expires.
    public let expiresAt: Date?

    public init(id: String, issuer: DID, audience: DID, capabilities: [Capability], chain: [String], expiresAt: Date?) {
        self.id = id
        self.issuer = issuer
        self.audience = audience
        self.capabilities = capabilities
        self.chain = chain
        self.expiresAt = expiresAt
    }
}

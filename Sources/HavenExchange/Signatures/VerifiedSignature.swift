import Foundation
import HavenIdentity

/// What a verified request signature says: who signed it, when, until when, and the nonce that
/// ``NonceWindow`` must see only once.
public struct VerifiedSignature: Sendable, Equatable {
    /// The signer's identity, from `keyid`; the signature verified with its key.
    public let signer: DID
    /// When the signer says it signed.
    public let created: Date
    /// When the signature stops being valid (before the verifier's skew).
    public let expires: Date
    /// The signer's nonce for this request.
    public let nonce: String
    /// The `Signature-Input` label the signature was found under.
    public let label: String

    /// Makes a verified signature; only ``RequestVerifier`` should have reason to.
    public init(signer: DID, created: Date, expires: Date, nonce: String, label: String) {
        self.signer = signer
        self.created = created
        self.expires = expires
        self.nonce = nonce
        self.label = label
    }
}

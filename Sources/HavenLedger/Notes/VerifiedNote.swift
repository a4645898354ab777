/// A signed note whose signatures from trusted keys all verified, at least one of them; only
/// `SignedNote.verified(by:)` makes one. Its `text` may be trusted as far as the keys in
/// `signingKeys` are; quorum rules (k of n witnesses) are for the caller's policy to apply.
public struct VerifiedNote: Sendable, Hashable {
    /// The note as received, every signature kept.
    public let note: SignedNote
    /// The signatures that verified, in note order.
    public let verifiedSignatures: [NoteSignature]
    /// The trusted key of each verified signature (same order and count).
    public let signingKeys: [NoteVerifierKey]
    /// Signatures from keys not in the trusted list: ignored, but kept.
    public let unverifiedSignatures: [NoteSignature]
    /// The verified signatures from cosigner keys (type 0x04), with their timestamps.
    public let cosignatures: [Cosignature]

    init(note: SignedNote, verified: [(NoteSignature, NoteVerifierKey)], unverifiedSignatures: [NoteSignature]) {
        self.note = note
        self.verifiedSignatures = verified.map(\.0)
        self.signingKeys = verified.map(\.1)
        self.unverifiedSignatures = unverifiedSignatures
        // Verification already decoded each cosignature once, so this cannot drop one.
        self.cosignatures = verified.compactMap { signature, key in
            key.type == .ed25519CosignatureV1 ? try? Cosignature(signature) : nil
        }
    }

    /// The verified text.
    public var text: String { note.text }

    /// Whether `key` has a verified signature on this note.
    public func isSigned(by key: NoteVerifierKey) -> Bool {
        signingKeys.contains(key)
    }
}

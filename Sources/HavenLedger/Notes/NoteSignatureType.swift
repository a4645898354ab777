/// A signature type identifier byte from c2sp.org/signed-note: it goes into the key ID hash and
/// the verifier key, and decides what bytes a signature covers. Only the two this code signs and
/// verifies are listed; keys of other types are refused when parsed.
public enum NoteSignatureType: UInt8, Sendable, Hashable, CaseIterable {
    /// Ed25519 over the note text (signed-note §Ed25519 signatures).
    case ed25519 = 0x01
    /// Timestamped Ed25519 checkpoint cosignature, cosignature/v1 (c2sp.org/tlog-cosignature).
    case ed25519CosignatureV1 = 0x04
}

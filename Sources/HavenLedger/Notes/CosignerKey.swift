import Crypto

/// An Ed25519 cosigner (a witness) that signs checkpoints with cosignature/v1 (signature type
/// 0x04, c2sp.org/tlog-cosignature). Its key ID is computed with type 0x04, so the same name and
/// key used as a plain note signer would have a different ID. The cosigned message does not
/// commit to the name: give each cosigner its own key.
public struct CosignerKey: Sendable, CustomStringConvertible {
    public let name: String
    public let keyID: NoteKeyID
    private let privateKey: Curve25519.Signing.PrivateKey

    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(NoteError) {
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        self.name = name
        self.privateKey = privateKey
        self.keyID = NoteKeyID(
            name: name, type: .ed25519CosignatureV1, publicKey: privateKey.publicKey.rawRepresentation)
    }

    /// A cosigner for `name` with a fresh random key.
    public static func generate(name: String) throws(NoteError) -> CosignerKey {
        try CosignerKey(name: name, privateKey: Curve25519.Signing.PrivateKey())
    }

    /// The verifier key (vkey type 0x04) to give to clients and logs.
    public var verifierKey: NoteVerifierKey {
        NoteVerifierKey(validName: name, type: .ed25519CosignatureV1, publicKey: privateKey.publicKey)
    }

    /// Cosigns `checkpoint` as of `timestamp` (seconds since the Unix epoch, at most 2^63 - 1;
    /// the caller's clock decides). Add `noteSignature` of the result to the checkpoint note.
    public func cosign(_ checkpoint: Checkpoint, timestamp: UInt64) throws(NoteError) -> Cosignature {
        guard timestamp <= Cosignature.maximumTimestamp else { throw .timestampOutOfRange(timestamp) }
        let message = Cosignature.signedMessage(for: checkpoint, timestamp: timestamp)
        let signature: [UInt8]
        do {
            signature = Array(try privateKey.signature(for: message))
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
        return try Cosignature(name: name, keyID: keyID, timestamp: timestamp, signature: signature)
    }

    public var description: String {
        "CosignerKey(\(name)+\(keyID))"
    }
}

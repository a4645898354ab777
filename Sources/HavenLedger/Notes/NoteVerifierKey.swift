import Crypto

/// A public key that verifies note signatures, with its text form (the "vkey")
/// `<name>+<hex key ID>+<base64(type || 32-byte Ed25519 public key)>`.
///
/// Type 0x01 keys verify plain Ed25519 note signatures (c2sp.org/signed-note); type 0x04 keys
/// verify cosignature/v1 timestamped cosignatures (c2sp.org/tlog-cosignature), so one list of
/// keys can verify a checkpoint's log signature and its witnesses' cosignatures together.
public struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let keyID: NoteKeyID
    public let type: NoteSignatureType
    public let publicKey: Curve25519.Signing.PublicKey

    /// A key for `name`; the key ID is computed from name, type and key.
    public init(
        name: String, type: NoteSignatureType = .ed25519, publicKey: Curve25519.Signing.PublicKey
    ) throws(NoteError) {
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        self.init(validName: name, type: type, publicKey: publicKey)
    }

    /// For callers that already validated `name` (a signer's own public half).
    init(validName name: String, type: NoteSignatureType, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        self.type = type
        self.publicKey = publicKey
        self.keyID = NoteKeyID(name: name, type: type, publicKey: publicKey.rawRepresentation)
    }

    /// Parses a vkey; the stated key ID must match the computed one.
    public init(parsing vkey: String) throws(NoteError) {
        // The name holds no "+", the hex ID neither; the base64 key may, so split twice only.
        let parts = vkey.utf8.split(separator: 0x2B, maxSplits: 2, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 3 else {
            throw .malformedVerifierKey(reason: "it has \(parts.count) of the 3 \"+\"-separated parts")
        }
        let name = parts[0]
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        guard let stated = NoteKeyID(hex: parts[1]) else {
            throw .malformedVerifierKey(reason: "the key ID is not 8 lowercase hex digits")
        }
        guard let material = NoteSyntax.decodeBase64(parts[2]), let typeByte = material.first else {
            throw .malformedVerifierKey(reason: "the key is not canonical base64 of a type byte and a public key")
        }
        guard let type = NoteSignatureType(rawValue: typeByte) else { throw .unsupportedSignatureType(typeByte) }
        let keyBytes = material.dropFirst()
        guard keyBytes.count == 32,
            let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: Array(keyBytes))
        else {
            throw .malformedVerifierKey(reason: "an Ed25519 public key is 32 bytes, this one is \(keyBytes.count)")
        }
        try self.init(name: name, type: type, publicKey: publicKey)
        guard keyID == stated else { throw .keyIDMismatch(name: name, stated: stated, computed: keyID) }
    }

    /// The vkey text.
    public var serialized: String {
        "\(name)+\(keyID)+\(NoteSyntax.encodeBase64([type.rawValue] + publicKey.rawRepresentation))"
    }

    public var description: String { serialized }

    /// Whether `signature` claims this key (same name bytes and key ID). Signatures that do not
    /// are ignored by verification, never counted as failures.
    public func matches(_ signature: NoteSignature) -> Bool {
        NoteSyntax.sameBytes(signature.name, name) && signature.keyID == keyID
    }

    /// Whether `signature` is this key's valid signature of the note text `text` (the text with
    /// its final newline, without the blank line). For a cosigner key the signed message is the
    /// cosignature/v1 header and timestamp lines followed by `text`.
    public func verify(_ signature: NoteSignature, text: some Collection<UInt8>) -> Bool {
        guard matches(signature) else { return false }
        switch type {
        case .ed25519:
            return signature.signature.count == 64
                && publicKey.isValidSignature(signature.signature, for: Array(text))
        case .ed25519CosignatureV1:
            guard let cosignature = try? Cosignature(signature) else { return false }
            let message = Cosignature.signedMessage(checkpointText: text, timestamp: cosignature.timestamp)
            return publicKey.isValidSignature(cosignature.signature, for: message)
        }
    }

    public static func == (lhs: NoteVerifierKey, rhs: NoteVerifierKey) -> Bool {
        NoteSyntax.sameBytes(lhs.name, rhs.name) && lhs.type == rhs.type
            && lhs.publicKey.rawRepresentation == rhs.publicKey.rawRepresentation
    }

    public func hash(into hasher: inout Hasher) {
        NoteSyntax.hashBytes(of: name, into: &hasher)
        hasher.combine(type)
        hasher.combine(publicKey.rawRepresentation)
    }
}

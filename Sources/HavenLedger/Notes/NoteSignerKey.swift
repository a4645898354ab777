import Crypto

/// An Ed25519 private key that signs notes (signature type 0x01), with its secret text form
/// `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`.
///
/// `description` never shows the seed; only `serialized` does, for writing the key to a secret
/// store. Error messages about a malformed key never quote it.
public struct NoteSignerKey: Sendable, CustomStringConvertible {
    public let name: String
    public let keyID: NoteKeyID
    private let privateKey: Curve25519.Signing.PrivateKey

    /// A signer for `name` with an existing private key.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(NoteError) {
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        self.name = name
        self.privateKey = privateKey
        self.keyID = NoteKeyID(name: name, type: .ed25519, publicKey: privateKey.publicKey.rawRepresentation)
    }

    /// A signer for `name` with a fresh random key.
    public static func generate(name: String) throws(NoteError) -> NoteSignerKey {
        try NoteSignerKey(name: name, privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Parses the secret key text; the stated key ID must match the key derived from the seed.
    public init(parsing skey: String) throws(NoteError) {
        let parts = skey.utf8.split(separator: 0x2B, maxSplits: 4, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw .malformedSignerKey(reason: "it does not have the form PRIVATE+KEY+<name>+<id>+<key>")
        }
        let name = parts[2]
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        guard let stated = NoteKeyID(hex: parts[3]) else {
            throw .malformedSignerKey(reason: "the key ID is not 8 lowercase hex digits")
        }
        guard let material = NoteSyntax.decodeBase64(parts[4]), let typeByte = material.first else {
            throw .malformedSignerKey(reason: "the key is not canonical base64 of a type byte and a seed")
        }
        guard typeByte == NoteSignatureType.ed25519.rawValue else { throw .unsupportedSignatureType(typeByte) }
        let seed = material.dropFirst()
        guard seed.count == 32,
            let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed))
        else {
            throw .malformedSignerKey(reason: "an Ed25519 seed is 32 bytes, this one is \(seed.count)")
        }
        try self.init(name: name, privateKey: privateKey)
        guard keyID == stated else { throw .keyIDMismatch(name: name, stated: stated, computed: keyID) }
    }

    /// The secret key text. Keep it out of logs and out of version control.
    public var serialized: String {
        let material = [NoteSignatureType.ed25519.rawValue] + privateKey.rawRepresentation
        return "PRIVATE+KEY+\(name)+\(keyID)+\(NoteSyntax.encodeBase64(material))"
    }

    /// The public half, to give to verifiers.
    public var verifierKey: NoteVerifierKey {
        NoteVerifierKey(validName: name, type: .ed25519, publicKey: privateKey.publicKey)
    }

    /// Signs a note text (ending in newline, no control characters but newline); add the result
    /// to a note with `SignedNote(text:signatures:)` or `SignedNote.addingSignature(_:)`.
    public func sign(_ text: String) throws(NoteError) -> NoteSignature {
        try SignedNote.validateText(text)
        let signature: [UInt8]
        do {
            signature = Array(try privateKey.signature(for: Array(text.utf8)))
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
        return try NoteSignature(name: name, keyID: keyID, signature: signature)
    }

    public var description: String {
        "NoteSignerKey(\(name)+\(keyID))"
    }
}

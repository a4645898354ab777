/// A signed note (c2sp.org/signed-note): a UTF-8 text ending in newline, a blank line, and one
/// or more signature lines `— <key name> <base64(key ID || signature)>`.
///
/// Parsing is strict and keeps every signature, known or not, so `serialized` gives back the
/// parsed bytes exactly. A parsed note is not yet trusted: read its text only through
/// `verified(by:)`. Equality is by bytes.
public struct SignedNote: Sendable, Hashable, CustomStringConvertible {
    /// The most signatures a note may carry. The spec asks verifiers to accept at least 16;
    /// 100 bounds the work a hostile note can cause, as Go's sumdb/note does.
    public static let maximumSignatures = 100

    /// The signed text, with its final newline, without the separating blank line.
    public let text: String
    /// The signature lines in order, known and unknown alike.
    public let signatures: [NoteSignature]

    /// A note from its parts; throws if the text is not a valid note text or if the number of
    /// signatures is not between 1 and `maximumSignatures`.
    public init(text: String, signatures: [NoteSignature]) throws(NoteError) {
        try Self.validateText(text)
        guard !signatures.isEmpty else { throw .noSignatures }
        guard signatures.count <= Self.maximumSignatures else {
            throw .tooManySignatures(count: signatures.count, limit: Self.maximumSignatures)
        }
        self.text = text
        self.signatures = signatures
    }

    /// Parses a serialized note. The text ends at the last blank line.
    public init(parsing bytes: some Collection<UInt8>) throws(NoteError) {
        let bytes = Array(bytes)
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        if let control = NoteSyntax.firstControlCharacter(in: bytes) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
        guard let separator = Self.lastBlankLine(in: bytes) else { throw .missingSignatureSeparator }
        let textEnd = separator + 1
        self.text = String(decoding: bytes[..<textEnd], as: UTF8.self)
        self.signatures = try NoteSignature.parseCheckedLines(bytes[(textEnd + 1)...])
    }

    /// Parses a serialized note.
    public init(parsing text: String) throws(NoteError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The note as text: the text, a blank line, then one line per signature.
    public var serialized: String {
        text + "\n" + NoteSignature.serializeLines(signatures)
    }

    public var description: String { serialized }

    /// This note with `signature` appended, replacing any signature with the same key name and
    /// ID (a re-signed or newer cosignature supersedes the old one).
    public func addingSignature(_ signature: NoteSignature) throws(NoteError) -> SignedNote {
        try addingSignatures([signature])
    }

    /// This note with `newSignatures` appended, each replacing earlier signatures by the same key.
    public func addingSignatures(_ newSignatures: [NoteSignature]) throws(NoteError) -> SignedNote {
        var kept = signatures
        for signature in newSignatures {
            kept.removeAll { NoteSyntax.sameBytes($0.name, signature.name) && $0.keyID == signature.keyID }
            kept.append(signature)
        }
        return try SignedNote(text: text, signatures: kept)
    }

    /// Verifies the note against trusted keys. Signatures whose name and key ID match no trusted
    /// key are ignored (kept as unverified); any signature that matches a trusted key must verify,
    /// or the note is refused; at least one must match and verify.
    public func verified(by trustedKeys: [NoteVerifierKey]) throws(NoteError) -> VerifiedNote {
        var keys: [KeyHandle: NoteVerifierKey] = [:]
        for key in trustedKeys {
            let handle = KeyHandle(name: key.name, keyID: key.keyID)
            if let other = keys[handle], other != key {
                throw .ambiguousVerifierKeys(name: key.name, keyID: key.keyID)
            }
            keys[handle] = key
        }
        let textBytes = Array(text.utf8)
        var verified: [(NoteSignature, NoteVerifierKey)] = []
        var unverified: [NoteSignature] = []
        for signature in signatures {
            guard let key = keys[KeyHandle(name: signature.name, keyID: signature.keyID)] else {
                unverified.append(signature)
                continue
            }
            guard key.verify(signature, text: textBytes) else {
                throw .invalidSignature(name: signature.name, keyID: signature.keyID)
            }
            verified.append((signature, key))
        }
        guard !verified.isEmpty else {
            throw .noTrustedSignature(signers: signatures.map { "\($0.name)+\($0.keyID)" })
        }
        return VerifiedNote(note: self, verified: verified, unverifiedSignatures: unverified)
    }

    /// Throws unless `text` can be a note text: it ends with a newline and holds no control
    /// character but newline. (A `String` is valid UTF-8 by construction.)
    static func validateText(_ text: String) throws(NoteError) {
        guard text.utf8.last == NoteSyntax.newline else { throw .missingFinalNewline }
        if let control = NoteSyntax.firstControlCharacter(in: text.utf8) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
    }

    /// The index of the first newline of the last "\n\n" in `bytes`.
    private static func lastBlankLine(in bytes: [UInt8]) -> Int? {
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == NoteSyntax.newline, bytes[index + 1] == NoteSyntax.newline { return index }
            index -= 1
        }
        return nil
    }

    /// A key's name (as bytes) and ID, the tuple that says which key a signature claims.
    private struct KeyHandle: Hashable {
        let name: [UInt8]
        let keyID: NoteKeyID

        init(name: String, keyID: NoteKeyID) {
            self.name = Array(name.utf8)
            self.keyID = keyID
        }
    }

    public static func == (lhs: SignedNote, rhs: SignedNote) -> Bool {
        NoteSyntax.sameBytes(lhs.text, rhs.text) && lhs.signatures == rhs.signatures
    }

    public func hash(into hasher: inout Hasher) {
        NoteSyntax.hashBytes(of: text, into: &hasher)
        hasher.combine(signatures)
    }
}

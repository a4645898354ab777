/// One signature line of a signed note, `— <key name> base64(key ID || signature)`, verified or
/// not. `signature` is what follows the key ID: an Ed25519 signature for type 0x01 keys, a
/// timestamp and signature for cosigners (see `Cosignature`). Equality is by bytes.
public struct NoteSignature: Sendable, Hashable, CustomStringConvertible {
    /// The key name the line claims.
    public let name: String
    /// The key ID the line claims.
    public let keyID: NoteKeyID
    /// The signature bytes after the key ID (at least one).
    public let signature: [UInt8]

    /// A signature line's content; throws if the name is invalid or the signature is empty.
    public init(name: String, keyID: NoteKeyID, signature: [UInt8]) throws(NoteError) {
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        guard !signature.isEmpty else { throw .emptySignature(name: name) }
        self.init(validName: name, keyID: keyID, signature: signature)
    }

    /// For callers that already validated the name and know the signature is non-empty.
    init(validName name: String, keyID: NoteKeyID, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// Parses one signature line, without its newline.
    public init(parsingLine line: String) throws(NoteError) {
        guard !line.utf8.contains(NoteSyntax.newline) else { throw .embeddedNewline(field: "signature line") }
        if let control = NoteSyntax.firstControlCharacter(in: line.utf8) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
        try self.init(lineBytes: Array(line.utf8)[...], number: 1)
    }

    /// Parses a line already checked for UTF-8 and control characters; `number` is for messages.
    init(lineBytes line: ArraySlice<UInt8>, number: Int) throws(NoteError) {
        guard line.starts(with: NoteSyntax.signaturePrefix) else {
            throw .malformedSignatureLine(number: number, reason: "it does not start with an em dash and a space")
        }
        let rest = line.dropFirst(NoteSyntax.signaturePrefix.count)
        guard let space = rest.firstIndex(of: NoteSyntax.space) else {
            throw .malformedSignatureLine(number: number, reason: "no space between key name and signature")
        }
        let name = String(decoding: rest[..<space], as: UTF8.self)
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        let encoded = String(decoding: rest[(space + 1)...], as: UTF8.self)
        guard let bytes = NoteSyntax.decodeBase64(encoded) else {
            throw .invalidBase64(field: "signature on line \(number)")
        }
        guard bytes.count > 4 else {
            throw .malformedSignatureLine(
                number: number, reason: "the signature has \(bytes.count) bytes; it needs a 4-byte key ID and more")
        }
        self.name = name
        self.keyID = NoteKeyID(bytes: bytes.prefix(4))
        self.signature = Array(bytes.dropFirst(4))
    }

    /// base64(key ID || signature), the second field of the line.
    public var base64: String {
        NoteSyntax.encodeBase64(keyID.bytes + signature)
    }

    /// The signature line without its newline.
    public var line: String {
        "— \(name) \(base64)"
    }

    public var description: String { line }

    /// Parses a block of signature lines, each ending in a newline, such as a tlog-witness
    /// add-checkpoint response body. Needs one line at least and at most `SignedNote.maximumSignatures`.
    public static func parseLines(_ block: some Collection<UInt8>) throws(NoteError) -> [NoteSignature] {
        let bytes = Array(block)
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        if let control = NoteSyntax.firstControlCharacter(in: bytes) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
        return try parseCheckedLines(bytes[...])
    }

    /// Parses a block of signature lines, each ending in a newline.
    public static func parseLines(_ block: String) throws(NoteError) -> [NoteSignature] {
        try parseLines(Array(block.utf8))
    }

    /// The lines of `signatures`, each followed by a newline.
    public static func serializeLines(_ signatures: [NoteSignature]) -> String {
        signatures.map { $0.line + "\n" }.joined()
    }

    /// Parses a block already checked for UTF-8 and control characters.
    static func parseCheckedLines(_ block: ArraySlice<UInt8>) throws(NoteError) -> [NoteSignature] {
        guard !block.isEmpty else { throw .noSignatures }
        guard block.last == NoteSyntax.newline else { throw .missingNewline(after: "last signature line") }
        let count = block.count(where: { $0 == NoteSyntax.newline })
        guard count <= SignedNote.maximumSignatures else {
            throw .tooManySignatures(count: count, limit: SignedNote.maximumSignatures)
        }
        var signatures: [NoteSignature] = []
        var start = block.startIndex
        while start < block.endIndex {
            let end = block[start...].firstIndex(of: NoteSyntax.newline)!
            signatures.append(try NoteSignature(lineBytes: block[start..<end], number: signatures.count + 1))
            start = end + 1
        }
        return signatures
    }

    public static func == (lhs: NoteSignature, rhs: NoteSignature) -> Bool {
        NoteSyntax.sameBytes(lhs.name, rhs.name) && lhs.keyID == rhs.keyID && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        NoteSyntax.hashBytes(of: name, into: &hasher)
        hasher.combine(keyID)
        hasher.combine(signature)
    }
}

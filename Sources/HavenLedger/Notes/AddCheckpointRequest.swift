/// The body of a tlog-witness `POST <submission prefix>/add-checkpoint` request
/// (c2sp.org/tlog-witness): `old <size>`, zero to 63 base64 consistency proof hashes one per line,
/// an empty line, then the signed checkpoint note.
///
/// Parsing and formatting only: whether the log is known (404), the signature trusted (403), the
/// old size current (409) and the proof consistent (422) is for the witness to decide, with
/// `WitnessStatus` naming the answer. A parse error means 400 Bad Request.
public struct AddCheckpointRequest: Sendable, Hashable, CustomStringConvertible {
    /// The spec's limit on consistency proof lines.
    public static let maximumProofHashes = 63

    /// The size of the checkpoint the client believes the witness last cosigned (0 for none).
    public let oldSize: UInt64
    /// The RFC 6962 consistency proof from `oldSize` to the checkpoint's size, 32-byte hashes.
    public let consistencyProof: [[UInt8]]
    /// The checkpoint note as sent, with all its signatures (not yet verified).
    public let note: SignedNote
    /// The checkpoint in `note`'s text. Trust it only after `note.verified(by:)` succeeds.
    public let checkpoint: Checkpoint

    public init(oldSize: UInt64, consistencyProof: [[UInt8]], note: SignedNote) throws(NoteError) {
        guard consistencyProof.count <= Self.maximumProofHashes else {
            throw .tooManyProofHashes(count: consistencyProof.count, limit: Self.maximumProofHashes)
        }
        for (index, hash) in consistencyProof.enumerated() where hash.count != 32 {
            throw .wrongHashLength(field: "consistency proof hash \(index + 1)", byteCount: hash.count)
        }
        let checkpoint = try Checkpoint(parsing: note.text)
        guard oldSize <= checkpoint.size else {
            throw .oldSizeExceedsTreeSize(oldSize: oldSize, treeSize: checkpoint.size)
        }
        self.oldSize = oldSize
        self.consistencyProof = consistencyProof
        self.note = note
        self.checkpoint = checkpoint
    }

    /// Parses a request body.
    public init(parsing body: some Collection<UInt8>) throws(NoteError) {
        let bytes = Array(body)
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        if let control = NoteSyntax.firstControlCharacter(in: bytes) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
        var reader = NoteLineReader(bytes)
        let oldLine = try reader.nextLine(expecting: "old size line") ?? []
        guard oldLine.starts(with: Array("old ".utf8)) else {
            throw .unexpectedLine(expected: "\"old <size>\" as the first line", found: NoteSyntax.excerpt(oldLine))
        }
        let oldSize = try NoteSyntax.decimal(String(decoding: oldLine.dropFirst(4), as: UTF8.self), field: "old size")
        var proof: [[UInt8]] = []
        while true {
            guard let line = try reader.nextLine(expecting: "consistency proof line \(proof.count + 1)") else {
                throw .unexpectedLine(expected: "an empty line, then the checkpoint", found: "the end of the body")
            }
            if line.isEmpty { break }
            guard proof.count < Self.maximumProofHashes else {
                throw .tooManyProofHashes(count: proof.count + 1, limit: Self.maximumProofHashes)
            }
            let field = "consistency proof line \(proof.count + 1)"
            proof.append(try NoteSyntax.hash(String(decoding: line, as: UTF8.self), field: field))
        }
        let note = try SignedNote(parsing: reader.remainder)
        try self.init(oldSize: oldSize, consistencyProof: proof, note: note)
    }

    /// Parses a request body.
    public init(parsing body: String) throws(NoteError) {
        try self.init(parsing: Array(body.utf8))
    }

    /// The request body.
    public var serialized: String {
        "old \(oldSize)\n" + consistencyProof.map { NoteSyntax.encodeBase64($0) + "\n" }.joined() + "\n"
            + note.serialized
    }

    public var description: String { serialized }
}

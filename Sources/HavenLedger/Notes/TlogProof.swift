/// A transparency log proof file (c2sp.org/tlog-proof, `.tlog-proof`): the header line
/// `c2sp.org/tlog-proof@v1`, an optional `extra <base64>` line, `index <n>`, the base64 hashes of
/// the entry's inclusion proof one per line, an empty line, then the log's signed checkpoint
/// note verbatim (with any witness cosignatures).
///
/// Parsing and formatting only. To trust it: verify `note` against the log's and the witnesses'
/// keys, apply the witness policy, then check the inclusion proof of the entry's leaf hash at
/// `index` against `checkpoint.rootHash`. `extraData` is unauthenticated.
public struct TlogProof: Sendable, Hashable, CustomStringConvertible {
    /// The first line of every proof.
    public static let header = "c2sp.org/tlog-proof@v1"
    /// An inclusion proof in a tree of at most 2^64 - 1 leaves has at most 64 hashes.
    public static let maximumProofHashes = 64

    /// Opaque, unauthenticated application data; nil when the proof has no `extra` line.
    public let extraData: [UInt8]?
    /// The zero-based index of the entry in the log.
    public let index: UInt64
    /// The RFC 6962 inclusion proof, from the leaf's sibling up to the root's child, 32-byte hashes.
    public let inclusionProof: [[UInt8]]
    /// The checkpoint note as included, every signature kept (not yet verified).
    public let note: SignedNote
    /// The checkpoint in `note`'s text. Trust it only after `note.verified(by:)` succeeds.
    public let checkpoint: Checkpoint

    public init(
        extraData: [UInt8]? = nil, index: UInt64, inclusionProof: [[UInt8]], note: SignedNote
    ) throws(NoteError) {
        guard inclusionProof.count <= Self.maximumProofHashes else {
            throw .tooManyProofHashes(count: inclusionProof.count, limit: Self.maximumProofHashes)
        }
        for (number, hash) in inclusionProof.enumerated() where hash.count != 32 {
            throw .wrongHashLength(field: "inclusion proof hash \(number + 1)", byteCount: hash.count)
        }
        let checkpoint = try Checkpoint(parsing: note.text)
        guard index < checkpoint.size else { throw .indexOutOfRange(index: index, treeSize: checkpoint.size) }
        self.extraData = extraData
        self.index = index
        self.inclusionProof = inclusionProof
        self.note = note
        self.checkpoint = checkpoint
    }

    /// Parses a proof file.
    public init(parsing bytes: some Collection<UInt8>) throws(NoteError) {
        let bytes = Array(bytes)
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        if let control = NoteSyntax.firstControlCharacter(in: bytes) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
        var reader = NoteLineReader(bytes)
        let first = try reader.nextLine(expecting: "header line") ?? []
        guard first.elementsEqual(Self.header.utf8) else {
            throw .unexpectedLine(expected: "\"\(Self.header)\" as the first line", found: NoteSyntax.excerpt(first))
        }
        var line = try reader.nextLine(expecting: "extra or index line") ?? []
        var extraData: [UInt8]?
        if line.starts(with: Array("extra ".utf8)) {
            guard let data = NoteSyntax.decodeBase64(String(decoding: line.dropFirst(6), as: UTF8.self)) else {
                throw .invalidBase64(field: "extra data")
            }
            extraData = data
            line = try reader.nextLine(expecting: "index line") ?? []
        }
        guard line.starts(with: Array("index ".utf8)) else {
            throw .unexpectedLine(expected: "\"index <n>\"", found: NoteSyntax.excerpt(line))
        }
        let index = try NoteSyntax.decimal(String(decoding: line.dropFirst(6), as: UTF8.self), field: "index")
        var proof: [[UInt8]] = []
        while true {
            guard let line = try reader.nextLine(expecting: "inclusion proof line \(proof.count + 1)") else {
                throw .unexpectedLine(expected: "an empty line, then the checkpoint", found: "the end of the proof")
            }
            if line.isEmpty { break }
            guard proof.count < Self.maximumProofHashes else {
                throw .tooManyProofHashes(count: proof.count + 1, limit: Self.maximumProofHashes)
            }
            let field = "inclusion proof line \(proof.count + 1)"
            proof.append(try NoteSyntax.hash(String(decoding: line, as: UTF8.self), field: field))
        }
        let note = try SignedNote(parsing: reader.remainder)
        try self.init(extraData: extraData, index: index, inclusionProof: proof, note: note)
    }

    /// Parses a proof file.
    public init(parsing text: String) throws(NoteError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The proof file's text.
    public var serialized: String {
        Self.header + "\n"
            + (extraData.map { "extra \(NoteSyntax.encodeBase64($0))\n" } ?? "")
            + "index \(index)\n"
            + inclusionProof.map { NoteSyntax.encodeBase64($0) + "\n" }.joined()
            + "\n" + note.serialized
    }

    public var description: String { serialized }
}

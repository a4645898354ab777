/// A transparency log checkpoint (c2sp.org/tlog-checkpoint): the note text
/// `<origin>\n<tree size>\n<base64 root hash>\n` followed by optional non-empty extension lines.
///
/// This is the body only; its signatures live in the `SignedNote` that carries it. Parse a
/// checkpoint from a `VerifiedNote.text`, not from an unverified note. The root hash is the 32
/// raw bytes of the RFC 6962 Merkle tree hash. Equality is by bytes.
public struct Checkpoint: Sendable, Hashable, CustomStringConvertible {
    /// The log's identity, the first line; non-empty.
    public let origin: String
    /// The number of leaves in the tree.
    public let size: UInt64
    /// The RFC 6962 root hash of the tree at `size`, 32 bytes.
    public let rootHash: [UInt8]
    /// Opaque extension lines, each non-empty; their use is not recommended.
    public let extensionLines: [String]

    public init(origin: String, size: UInt64, rootHash: [UInt8], extensionLines: [String] = []) throws(NoteError) {
        guard !origin.isEmpty else { throw .emptyOrigin }
        try Self.validateLine(origin, field: "checkpoint origin")
        guard rootHash.count == 32 else { throw .wrongHashLength(field: "root hash", byteCount: rootHash.count) }
        for (index, line) in extensionLines.enumerated() {
            guard !line.isEmpty else { throw .emptyExtensionLine(number: index + 1) }
            try Self.validateLine(line, field: "checkpoint extension line \(index + 1)")
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensionLines = extensionLines
    }

    /// Parses a checkpoint note text (with its final newline, without signatures).
    public init(parsing bytes: some Collection<UInt8>) throws(NoteError) {
        let bytes = Array(bytes)
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .invalidUTF8 }
        if let control = NoteSyntax.firstControlCharacter(in: bytes) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
        guard bytes.last == NoteSyntax.newline else { throw .missingFinalNewline }
        let lines = bytes.dropLast().split(separator: NoteSyntax.newline, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 3 else { throw .checkpointTooShort(lineCount: lines.count) }
        guard !lines[0].isEmpty else { throw .emptyOrigin }
        let size = try NoteSyntax.decimal(lines[1], field: "tree size")
        let rootHash = try NoteSyntax.hash(lines[2], field: "root hash")
        try self.init(origin: lines[0], size: size, rootHash: rootHash, extensionLines: Array(lines.dropFirst(3)))
    }

    /// Parses a checkpoint note text.
    public init(parsing text: String) throws(NoteError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The note text: origin, size, root hash and extension lines, each ending in a newline.
    public var serialized: String {
        ([origin, String(size), NoteSyntax.encodeBase64(rootHash)] + extensionLines).map { $0 + "\n" }.joined()
    }

    public var description: String { serialized }

    private static func validateLine(_ line: String, field: String) throws(NoteError) {
        guard !line.utf8.contains(NoteSyntax.newline) else { throw .embeddedNewline(field: field) }
        if let control = NoteSyntax.firstControlCharacter(in: line.utf8) {
            throw .controlCharacter(offset: control.offset, value: control.value)
        }
    }

    public static func == (lhs: Checkpoint, rhs: Checkpoint) -> Bool {
        NoteSyntax.sameBytes(lhs.origin, rhs.origin) && lhs.size == rhs.size && lhs.rootHash == rhs.rootHash
            && lhs.extensionLines.count == rhs.extensionLines.count
            && zip(lhs.extensionLines, rhs.extensionLines).allSatisfy(NoteSyntax.sameBytes)
    }

    public func hash(into hasher: inout Hasher) {
        NoteSyntax.hashBytes(of: origin, into: &hasher)
        hasher.combine(size)
        hasher.combine(rootHash)
        for line in extensionLines { NoteSyntax.hashBytes(of: line, into: &hasher) }
    }
}

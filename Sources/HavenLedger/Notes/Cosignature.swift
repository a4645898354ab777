/// A cosignature/v1 (c2sp.org/tlog-cosignature, Ed25519, type 0x04): a cosigner's statement that,
/// at `timestamp`, the checkpoint it signed was the largest consistent tree it had seen for the
/// log. On a note signature line it is key ID || 8-byte big-endian timestamp || 64-byte signature
/// over `signedMessage(checkpointText:timestamp:)`.
public struct Cosignature: Sendable, Hashable {
    /// The largest timestamp the spec allows, 2^63 - 1.
    public static let maximumTimestamp = UInt64(Int64.max)

    /// The cosigner's key name.
    public let name: String
    /// The cosigner's key ID (computed with type 0x04).
    public let keyID: NoteKeyID
    /// When it was signed, in seconds since the Unix epoch.
    public let timestamp: UInt64
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    public init(name: String, keyID: NoteKeyID, timestamp: UInt64, signature: [UInt8]) throws(NoteError) {
        guard NoteSyntax.isValidKeyName(name) else { throw .invalidKeyName(name) }
        guard timestamp <= Self.maximumTimestamp else { throw .timestampOutOfRange(timestamp) }
        guard signature.count == 64 else {
            throw .malformedCosignature(name: name, keyID: keyID, byteCount: 8 + signature.count)
        }
        self.name = name
        self.keyID = keyID
        self.timestamp = timestamp
        self.signature = signature
    }

    /// Reads a note signature as a cosignature. The line itself does not say it is one: use this
    /// for signatures by known cosigner keys (or read `VerifiedNote.cosignatures`).
    public init(_ noteSignature: NoteSignature) throws(NoteError) {
        let bytes = noteSignature.signature
        guard bytes.count == 72 else {
            throw .malformedCosignature(name: noteSignature.name, keyID: noteSignature.keyID, byteCount: bytes.count)
        }
        let timestamp = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        try self.init(
            name: noteSignature.name, keyID: noteSignature.keyID, timestamp: timestamp,
            signature: Array(bytes.dropFirst(8)))
    }

    /// The note signature line that carries this cosignature.
    public var noteSignature: NoteSignature {
        let timestampBytes = (0..<8).map { UInt8(truncatingIfNeeded: timestamp >> (56 - 8 * $0)) }
        return NoteSignature(validName: name, keyID: keyID, signature: timestampBytes + signature)
    }

    /// The bytes a cosignature/v1 signs: "cosignature/v1\n", "time <timestamp>\n", then the whole
    /// checkpoint note text (with its final newline, without signatures).
    public static func signedMessage(checkpointText: some Collection<UInt8>, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(checkpointText)
    }

    /// The bytes a cosignature/v1 of `checkpoint` at `timestamp` signs.
    public static func signedMessage(for checkpoint: Checkpoint, timestamp: UInt64) -> [UInt8] {
        signedMessage(checkpointText: Array(checkpoint.serialized.utf8), timestamp: timestamp)
    }

    public static func == (lhs: Cosignature, rhs: Cosignature) -> Bool {
        NoteSyntax.sameBytes(lhs.name, rhs.name) && lhs.keyID == rhs.keyID && lhs.timestamp == rhs.timestamp
            && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        NoteSyntax.hashBytes(of: name, into: &hasher)
        hasher.combine(keyID)
        hasher.combine(timestamp)
        hasher.combine(signature)
    }
}

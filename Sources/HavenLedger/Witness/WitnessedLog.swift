/// A log this server witnesses: its origin, the key its checkpoints must be signed with, and
/// the latest checkpoint the witness accepted (nil before the first). tlog-witness asks a witness
/// to keep exactly this per log; the value only ever moves forward (`Witness`, `ConsistencyCheck`).
public struct WitnessedLog: Sendable, Hashable {
    /// The log's origin, the first line of its checkpoints; compared byte for byte.
    public let origin: String
    /// The key trusted to sign the log's checkpoints.
    public let verifierKey: NoteVerifierKey
    /// The latest checkpoint accepted, or nil when none has been yet.
    public let latest: WitnessedCheckpoint?

    /// A witnessed log; throws when `latest` is for another origin or not signed by `verifierKey`.
    public init(origin: String, verifierKey: NoteVerifierKey, latest: WitnessedCheckpoint? = nil) throws(WitnessError) {
        if let latest {
            guard NoteSyntax.sameBytes(latest.checkpoint.origin, origin) else {
                throw .originMismatch(expected: origin, found: latest.checkpoint.origin)
            }
            // Re-check so a value built from stored state cannot carry a note the key never signed.
            _ = try WitnessedCheckpoint(verifying: latest.note, with: verifierKey)
        }
        self.origin = origin
        self.verifierKey = verifierKey
        self.latest = latest
    }

    /// For callers that already checked `latest` against the origin and key.
    private init(validOrigin origin: String, verifierKey: NoteVerifierKey, latest: WitnessedCheckpoint?) {
        self.origin = origin
        self.verifierKey = verifierKey
        self.latest = latest
    }

    /// The size of the latest accepted checkpoint, 0 before the first (tlog-witness's "old size").
    public var latestSize: UInt64 { latest?.checkpoint.size ?? 0 }

    /// This log with `checkpoint` as its latest; it must not be smaller than the current one.
    func advanced(to checkpoint: WitnessedCheckpoint) -> WitnessedLog {
        precondition(checkpoint.checkpoint.size >= latestSize, "a witnessed log never moves backwards")
        return WitnessedLog(validOrigin: origin, verifierKey: verifierKey, latest: checkpoint)
    }

    public static func == (lhs: WitnessedLog, rhs: WitnessedLog) -> Bool {
        NoteSyntax.sameBytes(lhs.origin, rhs.origin) && lhs.verifierKey == rhs.verifierKey && lhs.latest == rhs.latest
    }

    public func hash(into hasher: inout Hasher) {
        NoteSyntax.hashBytes(of: origin, into: &hasher)
        hasher.combine(verifierKey)
        hasher.combine(latest)
    }
}

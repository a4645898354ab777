import Foundation

/// Proof that a log showed two inconsistent views of itself: two checkpoints, both signed by
/// the log's key, that no append-only log could have signed. Anyone holding the log's vkey can
/// re-check it with `verify(with:)`, needing nothing else. Encoded as JSON with snake_case keys,
/// to be published or handed to the log's owner.
///
/// Two shapes are provable (c2sp.org/tlog-checkpoint: "two checkpoints are inconsistent if a
/// consistency proof can't be constructed from one to the other"):
/// - the same tree size with different root hashes;
/// - a larger tree whose prefix, of the smaller tree's size, has another root than the smaller
///   checkpoint states. `consistencyProof` shows this: it is RFC 9162 §2.1.4's proof from the
///   smaller size to the larger one, made from the larger tree, and it reproduces the larger
///   checkpoint's root; the smaller tree's root it implies then differs from the one signed.
public struct SplitViewEvidence: Sendable, Hashable, Codable {
    /// What the two checkpoints disagree on.
    public enum Reason: String, Sendable, Hashable, Codable, CustomStringConvertible {
        /// Same tree size, different root hashes.
        case differentRootsAtSameSize = "different_roots_at_same_size"
        /// The larger tree does not extend the smaller one.
        case prefixMismatch = "prefix_mismatch"

        public var description: String {
            switch self {
            case .differentRootsAtSameSize: "the log signed two different roots for the same tree size"
            case .prefixMismatch: "the larger tree does not extend the smaller one"
            }
        }
    }

    /// The log's origin.
    public let origin: String
    /// The full signed note the witness had accepted before (or still holds).
    public let witnessedNote: String
    /// The full signed note that contradicts it (received or fetched).
    public let conflictingNote: String
    /// Base64 hashes: for `prefixMismatch`, the `consistency_path` of RFC 9162 §2.1.4.2 after its
    /// step 2 from the smaller size to the larger, taken from the larger tree. That is the
    /// consistency proof, preceded, when the smaller size is a power of two, by the larger
    /// tree's hash of its first `smaller size` leaves. Empty for `differentRootsAtSameSize`.
    public let consistencyProof: [String]
    /// What the checkpoints disagree on.
    public let reason: Reason

    enum CodingKeys: String, CodingKey {
        case origin
        case witnessedNote = "witnessed_note"
        case conflictingNote = "conflicting_note"
        case consistencyProof = "consistency_proof"
        case reason
    }

    /// Evidence from its parts, as read back from storage; `verify(with:)` says whether it holds.
    public init(origin: String, witnessedNote: String, conflictingNote: String, consistencyProof: [String], reason: Reason) {
        self.origin = origin
        self.witnessedNote = witnessedNote
        self.conflictingNote = conflictingNote
        self.consistencyProof = consistencyProof
        self.reason = reason
    }

    /// Evidence from notes and hashes the witness holds.
    init(origin: String, witnessed: SignedNote, conflicting: SignedNote, path: [MerkleHash], reason: Reason) {
        self.init(
            origin: origin, witnessedNote: witnessed.serialized, conflictingNote: conflicting.serialized,
            consistencyProof: path.map { NoteSyntax.encodeBase64($0.bytes) }, reason: reason)
    }

    /// Whether this evidence holds on its own: both notes parse, are signed by `logKey`, carry
    /// checkpoints for `origin`, and are inconsistent in the way `reason` states.
    public func verify(with logKey: NoteVerifierKey) -> Bool {
        guard let first = Self.checkpoint(in: witnessedNote, signedBy: logKey),
            let second = Self.checkpoint(in: conflictingNote, signedBy: logKey),
            NoteSyntax.sameBytes(first.origin, origin), NoteSyntax.sameBytes(second.origin, origin)
        else { return false }
        var path: [MerkleHash] = []
        for encoded in consistencyProof {
            guard let bytes = NoteSyntax.decodeBase64(encoded), let hash = try? MerkleHash(bytes: bytes) else { return false }
            path.append(hash)
        }
        guard first.size != second.size else {
            return reason == .differentRootsAtSameSize && first.rootHash != second.rootHash && path.isEmpty
        }
        let (smaller, larger) = first.size < second.size ? (first, second) : (second, first)
        guard reason == .prefixMismatch, smaller.size > 0,
            let largerRoot = try? MerkleHash(bytes: larger.rootHash),
            let implied = Self.impliedRoot(ofSize: smaller.size, inTreeOfSize: larger.size, root: largerRoot, path: path)
        else { return false }
        return implied.bytes != smaller.rootHash
    }

    /// The evidence as JSON (snake_case keys, sorted, for stable output).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads evidence back from `jsonData()`.
    public init(jsonData: Data) throws {
        self = try JSONDecoder().decode(SplitViewEvidence.self, from: jsonData)
    }

    // MARK: Consistency arithmetic shared with the witness

    /// The root of the first `size` leaves that `path` implies for the tree of `treeSize` leaves
    /// with root `root` (`0 < size < treeSize`), or nil when `path` does not reproduce `root`.
    /// `path` is RFC 9162 §2.1.4.2's consistency path (see `consistencyProof`). Under SHA-256
    /// collision resistance, hashes that reproduce `root` are the tree's real nodes, so the
    /// implied root is the tree's real prefix root.
    static func impliedRoot(ofSize size: UInt64, inTreeOfSize treeSize: UInt64, root: MerkleHash, path: [MerkleHash]) -> MerkleHash? {
        guard 0 < size, size < treeSize, let first = path.first else { return nil }
        if size & (size - 1) == 0 {
            // The path starts with the prefix root itself; the verifier prepends the old root
            // it is given, so hand it that first hash and the rest as the proof.
            do {
                try MerkleVerifier.verifyConsistency(
                    oldSize: size, newSize: treeSize, oldRoot: first, newRoot: root, proof: Array(path.dropFirst()))
                return first
            } catch {
                return nil
            }
        }
        // Otherwise the old root is computed from the path alone; the verifier reports it when
        // it differs from the guess, and the second call checks the path reproduces `root`.
        do {
            try MerkleVerifier.verifyConsistency(oldSize: size, newSize: treeSize, oldRoot: first, newRoot: root, proof: path)
            return first
        } catch .oldRootMismatch(_, let computed) {
            do {
                try MerkleVerifier.verifyConsistency(oldSize: size, newSize: treeSize, oldRoot: computed, newRoot: root, proof: path)
                return computed
            } catch {
                return nil
            }
        } catch {
            return nil
        }
    }

    /// The consistency path for `consistencyProof`: the RFC 9162 proof from `size` to
    /// `treeSize`, preceded by `prefixRoot` (the larger tree's root of its first `size` leaves)
    /// when `size` is a power of two.
    static func path(proof: [MerkleHash], prefixRoot: MerkleHash, size: UInt64) -> [MerkleHash] {
        size & (size - 1) == 0 ? [prefixRoot] + proof : proof
    }

    private static func checkpoint(in noteText: String, signedBy logKey: NoteVerifierKey) -> Checkpoint? {
        guard let note = try? SignedNote(parsing: noteText), (try? note.verified(by: [logKey])) != nil else { return nil }
        return try? Checkpoint(parsing: note.text)
    }
}

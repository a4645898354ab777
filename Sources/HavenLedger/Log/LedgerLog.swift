import Foundation

/// This server's append-only Merkle log, kept as C2SP tlog-tiles files (``LedgerFiles``) with a
/// signed-note checkpoint.
///
/// An append writes, in this order: the entry bundles, the hash tiles, then the new checkpoint.
/// Each file is durable before the next is written, and the checkpoint names only a tree whose
/// files are all on disk. A crash therefore leaves the last checkpoint and files that match it,
/// possibly with unpublished partial tiles beyond it that the next append rewrites. An append
/// returns only after its checkpoint is durable, so an acknowledged entry is never lost.
///
/// Opening a log reads its checkpoint, verifies the signature, replays the entry bundles, and
/// checks that they hash to the checkpoint's root. A log whose files were edited does not open.
///
/// The tree is held in memory (two hashes per entry) for building tiles and proofs. Serving
/// reads the immutable files.
public actor LedgerLog {
    public nonisolated let origin: String
    /// The log's files: what `/ledger/` serves.
    public nonisolated let files: LedgerFiles
    nonisolated let signer: NoteSignerKey
    private var tree: InMemoryMerkleTree
    /// The entries of the last, partial bundle (fewer than 256).
    private var openBundle: [[UInt8]]
    private var published: SignedNote?

    /// The largest entry an entry bundle can hold (its length is a big-endian uint16).
    public static let maximumEntrySize = Int(UInt16.max)

    public init(directory: URL, origin: String, signer: NoteSignerKey) throws {
        self.origin = origin
        self.signer = signer
        files = try LedgerFiles(root: directory)
        var tree = InMemoryMerkleTree()
        var openBundle: [[UInt8]] = []
        if let bytes = try files.read("checkpoint") {
            let note = try SignedNote(parsing: bytes)
            let checkpoint = try Checkpoint(parsing: try note.verified(by: [signer.verifierKey]).text)
            guard checkpoint.origin == origin else {
                throw LedgerLogError.io("the checkpoint is for the log '\(checkpoint.origin)', not '\(origin)'")
            }
            let bundles = (checkpoint.size + 255) / 256
            for index in 0..<bundles {
                let width = Int(min(256, checkpoint.size - index * 256))
                let bundle = try EntryBundleCoordinate(index: index, width: width)
                guard let data = try files.read(bundle.path) else {
                    throw LedgerLogError.io("the entry bundle \(bundle.path) that the checkpoint covers is missing")
                }
                let entries = try Self.entries(in: data, path: bundle.path)
                guard entries.count == width else {
                    throw LedgerLogError.io("\(bundle.path) holds \(entries.count) entries, not \(width)")
                }
                for entry in entries { tree.append(leafData: entry) }
                openBundle = width < 256 ? entries : []
            }
            guard tree.rootHash.bytes == checkpoint.rootHash else {
                throw LedgerLogError.io("the entries on disk do not hash to the checkpoint's root: the log's files were changed")
            }
            published = note
        }
        self.tree = tree
        self.openBundle = openBundle
    }

    /// The key that verifies this log's checkpoints (`haven ledger key` prints it).
    public nonisolated var verifierKey: NoteVerifierKey { signer.verifierKey }

    /// Entries in the log.
    public var size: UInt64 { tree.size }

    /// The latest signed checkpoint, `nil` before the first append.
    public var checkpoint: SignedNote? { published }

    /// Appends `entries` durably and returns the index of the first. Throws, changing nothing
    /// that was published, if one is over ``maximumEntrySize`` or a file cannot be written.
    @discardableResult
    public func append(_ entries: [[UInt8]]) throws -> UInt64 {
        guard !entries.isEmpty else { return tree.size }
        for entry in entries where entry.count > Self.maximumEntrySize {
            throw LedgerLogError.io("an entry is \(entry.count) bytes; at most \(Self.maximumEntrySize) fit an entry bundle")
        }
        let oldSize = tree.size
        // The tree grows in place (copying it would cost O(size) per append) and is cut back
        // to its old size if any file cannot be written, so nothing unpublished stays.
        do {
            var bundle = openBundle
            var bundleIndex = oldSize / 256
            for entry in entries {
                tree.append(leafData: entry)
                bundle.append(entry)
                if bundle.count == 256 {
                    try write(bundle, index: bundleIndex)
                    bundle = []
                    bundleIndex += 1
                }
            }
            if !bundle.isEmpty { try write(bundle, index: bundleIndex) }
            let prover = tree.prover
            for tile in TileLayout.tilesAdded(from: oldSize, to: tree.size) {
                try files.writeImmutable(try prover.hashes(of: tile).flatMap(\.bytes), to: tile.path)
            }
            let text = try Checkpoint(origin: origin, size: tree.size, rootHash: tree.rootHash.bytes).serialized
            let note = try SignedNote(text: text, signatures: [try signer.sign(text)])
            try files.writeCheckpoint(Array(note.serialized.utf8))
            openBundle = bundle
            published = note
            return oldSize
        } catch {
            tree.truncate(to: oldSize)
            throw error
        }
    }

    /// Publishes the latest checkpoint again with the cosignatures its witnesses returned
    /// (``CosignedCheckpoint/assemble(logNote:cosignatures:)``). A note for any other checkpoint
    /// than the latest — an append may have happened meanwhile — is ignored: returns `false`.
    @discardableResult
    public func publish(cosigned note: SignedNote) throws -> Bool {
        guard let published, published.text == note.text else { return false }
        _ = try note.verified(by: [signer.verifierKey])
        try files.writeCheckpoint(Array(note.serialized.utf8))
        self.published = note
        return true
    }

    /// The newest entry that starts with `prefix`, and its index, read back from the entry
    /// bundles newest first; `nil` if there is none.
    public func lastEntry(withPrefix prefix: [UInt8]) throws -> (index: UInt64, entry: [UInt8])? {
        var bundle = (tree.size + 255) / 256
        while bundle > 0 {
            bundle -= 1
            let width = Int(min(256, tree.size - bundle * 256))
            let coordinate = try EntryBundleCoordinate(index: bundle, width: width)
            guard let data = try files.read(coordinate.path) else {
                throw LedgerLogError.io("the entry bundle \(coordinate.path) is missing")
            }
            let entries = try Self.entries(in: data, path: coordinate.path)
            for (offset, entry) in entries.enumerated().reversed() where entry.starts(with: prefix) {
                return (bundle * 256 + UInt64(offset), entry)
            }
        }
        return nil
    }

    /// The inclusion proof of entry `index` in the tree of `treeSize` entries.
    public func inclusionProof(index: UInt64, treeSize: UInt64) throws -> [MerkleHash] {
        try tree.prover.inclusionProof(index: index, treeSize: treeSize)
    }

    /// The consistency proof between two sizes of this log.
    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws -> [MerkleHash] {
        try tree.prover.consistencyProof(oldSize: oldSize, newSize: newSize)
    }

    private func write(_ entries: [[UInt8]], index: UInt64) throws {
        let coordinate = try EntryBundleCoordinate(index: index, width: entries.count)
        var bytes: [UInt8] = []
        for entry in entries {
            bytes.append(UInt8(entry.count >> 8))
            bytes.append(UInt8(entry.count & 0xff))
            bytes.append(contentsOf: entry)
        }
        try files.writeImmutable(bytes, to: coordinate.path)
    }

    /// The entries of an entry bundle: each a big-endian uint16 length, then that many bytes.
    static func entries(in data: [UInt8], path: String) throws(LedgerLogError) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var offset = 0
        while offset < data.count {
            guard offset + 2 <= data.count else { throw .io("\(path) ends inside an entry's length") }
            let length = Int(data[offset]) << 8 | Int(data[offset + 1])
            offset += 2
            guard offset + length <= data.count else { throw .io("\(path) ends inside an entry") }
            entries.append(Array(data[offset..<offset + length]))
            offset += length
        }
        return entries
    }
}

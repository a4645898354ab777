/// The witness checking a log by pulling from it: it fetches the log's signed checkpoint and the
/// C2SP tlog-tiles that `tilesNeeded` names, then `check` decides, with no I/O, whether the new
/// checkpoint extends the one the witness holds. Unlike add-checkpoint, the witness builds the
/// consistency proof itself from tiles it first checks against the signed root, so a failure is
/// evidence against the log rather than a client's bad proof.
public enum ConsistencyCheck {
    /// The tiles to fetch to check a tree of `oldSize` against one of `newSize`, read at the
    /// larger size: those that give its root, the consistency proof between the two sizes and
    /// the larger tree's root at the smaller size. Order does not matter (a rollback is checked
    /// from the fetched size up to the witness's); empty when both sizes are 0.
    public static func tilesNeeded(oldSize: UInt64, newSize: UInt64) -> [TileCoordinate] {
        let smaller = min(oldSize, newSize)
        let larger = max(oldSize, newSize)
        guard larger > 0 else { return [] }
        var tiles = TileLayout.tilesNeeded(forRootAt: larger)
        if smaller > 0, smaller < larger {
            // 0 < smaller < larger: both calls are inside the tree.
            tiles += try! TileLayout.tilesNeeded(forConsistencyFrom: smaller, to: larger)
            tiles += try! TileLayout.tiles(holding: MerkleGeometry.nodes(composing: 0..<smaller), treeSize: larger)
        }
        var seen: Set<TileCoordinate> = []
        return tiles.filter { seen.insert($0).inserted }
    }

    /// The tiles to fetch to check `fetched` against the latest checkpoint of `log`.
    public static func tilesNeeded(for fetched: Checkpoint, against log: WitnessedLog) -> [TileCoordinate] {
        tilesNeeded(oldSize: log.latestSize, newSize: fetched.size)
    }

    /// Checks the fetched checkpoint note of `log` with the fetched `tiles` (as served: each
    /// tile's hashes concatenated). Throws when the note is not the log's signed checkpoint, or
    /// when the tiles are malformed, missing, or disagree with the new checkpoint's root.
    public static func check(
        latest log: WitnessedLog, fetchedNote: some Collection<UInt8>, tiles: [TileCoordinate: [UInt8]]
    ) throws(WitnessError) -> ConsistencyCheckResult {
        let fetched = try verifiedCheckpoint(fetchedNote, of: log)
        let new = fetched.checkpoint
        guard let latest = log.latest else {
            // Nothing to be consistent with yet: trust on first use, once the tiles match.
            if new.size > 0 { _ = try prover(treeSize: new.size, root: new.rootHash, tiles: tiles) }
            return .consistent(updated: log.advanced(to: fetched))
        }
        let old = latest.checkpoint

        if new.size == old.size {
            guard new.rootHash == old.rootHash else {
                return .splitView(
                    SplitViewEvidence(
                        origin: log.origin, witnessed: latest.note, conflicting: fetched.note, path: [],
                        reason: .differentRootsAtSameSize))
            }
            return .consistent(updated: log)
        }
        if new.size > old.size {
            let prover = try prover(treeSize: new.size, root: new.rootHash, tiles: tiles)
            guard old.size > 0 else { return .consistent(updated: log.advanced(to: fetched)) }
            if let path = try mismatchPath(prover, smaller: old, largerSize: new.size) {
                return .splitView(
                    SplitViewEvidence(
                        origin: log.origin, witnessed: latest.note, conflicting: fetched.note, path: path,
                        reason: .prefixMismatch))
            }
            return .consistent(updated: log.advanced(to: fetched))
        }

        // The log went backwards. Check the fetched tree against the larger one the witness
        // holds, if the log still serves tiles for it; a rollback is no fork if it is a prefix.
        guard new.size > 0 else { return .rolledBack(fetched: fetched, latest: log, provenPrefix: true) }
        let path: [MerkleHash]?
        do {
            let prover = try prover(treeSize: old.size, root: old.rootHash, tiles: tiles)
            path = try mismatchPath(prover, smaller: new, largerSize: old.size)
        } catch {
            return .rolledBack(fetched: fetched, latest: log, provenPrefix: false)
        }
        if let path {
            return .splitView(
                SplitViewEvidence(
                    origin: log.origin, witnessed: latest.note, conflicting: fetched.note, path: path,
                    reason: .prefixMismatch))
        }
        return .rolledBack(fetched: fetched, latest: log, provenPrefix: true)
    }

    /// The note parsed, verified with the log's key (keeping only its verified signatures) and
    /// its checkpoint read and checked to be the log's.
    private static func verifiedCheckpoint(_ bytes: some Collection<UInt8>, of log: WitnessedLog) throws(WitnessError) -> WitnessedCheckpoint {
        let note: SignedNote
        let checkpoint: Checkpoint
        do {
            note = try SignedNote(parsing: bytes)
            checkpoint = try Checkpoint(parsing: note.text)
        } catch {
            throw .malformedNote(error)
        }
        guard NoteSyntax.sameBytes(checkpoint.origin, log.origin) else {
            throw .originMismatch(expected: log.origin, found: checkpoint.origin)
        }
        let verified: VerifiedNote
        do {
            verified = try note.verified(by: [log.verifierKey])
        } catch {
            throw .untrustedNote(origin: log.origin, error)
        }
        guard checkpoint.size > 0 || checkpoint.rootHash == MerkleHash.emptyTree.bytes else {
            throw .invalidEmptyCheckpoint(origin: log.origin)
        }
        return .keepingVerifiedSignatures(of: verified, checkpoint: checkpoint)
    }

    /// A prover over `tiles` for the tree of `treeSize` leaves, after checking they give `root`.
    private static func prover(
        treeSize: UInt64, root: [UInt8], tiles: [TileCoordinate: [UInt8]]
    ) throws(WitnessError) -> MerkleProver<TileHashSource> {
        var source = TileHashSource(treeSize: treeSize)
        for (tile, data) in tiles {
            do {
                try source.add(tileData: data, of: tile)
            } catch {
                throw .invalidTile(error)
            }
        }
        let prover = MerkleProver(source: source)
        // Checkpoint root hashes are 32 bytes by construction.
        let expected = try! MerkleHash(bytes: root)
        let computed = try hash { try prover.rootHash(treeSize: treeSize) }
        guard computed == expected else {
            throw .tilesDoNotMatchRoot(treeSize: treeSize, expected: expected, computed: computed)
        }
        return prover
    }

    /// Nil when the tree behind `prover` (of `largerSize` leaves, its root already checked)
    /// extends `smaller`; otherwise the consistency path that shows it does not.
    private static func mismatchPath(
        _ prover: MerkleProver<TileHashSource>, smaller: Checkpoint, largerSize: UInt64
    ) throws(WitnessError) -> [MerkleHash]? {
        let prefixRoot = try hash { try prover.rootHash(treeSize: smaller.size) }
        guard prefixRoot.bytes != smaller.rootHash else { return nil }
        let proof = try hash { try prover.consistencyProof(oldSize: smaller.size, newSize: largerSize) }
        return SplitViewEvidence.path(proof: proof, prefixRoot: prefixRoot, size: smaller.size)
    }

    /// Runs a prover call, turning its errors into `WitnessError`s.
    private static func hash<T>(_ body: () throws -> T) throws(WitnessError) -> T {
        do {
            return try body()
        } catch MerkleError.tileMissing(let tile, _) {
            throw .tileMissing(tile)
        } catch let error as MerkleError {
            throw .invalidTile(error)
        } catch {
            // The prover's sources throw only MerkleError.
            throw .invalidTile(.invalidTile(reason: "\(error)"))
        }
    }
}

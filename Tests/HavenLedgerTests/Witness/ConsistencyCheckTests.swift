import HavenLedger
import Testing

/// The witness pulling a log's checkpoint and tiles and checking them itself.
@Suite struct ConsistencyCheckTests {
    static let log = try! TestLog(size: 1000)

    static let sizePairs: [(UInt64, UInt64)] = [
        (0, 1), (0, 700), (1, 2), (1, 1000), (3, 5), (4, 8), (6, 10), (255, 256), (256, 257), (256, 700),
        (300, 700), (511, 513), (700, 1000), (999, 1000),
    ]

    func check(_ state: WitnessedLog, note: SignedNote, tiles: [TileCoordinate: [UInt8]]) throws -> ConsistencyCheckResult {
        try ConsistencyCheck.check(latest: state, fetchedNote: Array(note.serialized.utf8), tiles: tiles)
    }

    @Test(arguments: sizePairs)
    func growthIsConsistentWithOnlyTheNeededTiles(old: UInt64, new: UInt64) throws {
        let log = Self.log
        let needed = ConsistencyCheck.tilesNeeded(oldSize: old, newSize: new)
        #expect(needed == ConsistencyCheck.tilesNeeded(oldSize: new, newSize: old))
        #expect(try needed == ConsistencyCheck.tilesNeeded(for: log.checkpoint(new), against: log.witnessed(at: old)))
        let result = try check(log.witnessed(at: old == 0 ? nil : old), note: log.note(new), tiles: log.tiles(needed, atSize: new))
        guard case .consistent(let updated) = result else {
            Issue.record("\(old) → \(new): \(result)")
            return
        }
        #expect(updated.latest?.checkpoint == (try log.checkpoint(new)))
        #expect(updated.latest?.note.signatures.count == 1)
    }

    @Test(arguments: sizePairs.filter { $0.0 > 0 })
    func forkedGrowthIsASplitViewWithVerifiableEvidence(old: UInt64, new: UInt64) throws {
        let log = Self.log
        let fork = log.fork(at: Int(old) - 1)
        let needed = ConsistencyCheck.tilesNeeded(oldSize: old, newSize: new)
        let result = try check(log.witnessed(at: old), note: fork.note(new), tiles: fork.tiles(needed, atSize: new))
        guard case .splitView(let evidence) = result else {
            Issue.record("\(old) → \(new): \(result)")
            return
        }
        #expect(evidence.reason == .prefixMismatch)
        #expect(evidence.verify(with: log.verifierKey), "\(old) → \(new)")
        #expect(try SignedNote(parsing: evidence.witnessedNote).text == log.checkpoint(old).serialized)
        #expect(try SignedNote(parsing: evidence.conflictingNote).text == fork.checkpoint(new).serialized)
    }

    @Test func sameSizeComparesRoots() throws {
        let log = Self.log
        let state = try log.witnessed(at: 300)
        guard case .consistent(let unchanged) = try check(state, note: log.note(300), tiles: [:]) else {
            Issue.record("the same checkpoint again must be consistent")
            return
        }
        #expect(unchanged == state)
        guard case .splitView(let evidence) = try check(state, note: log.fork(at: 10).note(300), tiles: [:]) else {
            Issue.record("another root at the same size must be a split view")
            return
        }
        #expect(evidence.reason == .differentRootsAtSameSize && evidence.verify(with: log.verifierKey))
    }

    @Test func rollbackToAPrefixIsProvenWhenTheTilesAllow() throws {
        let log = Self.log
        let state = try log.witnessed(at: 700)
        let needed = ConsistencyCheck.tilesNeeded(oldSize: 700, newSize: 300)
        let note = try log.note(300)
        let result = try check(state, note: note, tiles: log.tiles(needed, atSize: 700))
        let fetched = try WitnessedCheckpoint(verifying: note, with: log.verifierKey)
        #expect(result == .rolledBack(fetched: fetched, latest: state, provenPrefix: true))
    }

    @Test func rollbackWithoutTilesOfTheLargerTreeIsUnproven() throws {
        let log = Self.log
        let state = try log.witnessed(at: 700)
        // The log now serves only its tree of 300: the partial tiles of 700 are gone.
        let note = try log.note(300)
        let result = try check(state, note: note, tiles: log.tiles(300))
        let fetched = try WitnessedCheckpoint(verifying: note, with: log.verifierKey)
        #expect(result == .rolledBack(fetched: fetched, latest: state, provenPrefix: false))
    }

    @Test func rollbackToAnotherTreeIsASplitView() throws {
        let log = Self.log
        let state = try log.witnessed(at: 700)
        for size: UInt64 in [300, 256] {
            let fork = log.fork(at: 100)
            let needed = ConsistencyCheck.tilesNeeded(oldSize: 700, newSize: size)
            let result = try check(state, note: fork.note(size), tiles: log.tiles(needed, atSize: 700))
            guard case .splitView(let evidence) = result else {
                Issue.record("rollback to \(size) of a fork: \(result)")
                continue
            }
            #expect(evidence.reason == .prefixMismatch && evidence.verify(with: log.verifierKey))
        }
    }

    @Test func fetchedNoteMustBeTheLogsSignedCheckpoint() throws {
        let log = Self.log
        let state = try log.witnessed(at: 300)
        let tiles = try log.tiles(700)
        let impostor = TestLog(size: 700, signer: try NoteSignerKey.generate(name: TestLog.origin))
        #expect(throws: WitnessError.self) { try check(state, note: impostor.note(700), tiles: tiles) }
        #expect(throws: WitnessError.self) { try check(state, note: WitnessFixtures.tamperingRoot(of: log.note(700)), tiles: tiles) }
        #expect(throws: WitnessError.malformedNote(.missingSignatureSeparator)) {
            try ConsistencyCheck.check(latest: state, fetchedNote: Array(try log.checkpoint(700).serialized.utf8), tiles: tiles)
        }
        let otherOrigin = try WitnessedLog(origin: "example.com/other", verifierKey: log.verifierKey)
        #expect(throws: WitnessError.originMismatch(expected: "example.com/other", found: TestLog.origin)) {
            try check(otherOrigin, note: log.note(700), tiles: tiles)
        }
        let note = try log.note(700)
        let expected = try state.advancedForTest(to: note)
        #expect(try check(state, note: note, tiles: tiles) == .consistent(updated: expected))
    }

    @Test func tilesMustBePresentWellFormedAndMatchTheRoot() throws {
        let log = Self.log
        let state = try log.witnessed(at: 300)
        let note = try log.note(700)
        var tiles = try log.tiles(ConsistencyCheck.tilesNeeded(oldSize: 300, newSize: 700), atSize: 700)
        #expect(try check(state, note: note, tiles: tiles) == .consistent(updated: state.advancedForTest(to: note)))

        let partial = try TileCoordinate(level: 0, index: 2, width: 188)
        var missing = tiles
        missing[partial] = nil
        #expect(throws: WitnessError.tileMissing(partial)) { try check(state, note: note, tiles: missing) }

        var short = tiles
        short[partial] = Array(tiles[partial]!.dropLast())
        #expect(throws: WitnessError.invalidTile(.invalidTileData(partial, byteCount: 188 * 32 - 1))) {
            try check(state, note: note, tiles: short)
        }

        // Tiles of a forked tree do not give the signed root: no evidence, an error.
        tiles = try log.fork(at: 500).tiles(ConsistencyCheck.tilesNeeded(oldSize: 300, newSize: 700), atSize: 700)
        let error = #expect(throws: WitnessError.self) { try check(state, note: note, tiles: tiles) }
        guard case .tilesDoNotMatchRoot(700, let expected, _) = error else {
            Issue.record("expected tilesDoNotMatchRoot, got \(String(describing: error))")
            return
        }
        #expect(expected == (try log.root(700)))
        // The first checkpoint is taken on trust, but its tiles must still match it.
        #expect(throws: WitnessError.self) { try check(log.witnessed(at: nil), note: note, tiles: tiles) }
    }

    @Test func emptyCheckpointMustHaveTheEmptyRoot() throws {
        let log = Self.log
        let wrong = try Checkpoint(origin: TestLog.origin, size: 0, rootHash: log.root(1).bytes)
        let note = try SignedNote(text: wrong.serialized, signatures: [log.signer.sign(wrong.serialized)])
        #expect(throws: WitnessError.invalidEmptyCheckpoint(origin: TestLog.origin)) {
            try check(log.witnessed(at: nil), note: note, tiles: [:])
        }
    }
}

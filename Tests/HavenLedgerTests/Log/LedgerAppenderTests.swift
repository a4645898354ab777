import Foundation
import Testing

@testable import HavenLedger

/// Group commit: racing appends share batches, every caller gets its own index, what the
/// callers were told is what the files say after a reopen, and a failure stays with its batch.
@Suite struct LedgerAppenderTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-appender-\(UUID().uuidString)")
    let signer: NoteSignerKey

    init() throws {
        signer = try NoteSignerKey.generate(name: "haven.test/log")
    }

    func openLog() throws -> LedgerLog {
        try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
    }

    func entry(_ number: Int) -> [UInt8] {
        Array("record \(number) of the appender test, about as long as a record id".utf8)
    }

    /// Appends `numbers` concurrently, one task each; returns each number's index or error.
    func appendConcurrently(
        _ numbers: some Sequence<Int>, to appender: LedgerAppender, entry: @escaping @Sendable (Int) -> [UInt8]
    ) async -> [Int: Result<UInt64, any Error>] {
        await withTaskGroup(of: (Int, Result<UInt64, any Error>).self) { group in
            for number in numbers {
                group.addTask {
                    do { return (number, .success(try await appender.append(entry(number)))) } catch { return (number, .failure(error)) }
                }
            }
            var results: [Int: Result<UInt64, any Error>] = [:]
            for await (number, result) in group { results[number] = result }
            return results
        }
    }

    /// The entry at `index` as the files on disk hold it.
    func entryOnDisk(at index: UInt64, of log: LedgerLog, size: UInt64) throws -> [UInt8] {
        let bundleIndex = index / 256
        let bundle = try EntryBundleCoordinate(index: bundleIndex, width: Int(min(256, size - bundleIndex * 256)))
        let data = try #require(try log.files.read(bundle.path))
        return try LedgerLog.entries(in: data, path: bundle.path)[Int(index % 256)]
    }

    @Test func racingAppendsGetDistinctIndexesInFewerBatches() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try openLog()
        // The first batch is held at a gate until every other append has queued behind it, so
        // the race is the same on every run however busy the machine is.
        let (gate, open) = AsyncStream<Void>.makeStream()
        let appender = LedgerAppender(log: log) { entries in
            if entries.count == 1, await log.size == 0 {
                for await _ in gate { break }
            }
            return try await log.append(entries)
        }
        let count = 600
        async let racing = appendConcurrently(0..<count, to: appender, entry: entry)
        var turns = 0
        while await appender.waiting < count - 1 {
            turns += 1
            #expect(turns < 10_000_000, "the appends never queued")
            if turns >= 10_000_000 { break }
            await Task.yield()
        }
        open.yield()
        open.finish()
        let results = await racing
        let indexes = try results.values.map { try $0.get() }
        #expect(indexes.sorted() == Array(0..<UInt64(count)))
        #expect(await appender.log.size == UInt64(count))
        // The first append alone, then the 599 that queued behind it in one batch.
        #expect(await appender.batchesWritten == 2)

        let reopened = try openLog()
        #expect(await reopened.size == UInt64(count))
        for (number, result) in results {
            #expect(try entryOnDisk(at: try result.get(), of: reopened, size: UInt64(count)) == entry(number))
        }
    }

    @Test func aReopenedLogHasTheSameRootAsTheEntriesInIndexOrder() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let appender = LedgerAppender(log: try openLog(), maximumBatchSize: 7)
        let results = await appendConcurrently(0..<300, to: appender, entry: entry)
        var byIndex = [[UInt8]](repeating: [], count: 300)
        for (number, result) in results { byIndex[Int(try result.get())] = entry(number) }
        let expected = InMemoryMerkleTree(leafHashes: byIndex.map { MerkleHash.leafHash(of: $0) }).rootHash.bytes

        let published = try Checkpoint(parsing: try #require(await appender.log.checkpoint).text)
        let reopened = try Checkpoint(parsing: try #require(await openLog().checkpoint).text)
        #expect(published.size == 300 && reopened.size == 300)
        #expect(published.rootHash == expected)
        #expect(reopened.rootHash == expected)
        // A batch never holds more than its maximum.
        #expect(await appender.batchesWritten >= 300 / 7)
    }

    @Test func sequentialAppendsAreIndexedInOrder() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let appender = LedgerAppender(log: try openLog())
        for number in 0..<5 {
            #expect(try await appender.append(entry(number)) == UInt64(number))
        }
        #expect(await appender.batchesWritten == 5)
    }

    @Test func anOversizedEntryFailsOnlyItsCaller() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let appender = LedgerAppender(log: try openLog())
        let oversized = 10
        let results = await appendConcurrently(0..<21, to: appender) { number in
            number == oversized ? [UInt8](repeating: 7, count: LedgerLog.maximumEntrySize + 1) : entry(number)
        }
        #expect(throws: LedgerLogError.self) { try results[oversized]!.get() }
        let indexes = try results.filter { $0.key != oversized }.values.map { try $0.get() }
        #expect(indexes.sorted() == Array(0..<20))
        let reopened = try openLog()
        #expect(await reopened.size == 20)
    }

    @Test func aFailedBatchFailsItsCallersAndPublishesNothing() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try openLog()
        try await log.append((0..<250).map(entry))
        // A foreign full entry bundle where the log's first one will go: every batch that
        // completes it is refused (a published bundle is never rewritten).
        let blocker = root.appendingPathComponent("tile/entries/000")
        try Data("not this log's bundle".utf8).write(to: blocker)
        let appender = LedgerAppender(log: log)
        let results = await appendConcurrently(250..<290, to: appender, entry: entry)

        let succeeded = results.values.compactMap { try? $0.get() }.sorted()
        let size = await log.size
        #expect(succeeded == Array(250..<size))
        #expect(size < 256)
        #expect(results.values.count { (try? $0.get()) == nil } == 290 - Int(size))
        #expect(try Checkpoint(parsing: try #require(await log.checkpoint).text).size == size)

        // The next batch, once the blocker is gone, goes on from where the log stood.
        try FileManager.default.removeItem(at: blocker)
        #expect(try await appender.append(entry(1000)) == size)
        let reopened = try openLog()
        #expect(await reopened.size == size + 1)
        #expect(try entryOnDisk(at: size, of: reopened, size: size + 1) == entry(1000))
    }
}

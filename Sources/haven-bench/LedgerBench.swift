import ArgumentParser
import Foundation
import HavenLedger

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HavenBench {
    /// The ledger's log: durable appends through the group-commit appender beside this disk's
    /// raw fsync rate, inclusion proofs at a million entries (from memory and from the tile
    /// files), and an in-process witness round trip. Every loop stops at a count or a deadline.
    struct Ledger: AsyncParsableCommand {
        @Option(help: "A directory on the disk to measure (created; the logs are removed after).") var directory: String
        @Option(help: "Repetitions of each measurement, for the spread.") var repetitions = 3
        @Option(help: "Concurrent appenders to measure.") var concurrency: [Int] = [1, 16, 256]
        @Option(help: "Appends (and raw fsyncs) per repetition, fewer if the time runs out.") var appends = 20_000
        @Option(help: "Seconds at most per repetition of a throughput loop.") var seconds = 3.0
        @Option(help: "Entries in the log the proofs are timed at.") var proofSize = 1_000_000
        @Option(help: "Inclusion proofs per repetition.") var proofs = 1_000
        @Option(help: "Witness round trips per repetition.") var rounds = 100

        /// Tessera's POSIX backend on disks that must fsync (a published figure; not run here).
        static let tesseraAppendsPerSecond = 2_900.0
        static let entrySize = 60

        func run() async throws {
            let work = URL(fileURLWithPath: directory).appendingPathComponent("ledger-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let signer = try NoteSignerKey.generate(name: "bench.haven/log")
            print("ledger: logs in \(directory) (\(Self.filesystem(of: directory))); \(repetitions) repetitions, min/median/max")

            // (1) The disk, then durable appends at each concurrency.
            var fsyncRates: [Double] = []
            for repetition in 0..<repetitions {
                fsyncRates.append(try Self.fsyncRate(in: work.appendingPathComponent("fsync-\(repetition)"), limit: appends, seconds: seconds))
            }
            let fsyncs = Spread(fsyncRates)
            print("(1) this disk: small write + fsync \(fsyncs.format("%.0f")) /s")
            for writers in concurrency {
                var rates: [Double] = []
                var perBatch: [Double] = []
                for repetition in 0..<repetitions {
                    let log = try LedgerLog(
                        directory: work.appendingPathComponent("appends-\(writers)-\(repetition)"), origin: signer.name, signer: signer)
                    let (rate, batches) = try await Self.appendRate(
                        to: LedgerAppender(log: log), writers: writers, limit: appends, seconds: seconds)
                    rates.append(rate)
                    perBatch.append(batches)
                }
                let spread = Spread(rates)
                let appendsPerBatch = Spread(perBatch).median
                // A batch's cost in raw fsyncs: the disk's floor is about 2 per file written.
                let fsyncsPerBatch = fsyncs.median / (spread.median / appendsPerBatch)
                print(
                    "(1) durable appends, \(writers) concurrent: \(spread.format("%.0f")) /s = "
                        + String(format: "%.2f", spread.median / Self.tesseraAppendsPerSecond)
                        + " x Tessera POSIX (2,900/s); " + String(format: "%.1f", appendsPerBatch) + " appends/batch, "
                        + String(format: "%.2f", spread.median / fsyncs.median) + " appends per fsync, "
                        + String(format: "a batch takes as long as %.1f fsyncs", fsyncsPerBatch))
            }

            // (2) Inclusion proofs at a million entries.
            let big = try LedgerLog(directory: work.appendingPathComponent("proofs"), origin: signer.name, signer: signer)
            let built = ContinuousClock.now
            var next = 0
            while next < proofSize {
                let count = min(65_536, proofSize - next)
                try await big.append((next..<next + count).map(Self.entry))
                next += count
            }
            let buildSeconds = (ContinuousClock.now - built).seconds
            print(String(format: "(2) built a log of %d entries in %.1f s (%.0f entries/s)", proofSize, buildSeconds, Double(proofSize) / buildSeconds))
            try await measureProofs(in: big)
            var single: [Double] = []
            for number in 0..<5 {
                let began = ContinuousClock.now
                try await big.append([Self.entry(proofSize + number)])
                single.append((ContinuousClock.now - began).seconds * 1000)
            }
            print("(2) one append to the \(proofSize)-entry log: \(Spread(single).format("%.1f")) ms")

            // (3) The witness round trip, on a small log.
            let witnessed = try LedgerLog(directory: work.appendingPathComponent("witness"), origin: signer.name, signer: signer)
            try await witnessed.append((0..<1000).map(Self.entry))
            try await measureWitnessRounds(log: LedgerAppender(log: witnessed))
        }

        /// Times inclusion proofs for random entries (a) from the log's in-memory tree and (b) as
        /// a client: the tiles each proof needs read from the files, then proved; each verified.
        func measureProofs(in log: LedgerLog) async throws {
            let note = try requireNote(await log.checkpoint)
            let checkpoint = try Checkpoint(parsing: note.text)
            let size = checkpoint.size
            let root = try MerkleHash(bytes: checkpoint.rootHash)
            var memoryP50: [Double] = []
            var memoryP99: [Double] = []
            var tilesP50: [Double] = []
            var tilesP99: [Double] = []
            var verifyP50: [Double] = []
            for _ in 0..<repetitions {
                var memory: [Double] = []
                var tiles: [Double] = []
                var verify: [Double] = []
                let deadline = ContinuousClock.now + .seconds(seconds)
                for _ in 0..<proofs where ContinuousClock.now < deadline {
                    let index = UInt64.random(in: 0..<size)
                    let leaf = MerkleHash.leafHash(of: Self.entry(Int(index)))

                    var began = ContinuousClock.now
                    let fromMemory = try await log.inclusionProof(index: index, treeSize: size)
                    memory.append((ContinuousClock.now - began).seconds * 1e6)

                    began = ContinuousClock.now
                    var source = TileHashSource(treeSize: size)
                    for tile in try TileLayout.tilesNeeded(forInclusionOf: index, treeSize: size) {
                        guard let data = try log.files.read(tile.path) else { throw ValidationError("the tile \(tile.path) is missing") }
                        try source.add(tileData: data, of: tile)
                    }
                    let fromTiles = try MerkleProver(source: source).inclusionProof(index: index, treeSize: size)
                    tiles.append((ContinuousClock.now - began).seconds * 1e6)

                    began = ContinuousClock.now
                    try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: fromTiles, root: root)
                    verify.append((ContinuousClock.now - began).seconds * 1e6)
                    try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, treeSize: size, proof: fromMemory, root: root)
                }
                memoryP50.append(Self.percentile(memory, 50))
                memoryP99.append(Self.percentile(memory, 99))
                tilesP50.append(Self.percentile(tiles, 50))
                tilesP99.append(Self.percentile(tiles, 99))
                verifyP50.append(Self.percentile(verify, 50))
            }
            print("(2) inclusion proof at \(size), (a) in-memory tree: p50 \(Spread(memoryP50).format("%.1f")) us, p99 \(Spread(memoryP99).format("%.1f")) us")
            print("(2) inclusion proof at \(size), (b) tiles read from disk: p50 \(Spread(tilesP50).format("%.1f")) us, p99 \(Spread(tilesP99).format("%.1f")) us")
            print("(2) verifying a proof: p50 \(Spread(verifyP50).format("%.1f")) us (every proof, (a) and (b), verified)")
        }

        /// Append, ask a witness (the pure logic, in process) to cosign with a consistency proof,
        /// assemble the cosigned checkpoint and publish it: timed per round.
        func measureWitnessRounds(log appender: LedgerAppender) async throws {
            let log = appender.log
            let cosigner = try CosignerKey.generate(name: "bench.haven/witness")
            let initial = try Checkpoint(parsing: try requireNote(await log.checkpoint).text)
            // The witness has cosigned the log as it stands; each round extends it by one entry.
            let start = try AddCheckpointRequest(oldSize: 0, consistencyProof: [], note: try requireNote(await log.checkpoint))
            guard case .cosigned(_, var state) = try Witness.addCheckpoint(
                start, to: try WitnessedLog(origin: initial.origin, verifierKey: log.verifierKey), cosigner: cosigner,
                timestamp: Self.now())
            else { throw ValidationError("the witness refused the log's first checkpoint") }

            var totalP50: [Double] = []
            var totalP99: [Double] = []
            var appendP50: [Double] = []
            var entry = 1_000_000_000
            for _ in 0..<repetitions {
                var totals: [Double] = []
                var appendTimes: [Double] = []
                let deadline = ContinuousClock.now + .seconds(seconds)
                for _ in 0..<rounds where ContinuousClock.now < deadline {
                    let began = ContinuousClock.now
                    _ = try await appender.append(Self.entry(entry))
                    entry += 1
                    appendTimes.append((ContinuousClock.now - began).seconds * 1000)

                    let note = try requireNote(await log.checkpoint)
                    let newSize = try Checkpoint(parsing: note.text).size
                    let proof = try await log.consistencyProof(oldSize: state.latestSize, newSize: newSize)
                    let request = try AddCheckpointRequest(oldSize: state.latestSize, consistencyProof: proof.map(\.bytes), note: note)
                    // The witness parses the request body as it would arrive over HTTP.
                    let received = try AddCheckpointRequest(parsing: request.serialized)
                    let outcome = try Witness.addCheckpoint(received, to: state, cosigner: cosigner, timestamp: Self.now())
                    guard case .cosigned(_, let updated) = outcome else {
                        throw ValidationError("the witness refused: \(outcome.auditSentence)")
                    }
                    state = updated
                    let cosignatures = try CosignedCheckpoint.cosignatures(
                        fromResponse: Array(outcome.responseBody.utf8), for: note, witnessKey: cosigner.verifierKey)
                    let cosigned = try CosignedCheckpoint.assemble(logNote: note, cosignatures: cosignatures)
                    guard try await log.publish(cosigned: cosigned) else { throw ValidationError("the cosigned checkpoint was not the latest") }
                    totals.append((ContinuousClock.now - began).seconds * 1000)
                }
                totalP50.append(Self.percentile(totals, 50))
                totalP99.append(Self.percentile(totals, 99))
                appendP50.append(Self.percentile(appendTimes, 50))
            }
            print(
                "(3) witness round trip in process (append, add-checkpoint with consistency proof, cosign, assemble, publish): "
                    + "p50 \(Spread(totalP50).format("%.2f")) ms, p99 \(Spread(totalP99).format("%.2f")) ms; "
                    + "of which the durable append p50 \(Spread(appendP50).format("%.2f")) ms")
        }

        /// Appends/s through `appender` with `writers` tasks, each appending in turn, until
        /// `limit` appends or the deadline; also the mean appends per batch.
        static func appendRate(
            to appender: LedgerAppender, writers: Int, limit: Int, seconds: Double
        ) async throws -> (rate: Double, appendsPerBatch: Double) {
            let perWriter = max(1, limit / writers)
            let deadline = ContinuousClock.now + .seconds(seconds)
            let began = ContinuousClock.now
            let done = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var count = 0
                        while count < perWriter, ContinuousClock.now < deadline {
                            _ = try await appender.append(entry(writer * perWriter + count))
                            count += 1
                        }
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            let elapsed = (ContinuousClock.now - began).seconds
            let batches = await appender.batchesWritten
            return (Double(done) / elapsed, Double(done) / Double(max(1, batches)))
        }

        /// Small overwrites of one file, each followed by fsync: the disk's floor for a durable write.
        static func fsyncRate(in url: URL, limit: Int, seconds: Double) throws -> Double {
            let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw ValidationError("cannot create \(url.path)") }
            defer {
                close(descriptor)
                unlink(url.path)
            }
            let bytes = [UInt8](repeating: 0x2a, count: entrySize)
            let deadline = ContinuousClock.now + .seconds(seconds)
            let began = ContinuousClock.now
            var count = 0
            while count < limit, ContinuousClock.now < deadline {
                let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(count % 64 * entrySize)) }
                guard written == entrySize, fsync(descriptor) == 0 else { throw ValidationError("write + fsync failed") }
                count += 1
            }
            return Double(count) / (ContinuousClock.now - began).seconds
        }

        /// Entry `number`: 60 bytes, about the size of a record id, distinct per number.
        static func entry(_ number: Int) -> [UInt8] {
            var bytes = Array("bench.haven/record/".utf8)
            let digits = Array(String(number).utf8)
            bytes += [UInt8](repeating: UInt8(ascii: "0"), count: entrySize - bytes.count - digits.count) + digits
            return bytes
        }

        static func percentile(_ samples: [Double], _ percent: Int) -> Double {
            guard !samples.isEmpty else { return .nan }
            let sorted = samples.sorted()
            return sorted[min(sorted.count - 1, sorted.count * percent / 100)]
        }

        static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970) }

        /// The file system type and device that hold `path`, from /proc/self/mounts.
        static func filesystem(of path: String) -> String {
            guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "unknown file system" }
            let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            var best: (point: String, text: String) = ("", "unknown file system")
            for line in mounts.split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count >= 3 else { continue }
                let point = fields[1]
                let covers = resolved == point || resolved.hasPrefix(point == "/" ? "/" : point + "/")
                if covers, point.count >= best.point.count { best = (point, "\(fields[2]) on \(fields[0]), mounted at \(point)") }
            }
            return best.text
        }
    }
}

/// The checkpoint a log has once it holds entries.
private func requireNote(_ note: SignedNote?) throws -> SignedNote {
    guard let note else { throw ValidationError("the log has no checkpoint") }
    return note
}


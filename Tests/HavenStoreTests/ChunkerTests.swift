import Testing

@testable import HavenStore

struct ChunkerTests {
    static let standard = ChunkingParameters.standard
    /// Small chunks, so that the streaming paths are crossed many times on little data.
    static let small = ChunkingParameters(minimumSize: 64, averageSize: 256, maximumSize: 1024)

    @Test func chunksStayWithinTheSizeBoundsAndAverageNearTheTarget() {
        let data = seededBytes(count: 16 << 20, seed: 1)
        let sizes = chunks(of: data).map(\.count)
        #expect(sizes.dropLast().allSatisfy { (Self.standard.minimumSize...Self.standard.maximumSize).contains($0) })
        #expect(sizes.last.map { $0 <= Self.standard.maximumSize } == true)
        let average = Double(data.count) / Double(sizes.count)
        let target = Double(Self.standard.averageSize)
        #expect(average > target * 0.7 && average < target * 1.3, "average chunk size \(average)")
    }

    @Test func chunksConcatenateToTheInput() {
        let data = seededBytes(count: 3 << 20, seed: 2)
        let pieces = chunks(of: data)
        #expect(pieces.count > 10)
        #expect(Array(pieces.joined()) == data)
    }

    @Test(arguments: [1, 7, 4096, 65536, 262_143, 262_144, 262_145, 1 << 20])
    func pieceSizeDoesNotMoveBoundaries(pieceSize: Int) {
        let data = seededBytes(count: 2 << 20, seed: 3)
        let whole = chunks(of: data).map(\.count)
        let pieces = Array(repeating: pieceSize, count: data.count / pieceSize + 1)
        #expect(chunks(of: data, pieces: pieces).map(\.count) == whole)
    }

    @Test(arguments: [ChunkerTests.standard, ChunkerTests.small])
    func randomSplitsDoNotMoveBoundaries(parameters: ChunkingParameters) {
        let data = seededBytes(count: 2 << 20, seed: 4)
        let whole = chunks(of: data, parameters: parameters)
        var generator = SplitMix64(seed: 5)
        for _ in 0..<3 {
            var pieces: [Int] = []
            var total = 0
            while total < data.count {
                // Mostly small pieces, sometimes ones bigger than a whole window.
                let piece = generator.next() % 8 == 0 ? Int(generator.next() % 600_000) : Int(generator.next() % 5000)
                pieces.append(piece)
                total += piece
            }
            #expect(chunks(of: data, pieces: pieces, parameters: parameters) == whole)
        }
    }

    @Test func aOneByteChangeChangesAtMostThreeChunks() {
        let original = seededBytes(count: 8 << 20, seed: 6)
        var edited = original
        edited[original.count / 2] ^= 0x01
        let changed = newChunkIDs(in: edited, comparedWith: original)
        #expect((1...3).contains(changed), "\(changed) chunks changed")
    }

    @Test(arguments: [0, 1, 1000, 20000])
    func bytesInsertedNearTheStartChangeOnlyAFewChunks(offset: Int) {
        let original = seededBytes(count: 8 << 20, seed: 7)
        var edited = original
        edited.insert(contentsOf: seededBytes(count: 100, seed: 8), at: offset)
        let changed = newChunkIDs(in: edited, comparedWith: original)
        #expect((1...3).contains(changed), "\(changed) chunks changed")
    }

    @Test func emptyInputGivesNoChunks() {
        #expect(chunks(of: []).isEmpty)
        var chunker = Chunker()
        var count = 0
        chunker.finish { _ in count += 1 }
        #expect(count == 0)
    }

    @Test func inputShorterThanTheMinimumIsOneChunk() {
        let data = seededBytes(count: 1000, seed: 9)
        #expect(chunks(of: data) == [data])
        #expect(chunks(of: data, pieces: [10, 990]) == [data])
    }

    @Test func aRunOfOneByteValueIsCutAtTheMaximum() {
        #expect(chunks(of: [UInt8](repeating: 0, count: 1 << 20)).map(\.count) == [262_144, 262_144, 262_144, 262_144])
    }

    @Test func aChunkerCanBeReusedAfterFinish() {
        let data = seededBytes(count: 500_000, seed: 10)
        var chunker = Chunker()
        var first: [[UInt8]] = []
        var second: [[UInt8]] = []
        data.withUnsafeBytes { chunker.append($0) { first.append(Array($0)) } }
        chunker.finish { first.append(Array($0)) }
        data.withUnsafeBytes { chunker.append($0) { second.append(Array($0)) } }
        chunker.finish { second.append(Array($0)) }
        #expect(first == second)
    }

    /// Boundaries fix chunk ids, so they must never move. These sizes come from an independent
    /// model of the algorithm (gear value i = first 8 bytes of SHA-256 of byte i, masks of the
    /// top log2(average) ± 2 bits, cut after the byte whose fingerprint matches).
    @Test func boundariesAreFrozen() {
        #expect(GearTable.values[0] == 0x6e34_0b9c_ffb3_7a98)
        #expect(GearTable.values[1] == 0x4bf5_122f_3445_54c5)
        let data = seededBytes(count: 1 << 20, seed: 42)
        #expect(
            chunks(of: data).map(\.count) == [
                67812, 100_794, 87356, 64419, 39627, 95591, 89041, 69767, 16822, 69924, 66113, 62513, 88920, 87036,
                42841,
            ]
        )
        let smallData = seededBytes(count: 64 << 10, seed: 7)
        #expect(
            Array(chunks(of: smallData, parameters: Self.small).map(\.count).prefix(12)) == [
                262, 279, 321, 340, 454, 78, 404, 268, 338, 257, 301, 428,
            ]
        )
    }

    @Test func cutPointOfShortDataIsItsLength() {
        let data = seededBytes(count: Self.standard.minimumSize, seed: 11)
        #expect(data.withUnsafeBytes { Chunker.cutPoint(in: $0, parameters: Self.standard) } == data.count)
        #expect([UInt8]().withUnsafeBytes { Chunker.cutPoint(in: $0, parameters: Self.standard) } == 0)
    }

    @Test func anErrorFromEmitStopsTheStream() {
        struct Stop: Error {}
        var chunker = Chunker()
        var emitted = 0
        #expect(throws: Stop.self) {
            try seededBytes(count: 1 << 20, seed: 12).withUnsafeBytes { bytes in
                try chunker.append(bytes) { _ in
                    emitted += 1
                    throw Stop()
                }
            }
        }
        #expect(emitted == 1)
    }
}

/// Chunks `data`, fed to the chunker in `pieces` (sizes, cut short at the end of the data; the
/// rest in one piece if they do not cover it).
private func chunks(of data: [UInt8], pieces: [Int] = [], parameters: ChunkingParameters = .standard) -> [[UInt8]] {
    var chunker = Chunker(parameters: parameters)
    var output: [[UInt8]] = []
    data.withUnsafeBytes { bytes in
        var offset = 0
        for piece in pieces where offset < bytes.count {
            let end = min(offset + piece, bytes.count)
            chunker.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) { output.append(Array($0)) }
            offset = end
        }
        chunker.append(UnsafeRawBufferPointer(rebasing: bytes[offset...])) { output.append(Array($0)) }
    }
    chunker.finish { output.append(Array($0)) }
    return output
}

/// How many of the chunks of `edited` are not chunks of `original`.
private func newChunkIDs(in edited: [UInt8], comparedWith original: [UInt8]) -> Int {
    let known = Set(chunks(of: original).map { ContentID.hashing($0, codec: .raw) })
    return chunks(of: edited).filter { !known.contains(ContentID.hashing($0, codec: .raw)) }.count
}

/// Reproducible pseudo-random bytes, so that a failure can be replayed.
private func seededBytes(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 8)
    while bytes.count < count {
        withUnsafeBytes(of: generator.next().littleEndian) { bytes.append(contentsOf: $0) }
    }
    return Array(bytes.prefix(count))
}

/// SplitMix64 (Steele et al.): a tiny seedable generator, unlike the system one.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

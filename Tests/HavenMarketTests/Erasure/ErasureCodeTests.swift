import Testing
import HavenMarket

/// The (k, n) shapes Haven uses or might: cheap 2-of-3 and 3-of-4, wider 4-of-6 and 10-of-14.
private let shapes: [(k: Int, n: Int)] = [(3, 4), (2, 3), (4, 6), (10, 14)]

@Suite("ErasureCode")
struct ErasureCodeTests {
    @Test("encode then decode from the data shards returns the input", arguments: shapes)
    func roundTripsEverySize(shape: (k: Int, n: Int)) throws {
        let code = try ErasureCode(dataShards: shape.k, totalShards: shape.n)
        for size in [0, 1, shape.k - 1, shape.k, 4096 + 7, 1 << 20] {
            let data = randomBytes(size, seed: UInt64(size * 31 + shape.n))
            let shards = code.encode(data)
            #expect(shards.count == shape.n)
            #expect(shards.map(\.index) == Array(0..<shape.n))
            let length = code.shardLength(forOriginalLength: size)
            #expect(length % ErasureCode.shardAlignment == 0)
            #expect(length * shape.k >= size)
            #expect(shards.allSatisfy { $0.bytes.count == length && $0.originalLength == size })
            #expect(try code.decode(shards) == data, "\(shape.k)-of-\(shape.n), \(size) bytes")
            // Data shards alone are the input, zero padded: the code is systematic.
            #expect(Array(shards.prefix(shape.k).flatMap(\.bytes).prefix(size)) == data)
        }
    }

    @Test("a 1 MiB object decodes from the last k shards (mostly parity)", arguments: shapes)
    func largeObjectDecodesFromParity(shape: (k: Int, n: Int)) throws {
        let code = try ErasureCode(dataShards: shape.k, totalShards: shape.n)
        let data = randomBytes(1 << 20, seed: 7)
        let shards = code.encode(data)
        let lastK = Dictionary(uniqueKeysWithValues: shards.suffix(shape.k).map { ($0.index, $0.bytes) })
        #expect(try code.decode(lastK, originalLength: data.count) == data)
    }

    @Test("every choice of k surviving shards reconstructs exactly", arguments: shapes)
    func everySubsetOfKShardsDecodes(shape: (k: Int, n: Int)) throws {
        let code = try ErasureCode(dataShards: shape.k, totalShards: shape.n)
        let data = randomBytes(1000, seed: 99)
        let shards = code.encode(data)
        var subsets = 0
        for survivors in combinations(of: Array(0..<shape.n), choose: shape.k) {
            let available = Dictionary(uniqueKeysWithValues: survivors.map { ($0, shards[$0].bytes) })
            #expect(try code.decode(available, originalLength: data.count) == data, "survivors \(survivors)")
            subsets += 1
        }
        #expect(subsets == binomial(shape.n, shape.k))
    }

    @Test("repairing any one shard, data or parity, gives back its exact bytes", arguments: shapes)
    func repairRebuildsEachShard(shape: (k: Int, n: Int)) throws {
        let code = try ErasureCode(dataShards: shape.k, totalShards: shape.n)
        let shards = code.encode(randomBytes(10_000, seed: 5))
        for lost in 0..<shape.n {
            // From all the others, and from only k of them (the highest indices, parity first).
            let others = shards.filter { $0.index != lost }
            let all = Dictionary(uniqueKeysWithValues: others.map { ($0.index, $0.bytes) })
            let onlyK = Dictionary(uniqueKeysWithValues: others.suffix(shape.k).map { ($0.index, $0.bytes) })
            #expect(try code.repair(missing: lost, from: all) == shards[lost].bytes)
            #expect(try code.repair(missing: lost, from: onlyK) == shards[lost].bytes)
        }
    }

    @Test("repair ignores a (possibly bad) copy of the shard being rebuilt")
    func repairIgnoresTheTargetShard() throws {
        let code = try ErasureCode(dataShards: 3, totalShards: 4)
        let shards = code.encode(randomBytes(500, seed: 3))
        var available = Dictionary(uniqueKeysWithValues: shards.map { ($0.index, $0.bytes) })
        available[1] = [UInt8](repeating: 0xFF, count: shards[1].bytes.count)
        #expect(try code.repair(missing: 1, from: available) == shards[1].bytes)
    }

    @Test("the widest supported code, 200-of-255, round trips through parity")
    func widestCodeWorks() throws {
        let code = try ErasureCode(dataShards: 200, totalShards: ErasureCode.maxTotalShards)
        let data = randomBytes(100_000, seed: 255)
        let shards = code.encode(data)
        let lastK = Dictionary(uniqueKeysWithValues: shards.suffix(200).map { ($0.index, $0.bytes) })
        #expect(try code.decode(lastK, originalLength: data.count) == data)
        #expect(try code.repair(missing: 0, from: lastK) == shards[0].bytes)
    }

    @Test("1-of-n decodes from any single shard (parity is a scaled copy, not a plain one)")
    func oneOfNDecodesFromAnyShard() throws {
        let code = try ErasureCode(dataShards: 1, totalShards: 3)
        let data = randomBytes(100, seed: 1)
        let shards = code.encode(data)
        #expect(Array(shards[0].bytes.prefix(100)) == data)
        for shard in shards {
            #expect(try code.decode([shard.index: shard.bytes], originalLength: 100) == data)
        }
    }

    /// The code corrects erasures, not errors: a flipped byte in a surviving shard silently
    /// yields different output. Callers must hash-check shards before decoding.
    @Test("a corrupt surviving shard changes the output undetected, so callers must check hashes")
    func corruptionIsNotDetected() throws {
        let code = try ErasureCode(dataShards: 3, totalShards: 4)
        let data = randomBytes(5000, seed: 11)
        let shards = code.encode(data)
        let hashes = shards.map { fnv1a($0.bytes) }

        var survivors = Dictionary(uniqueKeysWithValues: shards.dropFirst().map { ($0.index, $0.bytes) })
        survivors[3]![17] ^= 0x01  // corrupt the parity shard used to rebuild shard 0
        let decoded = try code.decode(survivors, originalLength: data.count)  // no error thrown
        #expect(decoded != data)
        #expect(decoded.count == data.count)

        // What the caller must do: drop shards whose hash no longer matches, then decode.
        let verified = survivors.filter { fnv1a($0.value) == hashes[$0.key] }
        #expect(verified.keys.sorted() == [1, 2])
        #expect(throws: ErasureError.tooFewShards(available: 2, required: 3)) {
            try code.decode(verified, originalLength: data.count)
        }
    }
}

@Suite("ErasureCode input validation")
struct ErasureCodeValidationTests {
    @Test("parameters outside 1 ≤ k < n ≤ 255 are refused", arguments: [(0, 3), (3, 3), (4, 3), (-1, 2), (10, 256), (1, 300)])
    func rejectsBadShapes(shape: (Int, Int)) {
        #expect(throws: ErasureError.invalidConfiguration(dataShards: shape.0, totalShards: shape.1)) {
            try ErasureCode(dataShards: shape.0, totalShards: shape.1)
        }
    }

    @Test("fewer than k shards is an error, for decode and for repair")
    func tooFewShards() throws {
        let code = try ErasureCode(dataShards: 4, totalShards: 6)
        let shards = code.encode(randomBytes(300, seed: 2))
        let three = Dictionary(uniqueKeysWithValues: shards.prefix(3).map { ($0.index, $0.bytes) })
        #expect(throws: ErasureError.tooFewShards(available: 3, required: 4)) {
            try code.decode(three, originalLength: 300)
        }
        // Four shards, but one of them is the target: only three usable.
        let four = Dictionary(uniqueKeysWithValues: shards.prefix(4).map { ($0.index, $0.bytes) })
        #expect(throws: ErasureError.tooFewShards(available: 3, required: 4)) {
            try code.repair(missing: 0, from: four)
        }
        #expect(throws: ErasureError.tooFewShards(available: 0, required: 4)) { try code.decode([Shard]()) }
    }

    @Test("shards of different lengths are an error")
    func mismatchedLengths() throws {
        let code = try ErasureCode(dataShards: 2, totalShards: 3)
        let shards = code.encode(randomBytes(300, seed: 4))
        var available = Dictionary(uniqueKeysWithValues: shards.map { ($0.index, $0.bytes) })
        available[2]!.removeLast()
        #expect(throws: ErasureError.inconsistentShardLengths(index: 2, length: 191, expected: 192)) {
            try code.decode(available, originalLength: 300)
        }
        #expect(throws: ErasureError.inconsistentShardLengths(index: 2, length: 191, expected: 192)) {
            try code.repair(missing: 0, from: available)
        }
    }

    @Test("an original length that does not fit the shard length is an error")
    func wrongOriginalLength() throws {
        let code = try ErasureCode(dataShards: 2, totalShards: 3)
        let shards = code.encode(randomBytes(300, seed: 4))
        let available = Dictionary(uniqueKeysWithValues: shards.map { ($0.index, $0.bytes) })
        #expect(throws: ErasureError.originalLengthMismatch(originalLength: 500, shardLength: 192, expectedShardLength: 256)) {
            try code.decode(available, originalLength: 500)
        }
        #expect(throws: ErasureError.self) { try code.decode(available, originalLength: -1) }
        // Anything that pads to the same shard length is accepted (the length is the caller's record).
        #expect(try code.decode(available, originalLength: 384).count == 384)
    }

    @Test("shard indices outside 0..<n are an error")
    func indexOutOfRange() throws {
        let code = try ErasureCode(dataShards: 2, totalShards: 3)
        let shards = code.encode(randomBytes(10, seed: 4))
        var available = Dictionary(uniqueKeysWithValues: shards.map { ($0.index, $0.bytes) })
        available[3] = shards[0].bytes
        #expect(throws: ErasureError.shardIndexOutOfRange(index: 3, totalShards: 3)) {
            try code.decode(available, originalLength: 10)
        }
        #expect(throws: ErasureError.shardIndexOutOfRange(index: -1, totalShards: 3)) {
            try code.repair(missing: -1, from: [0: shards[0].bytes, 1: shards[1].bytes])
        }
    }

    @Test("Shard values that disagree, or repeat an index, are refused")
    func inconsistentShardValues() throws {
        let code = try ErasureCode(dataShards: 2, totalShards: 3)
        let shards = code.encode(randomBytes(10, seed: 4))
        let other = Shard(index: 1, bytes: shards[1].bytes, originalLength: 11)
        #expect(throws: ErasureError.inconsistentOriginalLengths(10, 11)) { try code.decode([shards[0], other]) }
        #expect(throws: ErasureError.duplicateShard(index: 0)) { try code.decode([shards[0], shards[0], shards[1]]) }
    }

    @Test("error messages name the numbers involved")
    func messagesAreActionable() {
        #expect("\(ErasureError.tooFewShards(available: 2, required: 3))".contains("at least 3"))
        #expect("\(ErasureError.invalidConfiguration(dataShards: 3, totalShards: 3))".contains("≤ 255"))
    }
}

// MARK: - Fixtures

/// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var bytes = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        for shift in stride(from: 0, to: 64, by: 8) where i < count {
            bytes[i] = UInt8(truncatingIfNeeded: z >> UInt64(shift))
            i += 1
        }
    }
    return bytes
}

/// All `choose`-element subsets of `items`, in lexicographic order.
private func combinations(of items: [Int], choose k: Int) -> [[Int]] {
    guard k > 0 else { return [[]] }
    guard items.count >= k else { return [] }
    let head = items[0], tail = Array(items.dropFirst())
    return combinations(of: tail, choose: k - 1).map { [head] + $0 } + combinations(of: tail, choose: k)
}

private func binomial(_ n: Int, _ k: Int) -> Int {
    (0..<k).reduce(1) { $0 * (n - $1) / ($1 + 1) }
}

/// Stand-in for the SHA-256 a real caller stores per shard; enough to show the check.
private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
}

import CISAL

/// A systematic Reed–Solomon K-of-N erasure code over GF(2^8), computed by Intel ISA-L.
///
/// ``encode(_:)`` cuts an object into `dataShards` data shards plus `totalShards − dataShards`
/// parity shards; any `dataShards` of them rebuild the object (``decode(_:originalLength:)``) or any
/// single lost shard (``repair(missing:from:)``). The generator matrix is an identity block over a
/// Cauchy block (`gf_gen_cauchy1_matrix`), so every square submatrix is invertible and *every*
/// choice of `k` survivors works, for all `1 ≤ k < n ≤ 255`.
///
/// The code corrects erasures, not errors: it does not detect a corrupt shard, and decoding with
/// one yields wrong bytes. Callers must check each shard against its stored hash before passing it in.
///
/// All C interop for HavenMarket lives in this file; no pointer escapes it. ISA-L's functions keep no
/// state beyond a once-resolved CPU dispatch pointer, so a value may be used from any task at once.
public struct ErasureCode: Sendable, Hashable {
    /// The largest `totalShards` supported. The Cauchy construction needs `n` distinct field elements
    /// (so `n ≤ 256`); 255 is the bound ISA-L's own tests exercise and the one we promise.
    public static let maxTotalShards = 255
    /// Every shard's length is a multiple of this many bytes (one cache line, a whole number of SIMD
    /// vectors), so the data is padded to a multiple of `dataShards × shardAlignment`.
    public static let shardAlignment = 64

    /// Number of shards that hold data, `k`; also the number needed to decode.
    public let dataShards: Int
    /// Number of shards produced, `n`.
    public let totalShards: Int
    /// Number of shards that may be lost, `n − k`.
    public var parityShards: Int { totalShards - dataShards }

    /// The n×k generator matrix, row-major: identity rows `0..<k`, Cauchy rows `k..<n`.
    private let generator: [UInt8]
    /// ISA-L's expanded multiplication tables for the parity rows (32 × k × (n − k) bytes).
    private let parityTables: [UInt8]

    /// ISA-L takes lengths as `int`; longer shards are processed in slices of this size.
    private static let maxCallLength = 1 << 30

    /// Builds a `dataShards`-of-`totalShards` code; throws unless `1 ≤ k < n ≤ maxTotalShards`.
    public init(dataShards k: Int, totalShards n: Int) throws(ErasureError) {
        guard k >= 1, n > k, n <= Self.maxTotalShards else {
            throw .invalidConfiguration(dataShards: k, totalShards: n)
        }
        dataShards = k
        totalShards = n
        var matrix = [UInt8](repeating: 0, count: n * k)
        matrix.withUnsafeMutableBufferPointer { gf_gen_cauchy1_matrix($0.baseAddress, Int32(n), Int32(k)) }
        generator = matrix
        parityTables = Self.expandTables(Array(matrix[(k * k)...]), columns: k, rows: n - k)
    }

    /// The length of every shard produced when encoding `originalLength` bytes.
    public func shardLength(forOriginalLength originalLength: Int) -> Int {
        let stripe = dataShards * Self.shardAlignment
        return (originalLength + stripe - 1) / stripe * Self.shardAlignment
    }

    /// Cuts `data` into `totalShards` shards of equal length, in index order. Empty data gives
    /// empty shards.
    public func encode(_ data: [UInt8]) -> [Shard] {
        let length = shardLength(forOriginalLength: data.count)
        let dataParts: [[UInt8]] = (0..<dataShards).map { i in
            let start = min(i * length, data.count)
            let end = min(start + length, data.count)
            var part: [UInt8] = []
            part.reserveCapacity(length)
            part += data[start..<end]
            part += repeatElement(0, count: length - part.count)
            return part
        }
        let parityParts = Self.makeBuffers(count: parityShards, length: length) { outputs in
            Self.withPointers(to: dataParts) { sources in
                Self.multiply(
                    tables: parityTables, columns: dataShards, length: length,
                    sources: sources, outputs: outputs)
            }
        }
        return (dataParts + parityParts).enumerated().map {
            Shard(index: $0.offset, bytes: $0.element, originalLength: data.count)
        }
    }

    /// Rebuilds the original bytes from any `dataShards` or more shards, keyed by index.
    /// The shards must not be corrupt (check their hashes first); extra shards are ignored.
    public func decode(_ shards: [Int: [UInt8]], originalLength: Int) throws(ErasureError) -> [UInt8] {
        let length = try validate(shards)
        let expected = shardLength(forOriginalLength: max(originalLength, 0))
        guard originalLength >= 0, length == expected else {
            throw .originalLengthMismatch(
                originalLength: originalLength, shardLength: length, expectedShardLength: expected)
        }
        guard length > 0 else { return [] }
        let missing = (0..<dataShards).filter { shards[$0] == nil }
        let sources = Array(shards.keys.sorted().prefix(dataShards))
        let tables = missing.isEmpty ? [] : try recoveryTables(for: missing, from: sources)
        // Present data shards are copied, missing ones computed, straight into the result.
        return [UInt8](unsafeUninitializedCapacity: dataShards * length) { output, count in
            let base = output.baseAddress
            for (index, bytes) in shards where index < dataShards {
                bytes.withUnsafeBufferPointer { base!.advanced(by: index * length).update(from: $0.baseAddress!, count: length) }
            }
            if !missing.isEmpty {
                Self.withPointers(to: sources.map { shards[$0]! }) { inputs in
                    Self.multiply(
                        tables: tables, columns: dataShards, length: length,
                        sources: inputs, outputs: missing.map { base! + $0 * length })
                }
            }
            count = originalLength
        }
    }

    /// Rebuilds the original bytes from ``Shard`` values as returned by ``encode(_:)``.
    public func decode(_ shards: [Shard]) throws(ErasureError) -> [UInt8] {
        guard let first = shards.first else { throw .tooFewShards(available: 0, required: dataShards) }
        var byIndex: [Int: [UInt8]] = [:]
        for shard in shards {
            guard shard.originalLength == first.originalLength else {
                throw .inconsistentOriginalLengths(first.originalLength, shard.originalLength)
            }
            guard byIndex.updateValue(shard.bytes, forKey: shard.index) == nil else {
                throw .duplicateShard(index: shard.index)
            }
        }
        return try decode(byIndex, originalLength: first.originalLength)
    }

    /// Rebuilds shard `index` (data or parity) from any `dataShards` of the others. A shard already
    /// at `index` in `shards` is ignored, since the caller is replacing it.
    public func repair(missing index: Int, from shards: [Int: [UInt8]]) throws(ErasureError) -> [UInt8] {
        guard (0..<totalShards).contains(index) else {
            throw .shardIndexOutOfRange(index: index, totalShards: totalShards)
        }
        var others = shards
        others[index] = nil
        let length = try validate(others)
        let sources = Array(others.keys.sorted().prefix(dataShards))
        let tables = try recoveryTables(for: [index], from: sources)
        return Self.makeBuffers(count: 1, length: length) { outputs in
            Self.withPointers(to: sources.map { others[$0]! }) { inputs in
                Self.multiply(tables: tables, columns: dataShards, length: length, sources: inputs, outputs: outputs)
            }
        }[0]
    }

    // MARK: - Validation

    /// Checks indices, count and lengths; returns the common shard length.
    private func validate(_ shards: [Int: [UInt8]]) throws(ErasureError) -> Int {
        for index in shards.keys.sorted() where !(0..<totalShards).contains(index) {
            throw .shardIndexOutOfRange(index: index, totalShards: totalShards)
        }
        guard shards.count >= dataShards else {
            throw .tooFewShards(available: shards.count, required: dataShards)
        }
        let sorted = shards.sorted { $0.key < $1.key }
        let length = sorted[0].value.count
        for (index, bytes) in sorted where bytes.count != length {
            throw .inconsistentShardLengths(index: index, length: bytes.count, expected: length)
        }
        return length
    }

    // MARK: - Reconstruction

    /// ISA-L tables that compute the shards at `targets` from the shards at `sources` (exactly
    /// `dataShards` distinct indices, taken lowest first: data shards need no arithmetic to read).
    private func recoveryTables(for targets: [Int], from sources: [Int]) throws(ErasureError) -> [UInt8] {
        let k = dataShards

        // Survivors s_S = B·d, with B the generator's rows S; so d = B⁻¹·s_S, and any shard
        // t is A[t]·d = (A[t]·B⁻¹)·s_S.
        var survivors = [UInt8](repeating: 0, count: k * k)
        for (row, index) in sources.enumerated() {
            survivors[(row * k)..<((row + 1) * k)] = generator[(index * k)..<((index + 1) * k)]
        }
        var inverse = [UInt8](repeating: 0, count: k * k)
        let status = survivors.withUnsafeMutableBufferPointer { matrix in
            inverse.withUnsafeMutableBufferPointer { gf_invert_matrix(matrix.baseAddress, $0.baseAddress, Int32(k)) }
        }
        guard status == 0 else { throw .singularMatrix(shardIndices: sources) }

        var coefficients = [UInt8](repeating: 0, count: targets.count * k)
        for (row, target) in targets.enumerated() {
            for column in 0..<k {
                var sum: UInt8 = 0
                for m in 0..<k {
                    sum ^= gf_mul(generator[target * k + m], inverse[m * k + column])
                }
                coefficients[row * k + column] = sum
            }
        }
        return Self.expandTables(coefficients, columns: k, rows: targets.count)
    }

    // MARK: - ISA-L calls

    /// Expands a rows×columns coefficient matrix into ISA-L's lookup tables (`ec_init_tables`).
    private static func expandTables(_ coefficients: [UInt8], columns: Int, rows: Int) -> [UInt8] {
        var matrix = coefficients
        var tables = [UInt8](repeating: 0, count: 32 * columns * rows)
        matrix.withUnsafeMutableBufferPointer { m in
            tables.withUnsafeMutableBufferPointer { ec_init_tables(Int32(columns), Int32(rows), m.baseAddress, $0.baseAddress) }
        }
        return tables
    }

    /// `outputs[r][i] = Σ_j coefficient[r][j] · sources[j][i]` for `i < length` (`ec_encode_data`).
    /// Every pointer must address at least `length` bytes.
    private static func multiply(
        tables: [UInt8], columns: Int, length: Int,
        sources: [UnsafeMutablePointer<UInt8>], outputs: [UnsafeMutablePointer<UInt8>]
    ) {
        tables.withUnsafeBufferPointer { table in
            // ISA-L's prototypes are not const-correct; it only reads the tables and the sources.
            let tablePointer = UnsafeMutablePointer(mutating: table.baseAddress)
            var offset = 0
            while offset < length {
                let step = min(maxCallLength, length - offset)
                var inputs: [UnsafeMutablePointer<UInt8>?] = sources.map { $0 + offset }
                var results: [UnsafeMutablePointer<UInt8>?] = outputs.map { $0 + offset }
                ec_encode_data(Int32(step), Int32(columns), Int32(outputs.count), tablePointer, &inputs, &results)
                offset += step
            }
        }
    }

    /// Makes `count` arrays of `length` bytes whose contents `fill` writes through the pointers it is
    /// given (it must write every byte); each array's storage is allocated once and never copied.
    private static func makeBuffers(
        count: Int, length: Int, _ fill: ([UnsafeMutablePointer<UInt8>]) -> Void
    ) -> [[UInt8]] {
        guard length > 0 else { return Array(repeating: [], count: count) }
        func nest(_ collected: [UnsafeMutablePointer<UInt8>]) -> [[UInt8]] {
            guard collected.count < count else {
                fill(collected)
                return []
            }
            var rest: [[UInt8]] = []
            let first = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
                rest = nest(collected + [buffer.baseAddress!])
                initialized = length
            }
            return [first] + rest
        }
        return nest([])
    }

    /// Calls `body` with a pointer to the storage of each of `buffers` (all non-empty), valid only
    /// during the call; nests `withUnsafeBufferPointer` once per buffer, so no bytes are copied.
    private static func withPointers(
        to buffers: [[UInt8]], from position: Int = 0, collected: [UnsafeMutablePointer<UInt8>] = [],
        _ body: ([UnsafeMutablePointer<UInt8>]) -> Void
    ) {
        guard position < buffers.count else { return body(collected) }
        buffers[position].withUnsafeBufferPointer { buffer in
            let pointer = UnsafeMutablePointer(mutating: buffer.baseAddress!)
            withPointers(to: buffers, from: position + 1, collected: collected + [pointer], body)
        }
    }
}

import CVectorKernels

/// Vectors stored twice: as int8 codes with one scale per vector (`v ≈ code × scale`, scale =
/// max |component| / 127), which the graph search scores with integer dot products — a quarter
/// of the memory traffic of floats — and as the original floats, which re-rank the final
/// candidates so the scores returned are exact.
struct QuantizedVectors: Sendable {
    let dimension: Int
    /// `count × dimension` codes, row by row.
    var codes: [Int8] = []
    var scales: [Float] = []
    /// `count × dimension` floats, row by row.
    var floats: [Float] = []

    init(dimension: Int) { self.dimension = dimension }

    var count: Int { scales.count }

    /// A query prepared for scoring: its codes and scale, and its floats for re-ranking.
    struct Query {
        var codes: [Int8]
        var scale: Float
        var floats: [Float]
    }

    /// Appends `vector` (already checked to have `dimension` finite components).
    mutating func append(_ vector: [Float]) {
        let (vectorCodes, scale) = Self.quantise(vector)
        codes.append(contentsOf: vectorCodes)
        scales.append(scale)
        floats.append(contentsOf: vector)
    }

    static func quantise(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        var largest: Float = 0
        for component in vector { largest = max(largest, abs(component)) }
        guard largest > 0 else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let inverse = 127 / largest
        return (vector.map { Int8(($0 * inverse).rounded()) }, largest / 127)
    }

    static func query(_ vector: [Float]) -> Query {
        let (codes, scale) = quantise(vector)
        return Query(codes: codes, scale: scale, floats: vector)
    }

    /// The query made of the vector stored at `slot` (to insert it into the graph).
    func query(slot: Int) -> Query {
        let start = slot * dimension
        return Query(codes: Array(codes[start..<start + dimension]), scale: scales[slot],
                     floats: Array(floats[start..<start + dimension]))
    }

    /// Approximate dot product of `query` and the vector at `slot`, from the codes.
    @inline(__always)
    func score(_ query: Query, _ slot: Int32) -> Float {
        let dimension = dimension
        let sum = codes.withUnsafeBufferPointer { codes in
            query.codes.withUnsafeBufferPointer { queryCodes in
                Self.dot(queryCodes.baseAddress!, codes.baseAddress! + Int(slot) * dimension, dimension)
            }
        }
        return Float(sum) * query.scale * scales[Int(slot)]
    }

    /// Approximate dot product of the vectors at two slots.
    @inline(__always)
    func score(_ a: Int32, _ b: Int32) -> Float {
        let dimension = dimension
        let sum = codes.withUnsafeBufferPointer { codes in
            Self.dot(codes.baseAddress! + Int(a) * dimension, codes.baseAddress! + Int(b) * dimension, dimension)
        }
        return Float(sum) * scales[Int(a)] * scales[Int(b)]
    }

    /// Exact dot product of `query` and the float vector at `slot`.
    func exactScore(_ query: Query, _ slot: Int32) -> Float {
        let dimension = dimension
        return floats.withUnsafeBufferPointer { floats in
            query.floats.withUnsafeBufferPointer { queryFloats in
                Self.dot(queryFloats.baseAddress!, floats.baseAddress! + Int(slot) * dimension, dimension)
            }
        }
    }

    /// Int8 dot product in Int32: the C kernel, compiled for the widest vector unit the CPU
    /// has (AVX-512BW or AVX2 on x86-64; Swift code is built for the baseline, SSE2, which
    /// scores 8 codes per step instead of 32 or 64).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ count: Int) -> Int32 {
        haven_dot_i8(a, b, Int32(count))
    }

    /// Starts loading the codes of `slot` into the CPU's caches (see ``HNSWGraph/searchLayer``).
    @inline(__always)
    func prefetch(_ slot: Int32) {
        let dimension = dimension
        codes.withUnsafeBufferPointer { codes in haven_prefetch(codes.baseAddress! + Int(slot) * dimension, Int32(dimension)) }
    }

    /// Float dot product with four independent sums, so it vectorises without fast-math.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var index = 0
        while index + 4 <= count {
            s0 += a[index] * b[index]
            s1 += a[index + 1] * b[index + 1]
            s2 += a[index + 2] * b[index + 2]
            s3 += a[index + 3] * b[index + 3]
            index &+= 4
        }
        while index < count {
            s0 += a[index] * b[index]
            index &+= 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}

/// Why an ``ErasureCode`` could not be built, or could not decode or repair the shards it was given.
///
/// Every case names the numbers involved so the caller can see which shard or parameter to fix.
/// None of them means "a shard is corrupt": the erasure code cannot tell (see ``ErasureCode``).
public enum ErasureError: Error, Equatable, Sendable {
    /// The code parameters are outside `1 ≤ dataShards < totalShards ≤ ErasureCode.maxTotalShards`.
    case invalidConfiguration(dataShards: Int, totalShards: Int)
    /// A shard index is not in `0..<totalShards`.
    case shardIndexOutOfRange(index: Int, totalShards: Int)
    /// Fewer distinct shards than `dataShards` were supplied, so the object cannot be rebuilt.
    case tooFewShards(available: Int, required: Int)
    /// The supplied shards do not all have the same length.
    case inconsistentShardLengths(index: Int, length: Int, expected: Int)
    /// The shards' length is not what encoding `originalLength` bytes produces.
    case originalLengthMismatch(originalLength: Int, shardLength: Int, expectedShardLength: Int)
    /// Shards handed over as ``Shard`` values disagree about the original length.
    case inconsistentOriginalLengths(Int, Int)
    /// The same shard index was supplied twice.
    case duplicateShard(index: Int)
    /// The surviving rows of the generator matrix could not be inverted. A Cauchy matrix makes this
    /// impossible, so seeing it means a bug in ``ErasureCode`` (or in ISA-L), not bad input.
    case singularMatrix(shardIndices: [Int])
}

extension ErasureError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidConfiguration(let k, let n):
            "an erasure code needs 1 ≤ data shards < total shards ≤ \(ErasureCode.maxTotalShards); got \(k) of \(n)"
        case .shardIndexOutOfRange(let index, let n):
            "shard index \(index) is outside 0..<\(n) for this \(n)-shard code; check which code the shards came from"
        case .tooFewShards(let available, let required):
            "only \(available) usable shard(s); at least \(required) are needed to rebuild the object — fetch more shards"
        case .inconsistentShardLengths(let index, let length, let expected):
            "shard \(index) is \(length) bytes but the others are \(expected); drop it or fetch it again"
        case .originalLengthMismatch(let original, let shardLength, let expected):
            "shards are \(shardLength) bytes but a \(original)-byte object encodes to \(expected)-byte shards; "
                + "check the original length recorded with the shards"
        case .inconsistentOriginalLengths(let a, let b):
            "the shards record different original lengths (\(a) and \(b)); they come from different objects"
        case .duplicateShard(let index):
            "shard \(index) was supplied twice; pass each shard once"
        case .singularMatrix(let indices):
            "internal error: the decoding matrix for shards \(indices) is singular; please report this"
        }
    }
}

/// Why a replica could not be made or read back.
public enum ReplicaError: Error, Equatable, Sendable, CustomStringConvertible {
    case encryption(String)
    /// A sealed segment (a shard leaf) did not authenticate: the provider's copy is damaged.
    case damagedSegment(Int)
    /// A shard does not match the commitment kept for it.
    case commitmentMismatch(shard: Int)
    /// A replica's key, commitment or shard is missing for an index.
    case missing(shard: Int)
    /// A backup archive could not be written or read back.
    case archive(String)
    case erasure(ErasureError)
    case challenge(ChallengeError)

    public var description: String {
        switch self {
        case .encryption(let reason): "a replica could not be encrypted: \(reason)"
        case .damagedSegment(let index): "segment \(index) of a replica does not authenticate: that copy is damaged"
        case .commitmentMismatch(let shard): "shard \(shard) does not match the Merkle root kept for it: it was changed or truncated"
        case .missing(let shard): "shard \(shard) has no key or commitment here"
        case .archive(let reason): "the backup archive is refused: \(reason)"
        case .erasure(let error): error.description
        case .challenge(let error): error.description
        }
    }
}

/// A store operation that cannot be carried out, with a message the user can act on.
public enum StoreError: Error, Equatable, Sendable {
    /// No current version of this path (never written, or deleted).
    case notFound(DataPath)
    /// The path has no version with this number.
    case versionNotFound(DataPath, Int)
    /// `If-Match` / `If-None-Match` did not hold: someone else wrote first.
    case preconditionFailed(DataPath, current: ContentID?)
    /// A file path was used where a directory is, or the other way round.
    case isDirectory(DataPath)
    /// The upload passed the configured limit.
    case tooLarge(limit: Int)
    /// A chunk referenced by the catalog is not on disk.
    case missingChunk(ContentID)
    /// A chunk's bytes no longer hash to its name.
    case damagedChunk(ContentID)
    /// The disk refused an operation.
    case io(operation: String, reason: String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let path): "nothing is stored at \(path)"
        case .versionNotFound(let path, let version): "\(path) has no version \(version); see its versions with ?versions"
        case .preconditionFailed(let path, let current):
            "\(path) is now at \(current.map { "\($0)" } ?? "no version"); the precondition (If-Match / If-None-Match) "
                + "does not hold, so nothing was written. Read it again and retry."
        case .isDirectory(let path): "\(path) is a directory; name a file"
        case .tooLarge(let limit): "the upload is larger than this server's limit of \(limit) bytes (limits.max_upload)"
        case .missingChunk(let id): "chunk \(id) is missing from objects/; the store is damaged"
        case .damagedChunk(let id): "chunk \(id) no longer matches its hash; the store is damaged"
        case .io(let operation, let reason): "cannot \(operation): \(reason)"
        }
    }
}

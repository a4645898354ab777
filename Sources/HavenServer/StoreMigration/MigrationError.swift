import HavenS3
import HavenStore

/// Why `haven store migrate --to s3` (or finishing one as `haven serve` starts) stopped, in
/// words that say what to do. Nothing is lost by any of them: the home's chunks stay on disk
/// until every one is verified in the bucket, and running again resumes.
public enum MigrationError: Error, Equatable, Sendable {
    /// `[store]` names no bucket.
    case noBucket
    /// `[store] backend` is `s3` already.
    case alreadyOnS3
    /// The bucket failed a request (a refused key, a missing bucket, an unreachable service).
    case bucket(S3Error)
    /// A chunk file on disk does not hold the chunk its name says.
    case damagedLocalChunk(ContentID)
    /// The catalog references a chunk that is neither on disk nor verified in the bucket.
    case missingChunk(ContentID)
    /// What the bucket returned for a chunk is not what was sent, even after writing it again.
    case verificationFailed(ContentID, reason: String)
    /// A server keeps adding chunks faster than passes catch them.
    case notSettling(passes: Int)
    /// The migration log, a chunk file or `haven.toml` cannot be read or written.
    case state(path: String, reason: String)
    /// `haven serve` with `backend = "s3"` found chunks on disk and no completed migration.
    case notMigrated(localChunks: Int)
}

extension MigrationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noBucket:
            "haven.toml has no S3 bucket: set endpoint, bucket and credentials_file under [store] "
                + "(check them with 'haven store check'), then run 'haven store migrate --to s3' again"
        case .alreadyOnS3: "this home keeps its chunks in S3 already ([store] backend = \"s3\"); there is nothing to migrate"
        case .bucket(let error): error.description
        case .damagedLocalChunk(let id):
            "the chunk file objects/\(id.hex.prefix(2))/\(id.hex) does not hold the chunk its name says; "
                + "nothing was uploaded for it. Run 'haven gc' if no file uses it, or restore it from a backup"
        case .missingChunk(let id):
            "the catalog references chunk \(id.hex), which is neither in objects/ nor verified in the bucket; "
                + "restore it from a backup before migrating"
        case .verificationFailed(let id, let reason):
            "chunk \(id.hex) read back from the bucket is not what was sent (\(reason)); the home stays on files"
        case .notSettling(let passes):
            "the server kept writing new chunks through \(passes) passes; run 'haven store migrate --to s3' again "
                + "when it is quieter (what is verified is kept)"
        case .state(let path, let reason): "cannot use \(path): \(reason)"
        case .notMigrated(let count):
            "[store] backend is \"s3\" but objects/ still holds \(count) chunks and no migration to this bucket "
                + "has completed; set backend = \"files\" and run 'haven store migrate --to s3'"
        }
    }
}

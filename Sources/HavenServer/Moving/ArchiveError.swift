import HavenStore

/// Why an export archive cannot be made or imported, with what to do about it. None of these
/// leaves a home behind: an import writes into a staging directory that is removed on error.
public enum ArchiveError: Error, Equatable, Sendable {
    /// The bytes are not a Haven export archive (not a CARv1 stream, or not one that starts
    /// with an export manifest).
    case notAnArchive(reason: String)
    /// The archive was written by a format this version does not read.
    case unsupportedFormat(String)
    /// The manifest does not parse or describes something impossible.
    case invalidManifest(reason: String)
    /// The manifest's signature is not by the key of the owner it names: altered, or forged.
    case badSignature(owner: String)
    /// The passphrase does not open the sealed identity key.
    case wrongPassphrase
    /// The sealed key opened, but it is not the key of the owner the manifest names.
    case keyMismatch(owner: String)
    /// A block's bytes do not hash to its id: the archive was damaged or altered.
    case damagedBlock(ContentID)
    /// A block is not the one the manifest says comes next.
    case unexpectedBlock(reason: String)
    /// A file's blocks, put together, are not the file the manifest signed.
    case fileMismatch(path: String)
    /// The chunks do not match the catalog in the archive.
    case chunksMismatch(reason: String)
    /// The stream ended before everything the manifest lists.
    case truncated(reason: String)
    /// A path in the manifest could escape the home or overwrite a file import makes itself.
    case unsafePath(String)
    /// A file of the archive or of the new home cannot be read or written.
    case io(path: String, reason: String)
    /// The export could not be taken on the server.
    case exportFailed(reason: String)
}

extension ArchiveError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notAnArchive(let reason):
            "this is not a Haven export archive (\(reason)); give the file 'haven export' wrote"
        case .unsupportedFormat(let format):
            "the archive is in the format '\(format)', which this version of Haven cannot import; use a newer Haven"
        case .invalidManifest(let reason):
            "the archive's manifest is not valid: \(reason)"
        case .badSignature(let owner):
            "the archive's manifest is not signed by \(owner), whom it names as owner: it was altered or forged"
        case .wrongPassphrase:
            "the passphrase does not open the identity key in the archive; give the passphrase used for 'haven export'"
        case .keyMismatch(let owner):
            "the identity key in the archive is not the key of \(owner), whom the manifest names: the archive was forged"
        case .damagedBlock(let id):
            "block \(id) of the archive does not match its content id: the archive was damaged or altered"
        case .unexpectedBlock(let reason):
            "the archive is not in the order its manifest gives: \(reason)"
        case .fileMismatch(let path):
            "\(path) in the archive is not the file the manifest signed: the archive was damaged or altered"
        case .chunksMismatch(let reason):
            "the archive's chunks do not match its catalog: \(reason)"
        case .truncated(let reason):
            "the archive ends early (\(reason)); it was cut off while being written or copied"
        case .unsafePath(let path):
            "the archive names the file '\(path)', which import refuses to write"
        case .io(let path, let reason):
            "cannot use \(path): \(reason)"
        case .exportFailed(let reason):
            "the export failed: \(reason)"
        }
    }
}

/// Why an ``HNSWIndex`` refused a vector, a query or a file. Every case that concerns a file
/// means the same thing to the caller: discard the file and rebuild the index from the catalog.
public enum HNSWError: Error, Equatable, Sendable {
    /// A vector or query of the wrong length for this index.
    case dimensionMismatch(expected: Int, found: Int)
    /// A vector with a NaN or infinite component.
    case nonFiniteVector(id: Int64)
    /// Parameters that cannot build a graph (e.g. `m` < 2 or dimension 0).
    case invalidParameters(reason: String)
    /// The file could not be read or written (permissions, disk full, missing directory).
    case io(path: String, reason: String)
    /// The file is not an index file, is truncated, or its checksum does not match.
    case damagedFile(path: String, reason: String)
    /// The file was written by a format version this build does not read.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The file holds vectors of another dimension (the embedding model changed).
    case wrongDimension(path: String, found: Int, expected: Int)
}

extension HNSWError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let found):
            "vector has \(found) components but the index holds \(expected); embed with the index's model or rebuild the index"
        case .nonFiniteVector(let id):
            "vector for passage \(id) has a NaN or infinite component; re-embed the passage"
        case .invalidParameters(let reason):
            "invalid vector index parameters: \(reason)"
        case .io(let path, let reason):
            "cannot access vector index file \(path): \(reason); check the directory exists and is writable"
        case .damagedFile(let path, let reason):
            "vector index file \(path) is damaged (\(reason)); delete it and the index is rebuilt from the catalog"
        case .unsupportedVersion(let path, let found, let supported):
            "vector index file \(path) has format version \(found), this build reads \(supported);"
                + " it is rebuilt from the catalog"
        case .wrongDimension(let path, let found, let expected):
            "vector index file \(path) holds \(found)-dimensional vectors but the model gives \(expected); it is rebuilt from the catalog"
        }
    }
}

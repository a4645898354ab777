/// Why a content id or a manifest could not be read.
public enum ContentError: Error, Equatable, Sendable {
    /// The text is not a content id Haven accepts: a CIDv1 in lower-case base32 (multibase
    /// prefix `b`) with a sha2-256 multihash and the raw or dag-json codec.
    case invalidContentID(String, reason: String)
    /// The bytes are not a manifest: not JSON of the manifest's shape, or a field out of range.
    case malformedManifest(reason: String)
    /// The manifest says the file has `declared` bytes but its chunks add up to `chunkTotal`.
    case manifestSizeMismatch(declared: Int64, chunkTotal: Int64)
    /// The manifest is well formed but not written in canonical DAG-JSON, so its bytes would not
    /// hash to the id of the same manifest written by Haven.
    case manifestNotCanonical
}

extension ContentError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidContentID(let text, let reason):
            "'\(Self.abbreviated(text))' is not a Haven content id (a CIDv1 like bafkrei…): \(reason)"
        case .malformedManifest(let reason):
            "the manifest is malformed: \(reason)"
        case .manifestSizeMismatch(let declared, let chunkTotal):
            "the manifest says the file has \(declared) bytes but its chunks add up to \(chunkTotal)"
        case .manifestNotCanonical:
            "the manifest is not in canonical DAG-JSON (keys sorted, no whitespace, minimal escapes); "
                + "write it with Haven's encoder"
        }
    }

    /// Long input is cut in messages so that a pasted file does not flood a terminal or a log.
    private static func abbreviated(_ text: String) -> String {
        text.count <= 80 ? text : text.prefix(80) + "…"
    }
}

import HavenStore

/// Body of `GET /data/dir/`.
public struct DirectoryListing: Codable, Sendable {
    public let path: DataPath
    public let entries: [DirectoryEntry]
}

/// Body of `GET /data/path?versions`.
public struct VersionListing: Codable, Sendable {
    public let path: DataPath
    public let versions: [FileVersion]
}

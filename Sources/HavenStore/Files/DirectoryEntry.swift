import Foundation

/// One name in a directory listing: a file at its current version, or a subdirectory.
public struct DirectoryEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case file, directory }

    public let name: String
    public let path: DataPath
    public let kind: Kind
    /// For files: the current version's manifest, size, media type and time.
    public let id: ContentID?
    public let size: Int64?
    public let version: Int?
    public let mediaType: String?
    public let modifiedAt: Date?

    public init(
        name: String, path: DataPath, kind: Kind, id: ContentID? = nil, size: Int64? = nil, version: Int? = nil,
        mediaType: String? = nil, modifiedAt: Date? = nil
    ) {
        self.name = name
        self.path = path
        self.kind = kind
        self.id = id
        self.size = size
        self.version = version
        self.mediaType = mediaType
        self.modifiedAt = modifiedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, path, kind = "type", id, size, version
        case mediaType = "media_type"
        case modifiedAt = "modified_at"
    }

    /// Absent values are written as `null`, so every key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(path, forKey: .path)
        try container.encode(kind, forKey: .kind)
        try container.encode(id, forKey: .id)
        try container.encode(size, forKey: .size)
        try container.encode(version, forKey: .version)
        try container.encode(mediaType, forKey: .mediaType)
        try container.encode(modifiedAt, forKey: .modifiedAt)
    }
}

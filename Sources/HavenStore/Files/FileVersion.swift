import Foundation

/// One version of a path: the manifest it points at, or a deletion.
public struct FileVersion: Sendable, Equatable, Codable {
    public let path: DataPath
    /// 1 for the first write, one more for every later write or deletion.
    public let version: Int
    /// The manifest this version points at; `nil` when this version deleted the path.
    public let id: ContentID?
    public let size: Int64
    public let mediaType: String?
    public let createdAt: Date
    /// The principal that made this version.
    public let author: String
    /// For a version received from a peer: where it came from.
    public let origin: VersionOrigin?

    public var isDeletion: Bool { id == nil }

    public init(
        path: DataPath, version: Int, id: ContentID?, size: Int64, mediaType: String?, createdAt: Date, author: String,
        origin: VersionOrigin? = nil
    ) {
        self.path = path
        self.version = version
        self.id = id
        self.size = size
        self.mediaType = mediaType
        self.createdAt = createdAt
        self.author = author
        self.origin = origin
    }

    enum CodingKeys: String, CodingKey {
        case path, version, id, size, author, origin
        case mediaType = "media_type"
        case createdAt = "created_at"
        case deleted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(DataPath.self, forKey: .path)
        version = try container.decode(Int.self, forKey: .version)
        id = try container.decodeIfPresent(ContentID.self, forKey: .id)
        size = try container.decode(Int64.self, forKey: .size)
        mediaType = try container.decodeIfPresent(String.self, forKey: .mediaType)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        author = try container.decode(String.self, forKey: .author)
        origin = try container.decodeIfPresent(VersionOrigin.self, forKey: .origin)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(version, forKey: .version)
        try container.encode(id, forKey: .id)
        try container.encode(size, forKey: .size)
        try container.encode(mediaType, forKey: .mediaType)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(author, forKey: .author)
        try container.encode(isDeletion, forKey: .deleted)
        try container.encode(origin, forKey: .origin)
    }
}

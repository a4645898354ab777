import Foundation
import HavenStore

/// One file a capability lets its holder fetch, as `GET /exchange/v1/tree/{path}` lists it.
public struct TreeEntry: Sendable, Equatable, Codable {
    public let path: String
    public let version: Int
    /// The manifest's CID: fetch it from `/exchange/v1/manifest/{cid}`.
    public let manifest: ContentID
    public let size: Int64
    public let mediaType: String?

    public init(path: String, version: Int, manifest: ContentID, size: Int64, mediaType: String?) {
        self.path = path
        self.version = version
        self.manifest = manifest
        self.size = size
        self.mediaType = mediaType
    }

    enum CodingKeys: String, CodingKey {
        case path, version, manifest, size
        case mediaType = "media_type"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(version, forKey: .version)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(size, forKey: .size)
        try container.encode(mediaType, forKey: .mediaType)
    }
}

/// The answer of `GET /exchange/v1/tree/{path}`.
public struct TreeListing: Sendable, Equatable, Codable {
    public let path: String
    public let entries: [TreeEntry]

    public init(path: String, entries: [TreeEntry]) {
        self.path = path
        self.entries = entries
    }
}

import Foundation
import HavenStore

/// The answer of `GET /exchange/v1/feed`: changes under the asked path that the capability
/// covers, in order, and the cursor to ask from next.
public struct FeedPage: Sendable, Equatable, Codable {
    /// Identifies the serving store's sequence; if it differs from the follower's, the follower
    /// starts over from 0.
    public let feedID: String
    public let changes: [FeedChange]
    /// Pass as `since` next time.
    public let next: Int64
    /// The newest sequence the store has.
    public let latest: Int64

    public init(feedID: String, changes: [FeedChange], next: Int64, latest: Int64) {
        self.feedID = feedID
        self.changes = changes
        self.next = next
        self.latest = latest
    }

    enum CodingKeys: String, CodingKey {
        case changes, next, latest
        case feedID = "feed_id"
    }
}

/// One change in a feed: a path got a new version, or was deleted.
public struct FeedChange: Sendable, Equatable, Codable {
    public let sequence: Int64
    public let path: String
    public let version: Int
    /// The manifest of the new version; `nil` for a deletion.
    public let manifest: ContentID?
    public let deleted: Bool
    public let size: Int64
    public let mediaType: String?

    public init(_ change: Change) {
        self.sequence = change.sequence
        self.path = change.version.path.string
        self.version = change.version.version
        self.manifest = change.version.id
        self.deleted = change.version.isDeletion
        self.size = change.version.size
        self.mediaType = change.version.mediaType
    }

    enum CodingKeys: String, CodingKey {
        case path, version, manifest, deleted, size
        case sequence = "seq"
        case mediaType = "media_type"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(path, forKey: .path)
        try container.encode(version, forKey: .version)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(size, forKey: .size)
        try container.encode(mediaType, forKey: .mediaType)
    }
}

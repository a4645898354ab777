import Foundation
import HavenStore

/// A message as the receiver keeps it, under `/inbox/<peer>/<id>.json` (or
/// `/inbox/requests/<did>/<id>.json` from a sender it does not know).
public struct ReceivedMessage: Sendable, Equatable, Codable {
    public let id: String
    /// The sender's principal, `peer:did:key:z…`.
    public let from: String
    /// The owner's name for the sender, when it is a known peer.
    public let fromName: String?
    public let subject: String?
    public let text: String
    public let attachments: [Attachment]
    public let sentAt: Date?
    public let receivedAt: Date
    /// Where the message is stored here.
    public let path: String
    /// From a sender that is not a peer yet: kept apart, attachments not fetched.
    public let request: Bool

    /// An attachment and where it lands here once fetched.
    public struct Attachment: Sendable, Equatable, Codable {
        public let name: String
        public let path: String
        public let manifest: ContentID?
        public let size: Int64?
        /// The local path it is fetched to (nil for requests, which are not fetched).
        public let localPath: String?

        enum CodingKeys: String, CodingKey {
            case name, path, manifest, size
            case localPath = "local_path"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(path, forKey: .path)
            try container.encode(manifest, forKey: .manifest)
            try container.encode(size, forKey: .size)
            try container.encode(localPath, forKey: .localPath)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, from, subject, text, attachments, path, request
        case fromName = "from_name"
        case sentAt = "sent_at"
        case receivedAt = "received_at"
    }

    public init(
        id: String, from: String, fromName: String?, subject: String?, text: String, attachments: [Attachment],
        sentAt: Date?, receivedAt: Date, path: String, request: Bool
    ) {
        self.id = id
        self.from = from
        self.fromName = fromName
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.path = path
        self.request = request
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(from, forKey: .from)
        try container.encode(fromName, forKey: .fromName)
        try container.encode(subject, forKey: .subject)
        try container.encode(text, forKey: .text)
        try container.encode(attachments, forKey: .attachments)
        try container.encode(sentAt, forKey: .sentAt)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(path, forKey: .path)
        try container.encode(request, forKey: .request)
    }
}

import Foundation
import HavenStore

/// A small signed message one Haven pushes to another's inbox (`POST /exchange/v1/inbox`).
/// Bulk data never travels in it: attachments are paths, CIDs and the capability to fetch
/// them, and the receiver pulls them itself.
public struct InboxMessage: Sendable, Equatable, Codable {
    /// The most bytes a message body may have.
    public static let maximumSize = 64 << 10
    /// The most attachments one message may carry.
    public static let maximumAttachments = 16

    /// Chosen by the sender; a second message with the same id from the same sender is the same message.
    public let id: String
    public let subject: String?
    public let text: String
    public let attachments: [Attachment]
    public let sentAt: Date?

    /// A file the receiver may fetch from the sender.
    public struct Attachment: Sendable, Equatable, Codable {
        /// The file name to save it under.
        public let name: String
        /// The path on the sender.
        public let path: String
        public let manifest: ContentID?
        public let size: Int64?
        /// A capability token (issued by the sender to the receiver) that covers `path`.
        public let capability: String

        public init(name: String, path: String, manifest: ContentID?, size: Int64?, capability: String) {
            self.name = name
            self.path = path
            self.manifest = manifest
            self.size = size
            self.capability = capability
        }
    }

    public init(id: String, subject: String?, text: String, attachments: [Attachment] = [], sentAt: Date? = nil) {
        self.id = id
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.sentAt = sentAt
    }

    enum CodingKeys: String, CodingKey {
        case id, subject, text, attachments
        case sentAt = "sent_at"
    }

    /// A fresh random id.
    public static func newID() -> String {
        UUID().uuidString.lowercased()
    }

    /// Refuses what a receiver must not store: a bad id, an empty or oversized text, too many
    /// attachments, an attachment whose name or path cannot be used.
    public func validate() throws(ExchangeError) {
        guard (1...128).contains(id.utf8.count),
            id.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }), id.first != "."
        else { throw .invalidMessage("an id has 1 to 128 letters, digits, '-', '_' or '.' and does not start with '.'") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !attachments.isEmpty else {
            throw .invalidMessage("a message has a text or an attachment")
        }
        if let subject, subject.utf8.count > 256 { throw .invalidMessage("a subject has at most 256 bytes") }
        guard attachments.count <= Self.maximumAttachments else {
            throw .invalidMessage("a message carries at most \(Self.maximumAttachments) attachments")
        }
        for attachment in attachments {
            guard let path = try? DataPath(parsing: attachment.path), !path.isDirectory else {
                throw .invalidMessage("attachment path '\(attachment.path)' is not a file path")
            }
            guard let name = try? DataPath(parsing: "/" + attachment.name), !name.isDirectory, name.segments.count == 1 else {
                throw .invalidMessage("attachment name '\(attachment.name)' is not a file name")
            }
        }
    }
}

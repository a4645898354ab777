import Foundation
import GRDB
import HavenIdentity
import HavenStore

/// Receives inbox messages: stores each under `/inbox/`, once per (sender, id), and says
/// which attachments to fetch. Messages from peers the owner has not added go to
/// `/inbox/requests/` and their attachments are not fetched.
public struct Inbox: Sendable {
    let store: DataStore

    public init(store: DataStore) {
        self.store = store
    }

    /// What receiving a message did.
    public struct Receipt: Sendable {
        public let message: ReceivedMessage
        /// False when the same id from the same sender had arrived before (nothing stored again).
        public let isNew: Bool
    }

    /// Stores `message` from `sender` (`peer` when it is a known peer).
    public func receive(_ message: InboxMessage, from sender: DID, peer: Peer?, at time: Date = Date()) async throws -> Receipt {
        try message.validate()
        // Whole seconds: what the stored JSON keeps, so a message reads back equal to itself.
        let now = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        let principal = Principal.peer(sender).description
        let folder = peer.map { "/inbox/\($0.name)/" } ?? "/inbox/requests/\(sender.description.dropFirst("did:key:".count))/"
        let path = try DataPath(parsing: folder + message.id + ".json")
        if let existing = try store.catalog.read({ db in
            try String.fetchOne(
                db, sql: "SELECT path FROM inbox_message WHERE sender = ? AND id = ?", arguments: [sender.description, message.id])
        }), let version = try store.version(of: DataPath(parsing: existing)) {
            let stored = try JSONDecoder.inbox.decode(ReceivedMessage.self, from: Data(try await store.contents(of: version)))
            return Receipt(message: stored, isNew: false)
        }
        let attachmentFolder = folder + message.id + "/"
        let received = ReceivedMessage(
            id: message.id, from: principal, fromName: peer?.name, subject: message.subject, text: message.text,
            attachments: message.attachments.map { attachment in
                ReceivedMessage.Attachment(
                    name: attachment.name, path: attachment.path, manifest: attachment.manifest, size: attachment.size,
                    localPath: peer == nil ? nil : attachmentFolder + attachment.name)
            }, sentAt: message.sentAt, receivedAt: now, path: path.string, request: peer == nil)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        try store.catalog.write { db in
            try db.execute(
                sql: "INSERT INTO inbox_message (sender, id, path, received_at) VALUES (?, ?, ?, ?)",
                arguments: [sender.description, message.id, path.string, now])
        }
        do {
            try await store.put(Array(try encoder.encode(received)), at: path, mediaType: "application/json", author: principal, at: now)
        } catch {
            _ = try? store.catalog.write { db in
                try db.execute(
                    sql: "DELETE FROM inbox_message WHERE sender = ? AND id = ?", arguments: [sender.description, message.id])
            }
            throw error
        }
        return Receipt(message: received, isNew: true)
    }

    /// Every message kept, newest first (requests included).
    public func messages(limit: Int = 200) async throws -> [ReceivedMessage] {
        let paths = try store.catalog.read { db in
            try String.fetchAll(
                db, sql: "SELECT path FROM inbox_message ORDER BY received_at DESC LIMIT ?", arguments: [limit])
        }
        var messages: [ReceivedMessage] = []
        for path in paths {
            guard let version = try store.version(of: DataPath(parsing: path)),
                let bytes = try? await store.contents(of: version),
                let message = try? JSONDecoder.inbox.decode(ReceivedMessage.self, from: Data(bytes))
            else { continue }
            messages.append(message)
        }
        return messages
    }
}

extension JSONDecoder {
    static var inbox: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

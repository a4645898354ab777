import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenStore
import Hummingbird

/// `POST /haven/messages` sends a message to a peer's inbox (attachments travel as paths,
/// CIDs and a read capability minted for that peer, and the peer pulls them);
/// `GET /haven/inbox` lists the messages received.
struct MessageController {
    /// How long the capability minted for an attachment lasts.
    static let attachmentLifetime: TimeInterval = 30 * 24 * 3600

    let environment: ServerEnvironment

    func addRoutes(messages: RouterGroup<HavenRequestContext>, inbox: RouterGroup<HavenRequestContext>) {
        messages.post(use: send)
        inbox.get { _, context in
            _ = try context.requireOwner()
            return try DataController.json(
                InboxList(messages: try await environment.exchange.inbox.messages()), status: .ok, context: context)
        }
    }

    @Sendable func send(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: SendMessageRequest.self, context: context)
        let receipt = try await MessageSender(environment: environment)
            .send(to: body.to, subject: body.subject, text: body.text ?? "", attach: body.attach ?? [])
        return try DataController.json(receipt, status: .created, context: context)
    }
}

/// Sends one inbox message: what `POST /haven/messages` and the agents' `send_message` tool do.
struct MessageSender: Sendable {
    let environment: ServerEnvironment

    func send(to name: String, subject: String?, text: String, attach: [String]) async throws -> SentMessage {
        let clients = environment.exchange.clients
        let peer = try clients.peer(named: name)
        let now = Date()
        var attachments: [InboxMessage.Attachment] = []
        for text in attach {
            let path = try DataPath(parsing: text)
            guard let version = try environment.store.version(of: path) else { throw StoreError.notFound(path) }
            let capabilities = [Capability(resource: path.string, right: .read)]
            let expiry = now.addingTimeInterval(MessageController.attachmentLifetime)
            let (token, _) = try environment.catalog.mintShare(
                issuer: environment.ownerKey, audience: peer.did, capabilities: capabilities, expiresAt: expiry, at: now)
            attachments.append(
                InboxMessage.Attachment(
                    name: path.name, path: path.string, manifest: version.id, size: version.size, capability: token))
        }
        let message = InboxMessage(id: InboxMessage.newID(), subject: subject, text: text, attachments: attachments, sentAt: now)
        try message.validate()
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let bytes = Array(try encoder.encode(message))
        guard bytes.count <= InboxMessage.maximumSize else { throw ExchangeError.messageTooLarge(limit: InboxMessage.maximumSize) }
        let response = try await clients.client(for: peer).send(.POST, "/exchange/v1/inbox", body: bytes)
        let receipt = try response.decode(RemoteReceipt.self)
        return SentMessage(id: message.id, to: peer.name, path: receipt.path, duplicate: receipt.duplicate)
    }

    private struct RemoteReceipt: Decodable {
        let path: String
        let duplicate: Bool
    }
}

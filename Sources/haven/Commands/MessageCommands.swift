import ArgumentParser
import Foundation
import HavenExchange
import HavenServer

/// `haven send`: a message to a peer's inbox.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to a peer's inbox; attachments are fetched by the peer itself.",
        discussion: """
            'haven send alice --text "photos from Sunday" --attach /photos/sunday.jpg' delivers a small
            signed message; each attachment travels as its path and a read capability minted for alice,
            and alice's Haven pulls it.
            """
    )

    @OptionGroup var client: ClientOptions
    @Argument(help: "The peer's name.") var peer: String
    @Option(help: "The message text.") var text: String?
    @Option(help: "A subject line.") var subject: String?
    @Option(help: "A file to attach (repeatable).") var attach: [String] = []

    func validate() throws {
        guard text?.isEmpty == false || !attach.isEmpty else { throw ValidationError("give --text or --attach") }
        for path in attach { _ = try DataCommand.parsePath(path) }
    }

    func run() async throws {
        let sent: SentMessage = try await client.makeClient().post(
            "/haven/messages", body: SendMessageRequest(to: peer, subject: subject, text: text, attach: attach))
        StandardError.write("Delivered message \(sent.id) to \(sent.to)\(sent.duplicate ? " (it already had it)" : "").")
        print(sent.id)
    }
}

/// `haven inbox`: the messages peers sent.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox", abstract: "List the messages received (requests from unknown senders included).")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let client = try client.makeClient()
        if json {
            print(String(decoding: try await client.getRaw("/haven/inbox"), as: UTF8.self))
            return
        }
        let list: InboxList = try await client.get("/haven/inbox")
        let rows = list.messages.map { message in
            [TokenCommand.List.format(message.receivedAt), message.fromName ?? (message.request ? "request" : message.from),
             message.subject ?? "", String(message.text.prefix(60)), "\(message.attachments.count)"]
        }
        print(TokenCommand.List.table(header: ["RECEIVED", "FROM", "SUBJECT", "TEXT", "ATTACHMENTS"], rows: rows))
    }
}

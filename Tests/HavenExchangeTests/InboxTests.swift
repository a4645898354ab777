import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenExchange

@Suite struct InboxTests {
    let sender = IdentityKey().did

    @Test func aKnownPeersMessageIsStoredUnderItsNameOnce() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let inbox = Inbox(store: fixture.store)
        let peer = Peer(did: sender, name: "bob", url: "http://127.0.0.1:1", addedAt: Date())
        let message = InboxMessage(id: "m1", subject: "party", text: "at eight")
        let first = try await inbox.receive(message, from: sender, peer: peer)
        #expect(first.isNew && first.message.path == "/inbox/bob/m1.json" && !first.message.request)
        let again = try await inbox.receive(message, from: sender, peer: peer)
        #expect(!again.isNew && again.message == first.message)
        #expect(try fixture.store.versions(of: DataPath(parsing: "/inbox/bob/m1.json")).count == 1)
        #expect(try await inbox.messages().map(\.text) == ["at eight"])
    }

    @Test func anUnknownSendersMessageIsARequestWhoseAttachmentsAreNotFetched() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let message = InboxMessage(
            id: "m2", subject: nil, text: "hi",
            attachments: [.init(name: "a.jpg", path: "/photos/a.jpg", manifest: nil, size: 1, capability: "t")])
        let receipt = try await Inbox(store: fixture.store).receive(message, from: sender, peer: nil)
        #expect(receipt.message.request)
        #expect(receipt.message.path.hasPrefix("/inbox/requests/z6Mk"))
        #expect(receipt.message.attachments.map(\.localPath) == [nil])
    }

    @Test(arguments: [
        InboxMessage(id: "", subject: nil, text: "x"),
        InboxMessage(id: "../x", subject: nil, text: "x"),
        InboxMessage(id: ".hidden", subject: nil, text: "x"),
        InboxMessage(id: "ok", subject: nil, text: "  "),
        InboxMessage(id: "ok", subject: String(repeating: "s", count: 257), text: "x"),
        InboxMessage(
            id: "ok", subject: nil, text: "x",
            attachments: [.init(name: "a/b", path: "/photos/a", manifest: nil, size: nil, capability: "t")]),
        InboxMessage(
            id: "ok", subject: nil, text: "x",
            attachments: [.init(name: "a", path: "/photos/", manifest: nil, size: nil, capability: "t")]),
    ])
    func refusesMessagesThatCannotBeStored(message: InboxMessage) async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        await #expect(throws: ExchangeError.self) { try await Inbox(store: fixture.store).receive(message, from: sender, peer: nil) }
        #expect(try fixture.store.currentFiles().isEmpty)
    }

    @Test func unknownSendersAreLimitedToABurstThenRefilled() async {
        let limiter = SenderRateLimiter(burst: 2, perHour: 3600)
        let now = Date()
        #expect(await limiter.admit("a", at: now) == nil)
        #expect(await limiter.admit("a", at: now) == nil)
        #expect(await limiter.admit("a", at: now) != nil)
        #expect(await limiter.admit("b", at: now) == nil)
        #expect(await limiter.admit("a", at: now.addingTimeInterval(1.5)) == nil)
    }
}

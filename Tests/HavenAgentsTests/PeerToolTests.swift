import Foundation
import HavenAccess
import HavenIdentity
import HavenKnowledge
import HavenStore
import HavenTestSupport
import Synchronization
import Testing

@testable import HavenAgents

/// A messenger that answers from a table and records what it was asked.
final class RecordingMessenger: PeerMessenger {
    let asked = Mutex<[(peer: String, agent: String, question: String)]>([])
    let sent = Mutex<[(peer: String, text: String)]>([])

    func ask(peer: String, agent: String, question: String) async throws -> String {
        asked.withLock { $0.append((peer, agent, question)) }
        guard peer == "bob" else { throw PeerFailure() }
        return "The party starts at eight."
    }

    func send(peer: String, subject: String?, text: String) async throws -> String {
        sent.withLock { $0.append((peer, text)) }
        return "/inbox/alice/m1.json"
    }

    struct PeerFailure: Error, CustomStringConvertible {
        var description: String { "no peer is called that" }
    }
}

@Suite struct PeerToolTests {
    let directory: TemporaryDirectory
    let audit: AuditLog
    let messenger = RecordingMessenger()
    let toolBox: DataToolBox

    init() throws {
        directory = try TemporaryDirectory()
        let catalog = try Catalog.open(
            at: directory.path + "/catalog.sqlite",
            schema: CatalogSchema([.grants, .files, .changes, .grantNotBefore, .audit, .shares, .licences, .knowledge, .agents, .knowledgeVocabulary, .passagePaths]))
        let store = try DataStore(catalog: catalog, objectsDirectory: directory.path + "/objects")
        audit = AuditLog(catalog: catalog)
        let indexer = Indexer(store: store, embedder: NoEmbedder())
        toolBox = DataToolBox(
            store: store, search: PermittedSearch(retriever: indexer.retriever(), catalog: catalog, audit: audit),
            audit: audit, peers: messenger, onWrite: { _ in })
    }

    var agent: AgentDefinition {
        AgentDefinition(
            name: "assistant", description: "", instructions: "Help.", model: nil, tools: ["ask_peer", "send_message"],
            scopes: ["/"], maxSteps: 3)
    }

    @Test func theOwnersAssistantAsksAPeersAssistantAndUsesTheAnswer() async throws {
        defer { directory.remove() }
        let model = ScriptedModel([
            AgentReply(
                text: "", toolCalls: [AgentToolCall(name: "ask_peer", arguments: #"{"peer": "bob", "question": "When is the party?"}"#)]),
            AgentReply(text: "Bob's Haven says eight."),
        ])
        let added = try await AgentRunner(agent: agent, model: model, toolBox: toolBox).run(
            "Ask Bob's Haven what time the party is", for: ToolCaller(principal: .owner, agent: "assistant"))
        #expect(added.last?.content == "Bob's Haven says eight.")
        #expect(model.requests.last?.messages.last?.content == "The party starts at eight.")
        #expect(messenger.asked.withLock { $0.map(\.agent) } == ["assistant"])
        let entry = try #require(try audit.entries(principal: "owner").first)
        #expect(entry.action == "exchange.ask_peer" && entry.resource == "peer:bob" && entry.allowed)
    }

    @Test func anAppsAgentMayNotSpeakForThisServer() async throws {
        defer { directory.remove() }
        let result = try await toolBox.call(
            "ask_peer", arguments: .object(["peer": .string("bob"), "question": .string("x")], order: ["peer", "question"]),
            for: ToolCaller(principal: .app("phone"), agent: "assistant"))
        #expect(result.isError)
        #expect(messenger.asked.withLock { $0.isEmpty })
        let entry = try #require(try audit.entries(principal: "app:phone").first)
        #expect(entry.action == "exchange.ask_peer" && !entry.allowed)
    }

    @Test func aFailedAskComesBackToTheModelAsAnError() async throws {
        defer { directory.remove() }
        let result = try await toolBox.call(
            "ask_peer", arguments: .object(["peer": .string("nobody"), "question": .string("x")], order: ["peer", "question"]),
            for: ToolCaller(principal: .owner, agent: "assistant"))
        #expect(result.isError && result.text.contains("no peer is called that"))
    }

    @Test func sendMessageDeliversToThePeersInbox() async throws {
        defer { directory.remove() }
        let result = try await toolBox.call(
            "send_message", arguments: .object(["peer": .string("bob"), "text": .string("hi")], order: ["peer", "text"]),
            for: ToolCaller(principal: .owner, agent: "assistant"))
        #expect(!result.isError)
        #expect(messenger.sent.withLock { $0.map(\.text) } == ["hi"])
    }
}

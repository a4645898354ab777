import Crypto
import Foundation
import HavenAccess
import HavenIdentity
import HavenKnowledge
import HavenStore
import HavenTestSupport
import Synchronization
import Testing

@testable import HavenAgents

/// A model that answers from a script and remembers what it was asked.
final class ScriptedModel: AgentModel {
    private let replies: Mutex<[AgentReply]>
    private let seen = Mutex<[(messages: [AgentMessage], tools: [String])]>([])

    init(_ replies: [AgentReply]) {
        self.replies = Mutex(replies)
    }

    var requests: [(messages: [AgentMessage], tools: [String])] { seen.withLock { $0 } }

    func reply(to messages: [AgentMessage], tools: [ToolDefinition], requireTool: Bool) async throws -> AgentReply {
        seen.withLock { $0.append((messages, tools.map(\.name))) }
        return replies.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
    }
}

struct NoEmbedder: Embedder {
    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { _ in [Float](repeating: 0.5, count: 4) }
    }
}

@Suite struct AgentRunnerTests {
    let directory: TemporaryDirectory
    let catalog: Catalog
    let store: DataStore
    let audit: AuditLog
    let toolBox: DataToolBox

    init() async throws {
        directory = try TemporaryDirectory()
        catalog = try Catalog.open(
            at: directory.path + "/catalog.sqlite",
            schema: CatalogSchema([.grants, .files, .changes, .grantNotBefore, .audit, .shares, .licences, .knowledge, .agents, .knowledgeVocabulary, .passagePaths]))
        store = try DataStore(catalog: catalog, objectsDirectory: directory.path + "/objects")
        audit = AuditLog(catalog: catalog)
        let indexer = Indexer(store: store, embedder: NoEmbedder())
        toolBox = DataToolBox(
            store: store, search: PermittedSearch(retriever: indexer.retriever(), catalog: catalog, audit: audit),
            audit: audit, onWrite: { _ in })
        try await store.put(Array("The spare key is under the blue pot.".utf8), at: try DataPath(parsing: "/notes/key.md"),
                      mediaType: "text/markdown", author: "owner")
        try await store.put(Array("Bank PIN 1234".utf8), at: try DataPath(parsing: "/private/bank.txt"),
                      mediaType: "text/plain", author: "owner")
    }

    func agent(maxSteps: Int = 4, scopes: [String] = ["/"]) -> AgentDefinition {
        AgentDefinition(
            name: "helper", description: "", instructions: "Help.", model: nil, tools: BuiltInTools.all.map(\.name),
            scopes: scopes, maxSteps: maxSteps)
    }

    func grant(_ rights: [Right], on path: String, to principal: Principal) throws {
        try catalog.insertGrant(
            Grant(id: "g\(path)", principal: principal, rights: rights, resource: path, purpose: nil, createdAt: Date(),
                  expiresAt: nil, revokedAt: nil))
    }

    @Test func aToolRunsForThePrincipalAndItsResultReachesTheFinalTurn() async throws {
        defer { directory.remove() }
        let app = Principal.app("phone")
        try grant([.ai], on: "/notes/", to: app)
        let model = ScriptedModel([
            AgentReply(text: "", toolCalls: [AgentToolCall(name: "read", arguments: #"{"path": "/notes/key.md"}"#)]),
            AgentReply(text: "Under the blue pot."),
        ])
        let added = try await AgentRunner(agent: agent(), model: model, toolBox: toolBox).run(
            "Where is the key?", for: ToolCaller(principal: app))
        #expect(added.last == AgentMessage(role: .assistant, content: "Under the blue pot."))
        let final = try #require(model.requests.last)
        #expect(final.messages.last?.role == .tool)
        #expect(final.messages.last?.content == "The spare key is under the blue pot.")
        let entry = try #require(try audit.entries(principal: "app:phone").first)
        #expect(entry.action == "ai")
        #expect(entry.resource == "/notes/key.md")
        #expect(entry.allowed)
        #expect(entry.reason.hasPrefix("tool read by agent helper"))
    }

    @Test func aToolNeverReadsOutsideTheCallersGrants() async throws {
        defer { directory.remove() }
        let app = Principal.app("phone")
        try grant([.ai], on: "/notes/", to: app)
        let model = ScriptedModel([
            AgentReply(text: "", toolCalls: [AgentToolCall(name: "read", arguments: #"{"path": "/private/bank.txt"}"#)]),
            AgentReply(text: "I cannot see that."),
        ])
        _ = try await AgentRunner(agent: agent(), model: model, toolBox: toolBox).run("PIN?", for: ToolCaller(principal: app))
        let result = try #require(model.requests.last?.messages.last)
        #expect(result.content.hasPrefix("Error: app:phone"))
        #expect(!result.content.contains("1234"))
        let entry = try #require(try audit.entries(principal: "app:phone").first)
        #expect(entry.resource == "/private/bank.txt")
        #expect(!entry.allowed)
    }

    @Test func scopesNarrowTheOwner() async throws {
        defer { directory.remove() }
        let model = ScriptedModel([
            AgentReply(text: "", toolCalls: [AgentToolCall(name: "read", arguments: #"{"path": "/private/bank.txt"}"#)]),
            AgentReply(text: "No."),
        ])
        _ = try await AgentRunner(agent: agent(scopes: ["/notes/"]), model: model, toolBox: toolBox).run(
            "PIN?", for: ToolCaller(principal: .owner))
        let result = try #require(model.requests.last?.messages.last)
        #expect(result.content.contains("outside the scopes of agent helper"))
        #expect(!result.content.contains("1234"))
    }

    @Test func malformedCallsAndUnknownToolsComeBackAsErrors() async throws {
        defer { directory.remove() }
        let model = ScriptedModel([
            AgentReply(text: "", toolCalls: [
                AgentToolCall(name: "read", arguments: "{not json"),
                AgentToolCall(name: "launch_rocket", arguments: "{}"),
            ]),
            AgentReply(text: "Sorry."),
        ])
        let added = try await AgentRunner(agent: agent(), model: model, toolBox: toolBox).run(
            "Go", for: ToolCaller(principal: .owner))
        let results = added.filter { $0.role == .tool }.map(\.content)
        #expect(results.count == 2)
        #expect(results[0].hasPrefix("Error: the arguments of read are not valid JSON"))
        #expect(results[1].hasPrefix("Error: there is no tool 'launch_rocket'"))
        #expect(added.last?.content == "Sorry.")
    }

    @Test func theStepLimitForcesAnAnswer() async throws {
        defer { directory.remove() }
        let model = ScriptedModel([
            AgentReply(text: "still looking", toolCalls: [AgentToolCall(name: "list", arguments: #"{"path": "/"}"#)])
        ])
        let added = try await AgentRunner(agent: agent(maxSteps: 3), model: model, toolBox: toolBox).run(
            "Loop forever", for: ToolCaller(principal: .owner))
        #expect(model.requests.count == 3)
        #expect(model.requests.map(\.tools.isEmpty) == [false, false, true])
        #expect(added.last?.role == .assistant)
        #expect(added.filter { $0.role == .tool }.count == 2)
    }

    @Test func writeNoteStoresANewVersionUnderNotes() async throws {
        defer { directory.remove() }
        let model = ScriptedModel([
            AgentReply(text: "", toolCalls: [
                AgentToolCall(name: "write_note", arguments: #"{"name": "plan.md", "text": "Buy flour."}"#),
                AgentToolCall(name: "write_note", arguments: #"{"name": "../escape.md", "text": "x"}"#),
            ]),
            AgentReply(text: "Saved."),
        ])
        let added = try await AgentRunner(agent: agent(), model: model, toolBox: toolBox).run(
            "Note it", for: ToolCaller(principal: .owner))
        let version = try #require(try store.version(of: try DataPath(parsing: "/notes/plan.md")))
        #expect(try await store.contents(of: version) == Array("Buy flour.".utf8))
        #expect(added.filter { $0.role == .tool }.last?.content.hasPrefix("Error:") == true)
    }

    @Test func rememberAndRecallArePerPrincipal() async throws {
        defer { directory.remove() }
        let remember = ScriptedModel([
            AgentReply(text: "", toolCalls: [AgentToolCall(name: "remember", arguments: #"{"key": "dog", "value": "Rex"}"#)]),
            AgentReply(text: "OK."),
        ])
        _ = try await AgentRunner(agent: agent(), model: remember, toolBox: toolBox).run("x", for: ToolCaller(principal: .owner))
        let recall = { (principal: Principal) async throws -> String in
            let model = ScriptedModel([
                AgentReply(text: "", toolCalls: [AgentToolCall(name: "recall", arguments: #"{"key": "dog"}"#)]),
                AgentReply(text: "done"),
            ])
            _ = try await AgentRunner(agent: self.agent(), model: model, toolBox: self.toolBox).run("y", for: ToolCaller(principal: principal))
            return model.requests.last?.messages.last?.content ?? ""
        }
        #expect(try await recall(.owner) == "dog: Rex")
        #expect(try await recall(.app("other")) == "Nothing is remembered under dog.")
    }

    @Test func theDefaultAgentFileParses() async throws {
        let agent = try AgentDefinition(toml: AgentDefinition.assistantTOML, knownTools: BuiltInTools.all.map(\.name))
        #expect(agent.name == "assistant")
        #expect(agent.tools == ["search", "read", "list", "write_note", "remember", "recall"])
        #expect(throws: AgentError.invalidDefinition("unknown tool 'rm'; tools are search, read, list, write_note, remember, recall, ask_peer, send_message")) {
            try AgentDefinition(toml: "name = \"x\"\ninstructions = \"y\"\ntools = [\"rm\"]", knownTools: BuiltInTools.all.map(\.name))
        }
    }
}

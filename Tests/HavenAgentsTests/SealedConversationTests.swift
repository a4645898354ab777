import Foundation
import GRDB
import HavenStore
import HavenTestSupport
import Testing

@testable import HavenAgents

/// Conversations and memory of an encrypted home: sealed in the catalog, read back as written.
@Suite struct SealedConversationTests {
    let key = DataKey.generate()
    static let schema = CatalogSchema([.agents, .modelConversations])

    let messages = [
        AgentMessage(role: .user, content: "What did the letter from Aunt Philippa say?"),
        AgentMessage(role: .tool, content: "Dear niece, the apricot orchard is yours.", toolName: "read"),
        AgentMessage(role: .assistant, content: "She left you the apricot orchard."),
    ]

    func rawValues(_ catalog: Catalog) throws -> [DatabaseValue] {
        try catalog.read { db in
            try DatabaseValue.fetchAll(db, sql: "SELECT title FROM conversation")
                + DatabaseValue.fetchAll(db, sql: "SELECT message FROM conversation_message")
                + DatabaseValue.fetchAll(db, sql: "SELECT value FROM agent_memory")
        }
    }

    func fill(_ catalog: Catalog) throws -> String {
        let conversation = try catalog.createConversation(
            principal: "owner", agent: "assistant", title: "The letter from Aunt Philippa", at: Date())
        try catalog.append(messages, to: conversation.id, of: "owner", at: Date())
        try catalog.remember("Philippa's orchard grows apricots", key: "orchard", for: "owner", at: Date())
        return conversation.id
    }

    @Test func conversationsAndMemoryAreSealedAndReadBack() throws {
        let catalog = try Catalog.inMemory(schema: Self.schema, dataKey: key)
        let id = try fill(catalog)
        let conversation = try catalog.conversation(id, of: "owner")
        #expect(conversation.title == "The letter from Aunt Philippa")
        #expect(conversation.messages == messages)
        #expect(try catalog.conversations(of: "owner").map(\.title) == ["The letter from Aunt Philippa"])
        #expect(try catalog.recall(key: "orchard", for: "owner").map(\.value) == ["Philippa's orchard grows apricots"])
        let raw = try rawValues(catalog)
        #expect(raw.count == 5)
        for value in raw {
            guard case .blob(let bytes) = value.storage else {
                Issue.record("\(value) is not sealed")
                continue
            }
            #expect(bytes.range(of: Data("apricot".utf8)) == nil)
            #expect(bytes.range(of: Data("Philippa".utf8)) == nil)
        }
    }

    @Test func aPlainHomesConversationsAreSealedInPlace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path + "/catalog.sqlite"
        let plain = try Catalog.open(at: file, schema: Self.schema)
        let id = try fill(plain)
        try plain.close()
        let sealed = try Catalog.open(at: file, schema: Self.schema, dataKey: key)
        #expect(try sealed.sealExistingRows([.agentMemory, .conversations]).map(\.rows) == [1, 4])
        #expect(try sealed.sealExistingRows([.agentMemory, .conversations]).map(\.rows) == [0, 0])
        #expect(try sealed.conversation(id, of: "owner").messages == messages)
        #expect(try sealed.recall(key: nil, for: "owner").map(\.value) == ["Philippa's orchard grows apricots"])
        try sealed.compact()
        try sealed.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(bytes.range(of: Data("apricot".utf8)) == nil)
        #expect(bytes.range(of: Data("Philippa".utf8)) == nil)
    }
}

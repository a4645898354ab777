import HavenInference
import Testing

@testable import HavenAgents

@Suite struct BuiltInToolsTests {
    @Test func theToolsAreOfferedInAStableOrder() {
        #expect(
            BuiltInTools.all.map(\.name)
                == ["search", "read", "list", "write_note", "remember", "recall", "ask_peer", "send_message"])
    }

    @Test(arguments: BuiltInTools.all)
    func everySchemaIsAnObjectThatAToolGrammarCanEnforce(tool: ToolDefinition) throws {
        #expect(tool.parameters["type"] == .string("object"))
        #expect(!tool.description.isEmpty)
        _ = try JSONSchemaGrammar.grammar(for: tool.parameters)
    }

    @Test func requiredArgumentsAreTheOnesATaskCannotDoWithout() {
        let required = Dictionary(uniqueKeysWithValues: BuiltInTools.all.map { ($0.name, $0.parameters["required"]) })
        #expect(required["search"] == .array([.string("query")]))
        #expect(required["read"] == .array([.string("path")]))
        #expect(required["list"] == .array([]))
        #expect(required["write_note"] == .array([.string("name"), .string("text")]))
        #expect(required["remember"] == .array([.string("key"), .string("value")]))
        #expect(required["recall"] == .array([]))
    }

    @Test func searchDefaultsToFivePassagesAndListToTheRoot() {
        #expect(BuiltInTools.search.parameters["properties"]?["k"]?["default"] == .number(5))
        #expect(BuiltInTools.list.parameters["properties"]?["path"]?["default"] == .string("/"))
    }
}

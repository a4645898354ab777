import Foundation
import HavenAgents
import HavenInference
import Testing

@testable import HavenServer

@Suite struct AgentChatBodyTests {
    @Test func callsAndResultsArePairedByIdAndToolsOfferedAsFunctions() throws {
        let messages = [
            AgentMessage(role: .system, content: "Be brief."),
            AgentMessage(role: .user, content: "Find my notes."),
            AgentMessage(role: .assistant, content: "", toolCalls: [
                AgentToolCall(name: "search", arguments: #"{"query":"notes"}"#),
                AgentToolCall(name: "list", arguments: #"{"path":"/"}"#),
            ]),
            AgentMessage(role: .tool, content: "3 hits", toolName: "search"),
            AgentMessage(role: .tool, content: "a, b", toolName: "list"),
        ]
        let tool = ToolDefinition(name: "search", description: "Search", parameters: .object([:], order: []))
        let body = AgentChatBody.body(model: "m", messages: messages, tools: [tool], requireTool: true, maxTokens: 64)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(body)) as! [String: Any]
        let turns = json["messages"] as! [[String: Any]]
        #expect(turns.map { $0["role"] as! String } == ["system", "user", "assistant", "tool", "tool"])
        let ids = (turns[2]["tool_calls"] as! [[String: Any]]).map { $0["id"] as! String }
        #expect(ids.count == 2 && Set(ids).count == 2)
        #expect(turns[3]["tool_call_id"] as? String == ids[0])
        #expect(turns[4]["tool_call_id"] as? String == ids[1])
        #expect(json["tool_choice"] as? String == "required")
        #expect(((json["tools"] as! [[String: Any]])[0]["function"] as! [String: Any])["name"] as? String == "search")
        #expect(json["max_tokens"] as? Double == 64)
    }

    @Test func theReplyIsTheFirstChoicesTextAndCalls() {
        var answer = ChatAnswer()
        answer.add(.content(choice: 0, "Looking."))
        answer.add(.toolCall(choice: 0, call: 0, id: "c", name: "search", arguments: #"{"query":"x"}"#))
        let reply = AgentChatBody.reply(answer)
        #expect(reply.text == "Looking.")
        #expect(reply.toolCalls == [AgentToolCall(name: "search", arguments: #"{"query":"x"}"#)])
    }
}

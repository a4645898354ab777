import Foundation
import HavenAgents
import HavenInference
import HavenStore
import Testing

@testable import HavenServer

@Suite struct ResponsesTranslationTests {
    static func request(_ json: String) throws -> ResponsesRequest {
        try JSONDecoder().decode(ResponsesRequest.self, from: Data(json.utf8))
    }

    static let weatherTool = #"""
        {"type": "function", "name": "get_weather", "description": "Weather in a city",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
        """#

    @Test func textInputIsOneUserMessage() throws {
        let request = try Self.request(#"{"model": "m", "input": "Hello"}"#)
        #expect(try ResponsesTranslation.messages(from: request.input) == [AgentMessage(role: .user, content: "Hello")])
    }

    @Test func itemsBecomeMessagesWithCallsTogetherAndOutputsNamed() throws {
        let request = try Self.request(
            #"""
            {"model": "m", "input": [
              {"role": "developer", "content": "Be brief."},
              {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather in "}, {"type": "input_text", "text": "Oslo?"}]},
              {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"},
              {"type": "function_call", "call_id": "c2", "name": "get_time", "arguments": "{}"},
              {"type": "function_call_output", "call_id": "c1", "output": "{\"temp\": 3}"},
              {"type": "function_call_output", "call_id": "old", "output": "12:00"}
            ]}
            """#)
        let messages = try ResponsesTranslation.messages(from: request.input, knownCalls: ["old": "get_clock"])
        #expect(
            messages == [
                AgentMessage(role: .system, content: "Be brief."),
                AgentMessage(role: .user, content: "Weather in Oslo?"),
                AgentMessage(
                    role: .assistant, content: "",
                    toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo"}"#), .init(name: "get_time", arguments: "{}")]),
                AgentMessage(role: .tool, content: #"{"temp": 3}"#, toolName: "get_weather"),
                AgentMessage(role: .tool, content: "12:00", toolName: "get_clock"),
            ])
    }

    @Test func unsupportedInputIsRefusedWithWhatToSend() throws {
        #expect(throws: DecodingError.self) {
            try Self.request(#"{"model": "m", "input": [{"type": "item_reference", "id": "x"}]}"#)
        }
        #expect(throws: DecodingError.self) {
            try Self.request(#"{"model": "m", "input": [{"role": "user", "content": [{"type": "input_image", "image_url": "x"}]}]}"#)
        }
        #expect(throws: InferenceError.self) {
            try ResponsesTranslation.messages(from: .items([.message(role: "robot", text: "hi")]))
        }
        #expect(throws: InferenceError.self) { try ResponsesTranslation.messages(from: .items([])) }
        #expect(throws: InferenceError.self) { try ResponsesTranslation.messages(from: nil) }
    }

    @Test func theChatRequestHasInstructionsFirstToolsFormatAndLimits() throws {
        let request = try Self.request(
            #"{"model": "m", "input": "x", "instructions": "Answer in French.", "max_output_tokens": 40, "temperature": 0.2, "top_p": 0.9, "tools": ["#
                + Self.weatherTool + #"], "tool_choice": {"type": "function", "name": "get_weather"}}"#)
        let conversation = [
            AgentMessage(role: .user, content: "Weather?"),
            AgentMessage(role: .assistant, content: "", toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo"}"#)]),
            AgentMessage(role: .tool, content: "3 degrees", toolName: "get_weather"),
        ]
        let chat = try ResponsesTranslation.chatRequest(request, conversation: conversation)
        #expect(chat.messages.map(\.role) == ["system", "user", "assistant", "tool"])
        #expect(chat.messages[0].content?.text == "Answer in French.")
        #expect(chat.messages[2].content == nil)
        #expect(chat.messages[2].toolCalls?.first?.function.name == "get_weather")
        #expect(chat.maxCompletionTokens == 40 && chat.temperature == 0.2 && chat.topP == 0.9)
        #expect(chat.tools?.map(\.function.name) == ["get_weather"])
        #expect(chat.toolChoice == .function("get_weather"))

        // The chat path renders it: the call and its result reach the prompt.
        let plan = try ChatPlan(chat)
        #expect(plan.tools.map(\.name) == ["get_weather"])
        #expect(plan.messages.contains { $0.content.contains(#"<tool_call>"#) && $0.content.contains("Oslo") })
        #expect(plan.messages.contains { $0.role == "user" && $0.content.contains("<tool_response>\n3 degrees") })
    }

    @Test func aJSONSchemaFormatBecomesTheChatGrammar() throws {
        let request = try Self.request(
            #"{"model": "m", "input": "x", "text": {"format": {"type": "json_schema", "name": "city", "strict": true, "schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}}}"#)
        let chat = try ResponsesTranslation.chatRequest(request, conversation: [AgentMessage(role: .user, content: "x")])
        #expect(chat.responseFormat?.type == "json_schema")
        #expect(chat.responseFormat?.jsonSchema?.name == "city")
        let plan = try ChatPlan(chat)
        #expect(plan.grammar?.contains("name") == true)
    }

    @Test func hostedToolsAndLogprobsAreRefused() throws {
        let hosted = try Self.request(#"{"model": "m", "input": "x", "tools": [{"type": "web_search"}]}"#)
        #expect(throws: InferenceError.invalidParameter("tool type 'web_search' is not supported; Haven runs function tools")) {
            try ResponsesTranslation.chatRequest(hosted, conversation: [])
        }
        let logprobs = try Self.request(#"{"model": "m", "input": "x", "top_logprobs": 2}"#)
        #expect(throws: InferenceError.self) { try ResponsesTranslation.chatRequest(logprobs, conversation: []) }
    }

    @Test func outputItemsAndCallIDsDeriveFromTheResponseID() throws {
        let id = ResponseID(conversation: "conv_abc123", messageCount: 4)
        let answer = AgentMessage(
            role: .assistant, content: "Let me look.", toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
        let items = ResponsesTranslation.output(of: answer, id: id)
        #expect(
            items == [
                .message(id: "msg_abc123_4", status: "completed", text: "Let me look."),
                .functionCall(
                    id: "fc_abc123_4_0", callID: "call_abc123_4_0", name: "get_weather", arguments: #"{"city":"Oslo"}"#,
                    status: "completed"),
            ])
        #expect(ResponsesTranslation.calls(of: answer, id: id) == ["call_abc123_4_0": "get_weather"])
        let callsOnly = AgentMessage(role: .assistant, content: "", toolCalls: answer.toolCalls)
        #expect(ResponsesTranslation.output(of: callsOnly, id: id).count == 1)
        #expect(ResponsesTranslation.output(of: AgentMessage(role: .assistant, content: ""), id: id).count == 1)
    }

    @Test func responseIDsReadBackAndRefuseOtherText() {
        let id = ResponseID(conversation: "conv_0a1b", messageCount: 12)
        #expect(id.description == "resp_0a1b_12")
        #expect(ResponseID("resp_0a1b_12") == id)
        for text in ["resp_", "resp__3", "resp_ab_0", "resp_ab_x", "conv_ab_1", "resp_a-b_1", "resp_12"] {
            #expect(ResponseID(text) == nil, "\(text)")
        }
        #expect(ResponseID(ResponseID.unstored(messageCount: 2).description) != nil)
    }
}

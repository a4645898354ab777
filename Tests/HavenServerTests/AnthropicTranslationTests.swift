import Foundation
import HavenInference
import Testing

@testable import HavenServer

/// Anthropic's Messages API in and out of the shared chat path, without a server or a model.
@Suite struct AnthropicTranslationTests {
    func request(_ json: String) throws -> AnthropicMessagesRequest {
        try JSONDecoder().decode(AnthropicMessagesRequest.self, from: Data(json.utf8))
    }

    func chat(_ json: String) throws -> ChatCompletionRequest {
        try ChatCompletionRequest.translated(from: AnthropicTranslation.openAIBody(request(json), requireMaxTokens: true))
    }

    static let weather = #"""
        {"name": "get_weather", "description": "Weather now", "input_schema": {"type": "object",
         "properties": {"city": {"type": "string"}}, "required": ["city"]}}
        """#

    @Test func systemTextBlocksAndStringContentBecomeChatMessages() throws {
        let body = try chat(#"""
            {"model": "m", "max_tokens": 20, "system": [{"type": "text", "text": "Be brief."}],
             "messages": [{"role": "user", "content": "Hi"},
                          {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
                          {"role": "user", "content": [{"type": "text", "text": "Who"}, {"type": "text", "text": "are you?"}]}],
             "temperature": 0.5, "top_p": 0.9, "top_k": 10, "metadata": {"user_id": "u1"}}
            """#)
        #expect(body.messages.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(body.messages.map { $0.content?.text } == ["Be brief.", "Hi", "Hello", "Who\nare you?"])
        #expect(body.maxTokens == 20 && body.temperature == 0.5 && body.topP == 0.9 && body.topK == 10)
        #expect(try request(#"{"model": "m", "max_tokens": 1, "system": "Plain.", "messages": []}"#).system?.map(\.text) == ["Plain."])
    }

    @Test func toolUseAndToolResultBlocksBecomeCallsAndToolTurns() throws {
        let body = try chat(#"""
            {"model": "m", "max_tokens": 20, "tools": [\#(Self.weather)],
             "messages": [{"role": "user", "content": "Weather in Paris?"},
                          {"role": "assistant", "content": [{"type": "text", "text": "Let me look."},
                            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
                          {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                            "content": [{"type": "text", "text": "21 C"}]}, {"type": "text", "text": "And so?"}]}]}
            """#)
        #expect(body.messages.map(\.role) == ["user", "assistant", "tool", "user"])
        let call = try #require(body.messages[1].toolCalls?.first)
        #expect(call.id == "toolu_1" && call.function.name == "get_weather" && call.function.arguments == #"{"city":"Paris"}"#)
        #expect(body.messages[1].content?.text == "Let me look.")
        #expect(body.messages[2].toolCallID == "toolu_1" && body.messages[2].content?.text == "21 C")
        #expect(body.messages[3].content?.text == "And so?")
        let plan = try ChatPlan(body)
        #expect(plan.tools.map(\.name) == ["get_weather"])
    }

    @Test func aToolErrorReachesTheModelAsAnError() throws {
        let body = try chat(#"""
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "tool_result",
             "tool_use_id": "t", "content": "no such city", "is_error": true}]}]}
            """#)
        #expect(body.messages.map(\.role) == ["tool"])
        #expect(body.messages[0].content?.text == "Error: no such city")
    }

    @Test(arguments: [
        (#"{"type": "auto"}"#, ChatCompletionRequest.ToolChoice.auto),
        (#"{"type": "any"}"#, .required),
        (#"{"type": "tool", "name": "get_weather"}"#, .function("get_weather")),
        (#"{"type": "none"}"#, .none),
    ])
    func toolChoicesMapOneToOne(choice: String, expected: ChatCompletionRequest.ToolChoice) throws {
        let body = try chat(#"""
            {"model": "m", "max_tokens": 5, "tools": [\#(Self.weather)], "tool_choice": \#(choice),
             "messages": [{"role": "user", "content": "hi"}]}
            """#)
        #expect(body.toolChoice == expected)
    }

    @Test(arguments: [
        (#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#, "max_tokens"),
        (#"{"model": "m", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}"#, "max_tokens"),
        (#"{"model": "m", "max_tokens": 5, "messages": []}"#, "messages"),
        (#"{"model": "m", "max_tokens": 5, "temperature": 1.5, "messages": [{"role": "user", "content": "hi"}]}"#, "temperature"),
        (#"{"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "hi"}]}"#, "role"),
        (#"{"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]}"#, "'image'"),
        (#"{"model": "m", "max_tokens": 5, "tools": [{"type": "web_search_20250305", "name": "web_search"}], "messages": [{"role": "user", "content": "hi"}]}"#, "web_search_20250305"),
        (#"{"model": "m", "max_tokens": 5, "tool_choice": {"type": "tool"}, "messages": [{"role": "user", "content": "hi"}]}"#, "name"),
        (#"{"model": "m", "max_tokens": 5, "thinking": {"type": "enabled", "budget_tokens": 1024}, "messages": [{"role": "user", "content": "hi"}]}"#, "thinking"),
        (#"{"model": "m", "max_tokens": 5, "stop_sequences": [""], "messages": [{"role": "user", "content": "hi"}]}"#, "stop_sequences"),
    ])
    func badRequestsAreRefusedNamingTheField(json: String, field: String) throws {
        let parsed = try request(json)
        do {
            _ = try AnthropicTranslation.openAIBody(parsed, requireMaxTokens: true)
            Issue.record("accepted \(json)")
        } catch {
            guard case .invalidParameter(let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(message.contains(field), "\(message)")
        }
    }

    @Test func countTokensNeedsNoMaxTokensAndThinkingBlocksAreDropped() throws {
        let parsed = try request(#"""
            {"model": "m", "messages": [{"role": "user", "content": "hi"},
             {"role": "assistant", "content": [{"type": "thinking", "thinking": "hmm", "signature": "x"}, {"type": "text", "text": "Hello"}]}]}
            """#)
        let body = try ChatCompletionRequest.translated(from: AnthropicTranslation.openAIBody(parsed, requireMaxTokens: false))
        #expect(body.maxTokens == nil)
        #expect(body.messages.map { $0.content?.text } == ["hi", "Hello"])
    }

    @Test func stopReasonsFollowAnthropic() {
        #expect(AnthropicTranslation.stopReason(.stop, stopSequence: nil, madeCalls: false) == "end_turn")
        #expect(AnthropicTranslation.stopReason(.length, stopSequence: nil, madeCalls: false) == "max_tokens")
        #expect(AnthropicTranslation.stopReason(nil, stopSequence: "END", madeCalls: false) == "stop_sequence")
        #expect(AnthropicTranslation.stopReason(.stop, stopSequence: nil, madeCalls: true) == "tool_use")
    }

    @Test func anAnswerWithACallBecomesTextAndToolUseBlocks() throws {
        let plan = try ChatPlan(chat(#"""
            {"model": "m", "max_tokens": 50, "tools": [\#(Self.weather)], "messages": [{"role": "user", "content": "hi"}]}
            """#))
        let blocks = AnthropicTranslation.content(
            from: "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>", plan: plan)
        #expect(blocks.count == 2)
        #expect(blocks[0] == .text("Checking."))
        guard case .toolUse(let id, let name, let input) = blocks[1] else {
            Issue.record("no tool_use block")
            return
        }
        #expect(id.hasPrefix("toolu_") && name == "get_weather" && input["city"] == .string("Oslo"))
        #expect(AnthropicTranslation.content(from: "Just text.", plan: plan) == [.text("Just text.")])
    }

    @Test func theStopScannerNamesTheStopAndHoldsWhatMightStartOne() {
        var scanner = StopSequenceScanner(stops: ["END", "\n\nHuman:"])
        #expect(scanner.append("Hello E") == ("Hello ", nil))
        #expect(scanner.append("N") == ("", nil))
        #expect(scanner.append("X more") == ("ENX more", nil))
        #expect(scanner.append(" and\n\nHum") == (" and", nil))
        #expect(scanner.append("an: hi") == ("", "\n\nHuman:"))
        var other = StopSequenceScanner(stops: ["zz"])
        #expect(other.append("abz") == ("ab", nil))
        #expect(other.flush() == "z")
    }

    @Test func aStreamedAnswerIsOneTextBlockWithDeltas() {
        var translator = AnthropicStreamTranslator(stops: ["STOP"], tools: false)
        var events = translator.append("Hel") + translator.append("lo ST")
        #expect(!translator.stopped)
        events += translator.append("OP and more")
        #expect(translator.stopped && translator.stopSequence == "STOP")
        events += translator.finish()
        #expect(events == [
            .contentBlockStart(index: 0, block: .text("")), .textDelta(index: 0, text: "Hel"), .textDelta(index: 0, text: "lo "),
            .contentBlockStop(index: 0),
        ])
        #expect(translator.stopReason(nil) == "stop_sequence")
        #expect(translator.output == "Hello STOP")
    }

    @Test func aStreamedCallIsAToolUseBlockWithInputFragments() throws {
        var translator = AnthropicStreamTranslator(stops: [], tools: true)
        var events: [AnthropicStreamEvent] = []
        for piece in ["Sure.", "\n<tool_", "call>\n{\"name\": \"get_weather\", ", "\"arguments\": {\"city\"", ": \"Oslo\"}}\n</tool_call>"] {
            events += translator.append(piece)
        }
        events += translator.finish()
        #expect(events.first == .contentBlockStart(index: 0, block: .text("")))
        #expect(events.contains(.contentBlockStop(index: 0)))
        let start = try #require(events.firstIndex { if case .contentBlockStart(1, _) = $0 { true } else { false } })
        guard case .contentBlockStart(_, .toolUse(_, let name, _)) = events[start] else {
            Issue.record("no tool_use start")
            return
        }
        #expect(name == "get_weather")
        let input = events.compactMap { event -> String? in
            if case .inputJSONDelta(1, let fragment) = event { fragment } else { nil }
        }.joined()
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(input.utf8))["city"] == .string("Oslo"))
        #expect(events.last == .contentBlockStop(index: 1))
        #expect(translator.stopReason(.stop) == "tool_use")
    }

    @Test func anEmptyAnswerStillHasATextBlock() {
        var translator = AnthropicStreamTranslator(stops: [], tools: false)
        #expect(translator.finish() == [.contentBlockStart(index: 0, block: .text("")), .contentBlockStop(index: 0)])
        #expect(translator.stopReason(.length) == "max_tokens")
    }

    @Test func eventsGoOnTheWireWithTheirNames() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let delta = String(buffer: try AnthropicStreamEvent.inputJSONDelta(index: 1, partialJSON: "{\"a").serverSentEvent(encoder: encoder))
        #expect(delta == "event: content_block_delta\ndata: {\"delta\":{\"partial_json\":\"{\\\"a\",\"type\":\"input_json_delta\"},\"index\":1,\"type\":\"content_block_delta\"}\n\n")
        let end = String(buffer: try AnthropicStreamEvent.messageDelta(
            stopReason: "end_turn", stopSequence: nil, usage: AnthropicUsage(prompt: 10, cached: 4, output: 3)).serverSentEvent(encoder: encoder))
        #expect(end.hasPrefix("event: message_delta\ndata: "))
        #expect(end.contains(#""delta":{"stop_reason":"end_turn","stop_sequence":null}"#))
        #expect(end.contains(#""input_tokens":6"#) && end.contains(#""cache_read_input_tokens":4"#))
    }
}

extension AnthropicTranslationTests {
    @Test func outputConfigBecomesAJSONSchemaGrammar() throws {
        let body = try chat(#"""
            {"model": "m", "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}],
             "output_config": {"effort": "low", "format": {"type": "json_schema",
               "schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}}}
            """#)
        #expect(body.responseFormat?.type == "json_schema")
        #expect(try ChatPlan(body).grammar?.contains("name") == true)
        #expect(throws: InferenceError.self) {
            try chat(#"{"model": "m", "max_tokens": 5, "output_config": {"format": {"type": "yaml"}}, "messages": [{"role": "user", "content": "hi"}]}"#)
        }
    }
}

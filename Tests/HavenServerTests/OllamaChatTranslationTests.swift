import Foundation
import HavenInference
import Testing

@testable import HavenServer

/// Ollama's `/api/chat` in and out of the shared chat path, without a server or a model.
@Suite struct OllamaChatTranslationTests {
    func plan(_ json: String, system: String? = nil) throws -> (ChatCompletionRequest, ChatPlan) {
        let request = try JSONDecoder().decode(OllamaChatRequest.self, from: Data(json.utf8))
        let body = try ChatCompletionRequest.translated(from: OllamaChatTranslation.openAIBody(request, system: system))
        return (body, try ChatPlan(body))
    }

    static let weather = #"""
        {"type": "function", "function": {"name": "get_weather", "description": "Weather now",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
        """#

    @Test func toolsCallsAndResultsReachThePlan() throws {
        let (body, plan) = try plan(#"""
            {"model": "m", "tools": [\#(Self.weather)], "messages": [
              {"role": "user", "content": "Weather in Oslo?"},
              {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
              {"role": "tool", "content": "{\"temperature\": 3}", "tool_name": "get_weather"}]}
            """#)
        #expect(plan.tools.map(\.name) == ["get_weather"])
        #expect(body.messages[1].toolCalls?.first?.function.arguments == #"{"city":"Oslo"}"#)
        // The tools are offered in a system turn; the call and its result are in the conversation.
        #expect(plan.messages.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(plan.messages[2].content.contains("\"city\":\"Oslo\""))
        #expect(plan.messages[3].content.contains("temperature"))
        #expect(plan.grammar != nil)
    }

    @Test func theModelsSystemPromptComesFirstUnlessTheChatHasOne() throws {
        let (_, own) = try plan(#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#, system: "Be brief.")
        #expect(own.messages.map(\.role) == ["system", "user"] && own.messages[0].content == "Be brief.")
        let (_, theirs) = try plan(
            #"{"model": "m", "messages": [{"role": "system", "content": "Mine."}, {"role": "user", "content": "hi"}]}"#,
            system: "Be brief.")
        #expect(theirs.messages.map(\.content) == ["Mine.", "hi"])
    }

    @Test func formatBecomesTheResponseFormatsGrammar() throws {
        let (_, json) = try plan(#"{"model": "m", "format": "json", "messages": [{"role": "user", "content": "hi"}]}"#)
        #expect(json.grammar == JSONSchemaGrammar.anyObject)
        let (_, schema) = try plan(#"""
            {"model": "m", "format": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
             "messages": [{"role": "user", "content": "hi"}]}
            """#)
        #expect(schema.grammar?.contains("name") == true)
        #expect(throws: InferenceError.self) {
            try plan(#"{"model": "m", "format": "yaml", "messages": [{"role": "user", "content": "hi"}]}"#)
        }
    }

    @Test func imagesAreRefused() throws {
        #expect(throws: InferenceError.invalidParameter("messages[0] has images; the models Haven runs read text only")) {
            try plan(#"{"model": "m", "messages": [{"role": "user", "content": "what is this?", "images": ["aGk="]}]}"#)
        }
    }

    @Test func callsGoBackWithObjectArgumentsAndBrokenOnesAreLeftOut() {
        let calls = OllamaChatTranslation.toolCalls([("get_weather", #"{"city":"Oslo"}"#), ("get_weather", #"{"city":"Os"#)])
        #expect(calls == [OllamaToolCall(function: .init(name: "get_weather", arguments: .object(["city": .string("Oslo")], order: ["city"])))])
    }

    @Test func optionsOverTheModelsDefaults() throws {
        let request = try JSONDecoder().decode(
            OllamaChatRequest.self,
            from: Data(#"{"model": "m", "messages": [], "options": {"temperature": 0.7, "num_thread": 4}}"#.utf8))
        var defaults = ModelParameters()
        defaults.temperature = 0.1
        defaults.numPredict = 9
        let profile = ModelProfile(model: "m", base: "b", system: nil, parameters: defaults, createdAt: Date())
        let merged = OllamaController.parameters(request.options, profile: profile)
        #expect(merged.temperature == 0.7 && merged.numPredict == 9)
    }
}

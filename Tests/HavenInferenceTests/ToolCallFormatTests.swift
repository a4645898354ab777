import Foundation
import Testing

@testable import HavenInference

@Suite struct ToolCallFormatTests {
    static let weather = ToolCallFormat.Tool(
        name: "get_weather", description: "Current weather in a city",
        parameters: try! JSONSchemaGrammarTests.schema(
            #"{"type":"object","properties":{"city":{"type":"string","maxLength":30},"unit":{"enum":["c","f"]}},"required":["city","unit"]}"#))

    @Test func parsesCallsAndKeepsTheTextBefore() {
        let output = """
            Let me check.
            <tool_call>
            {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}
            </tool_call>
            """
        let (content, calls) = ToolCallFormat.parse(output)
        #expect(content == "Let me check.")
        #expect(calls == [ToolCallFormat.Call(name: "get_weather", arguments: #"{"city":"Paris","unit":"c"}"#)])
    }

    @Test func textWithoutAValidCallIsJustText() {
        for output in ["No tools needed.", "<tool_call>{not json}</tool_call>", "<tool_call>{\"name\": \"x\""] {
            let (content, calls) = ToolCallFormat.parse(output)
            #expect(calls.isEmpty)
            #expect(content == output)
        }
    }

    @Test func aRenderedCallParsesBack() {
        let call = ToolCallFormat.Call(name: "get_weather", arguments: #"{"city":"Oslo","unit":"f"}"#)
        #expect(ToolCallFormat.parse(ToolCallFormat.render(call)).calls == [call])
    }

    @Test func aRequiredToolCallIsAlwaysWellFormed() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        let prompt = try engine.renderChat([
            ("system", ToolCallFormat.systemPrompt(for: [Self.weather], required: true)),
            ("user", "What is the weather in Berlin?"),
        ])
        for temperature in [0.0, 1.0] {
            var sampling = SamplingParameters()
            sampling.temperature = temperature
            sampling.seed = 42
            sampling.grammar = try ToolCallFormat.grammar(for: [Self.weather])
            let request = GenerationRequest(prompt: engine.tokenize(prompt), sampling: sampling, maxTokens: 400)
            let (text, summary) = try await InferenceEngineTests.collect(engine.generate(request))
            #expect(summary.finishReason == .stop, "\(text)")
            let calls = ToolCallFormat.parse(text).calls
            #expect(calls.count >= 1)
            let arguments = try #require(
                try JSONSerialization.jsonObject(with: Data(calls[0].arguments.utf8)) as? [String: String])
            #expect(calls[0].name == "get_weather")
            #expect(Set(arguments.keys) == ["city", "unit"])
            #expect(["c", "f"].contains(arguments["unit"]!))
        }
    }

    @Test func aLazyGrammarLeavesPlainAnswersAlone() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        var sampling = SamplingParameters()
        sampling.temperature = 0
        sampling.grammar = try ToolCallFormat.grammar(for: [Self.weather])
        sampling.grammarTriggers = [ToolCallFormat.triggerPattern]
        let prompt = try engine.renderChat([("user", "Say hello in French.")])
        let (text, _) = try await InferenceEngineTests.collect(
            engine.generate(GenerationRequest(prompt: engine.tokenize(prompt), sampling: sampling, maxTokens: 12)))
        #expect(!text.isEmpty)
        #expect(!text.contains("<tool_call>"))
    }
}

import Foundation
import HavenInference
import Testing

@testable import HavenServer

@Suite struct StreamedChoiceTests {
    static func plan(tools: Bool) throws -> ChatPlan {
        let tool = tools ? #", "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]"# : ""
        return try ChatPlan(
            JSONDecoder().decode(
                ChatCompletionRequest.self,
                from: Data(#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]\#(tool)}"#.utf8)))
    }

    static let summary = GenerationSummary(finishReason: .stop, promptTokens: 3, completionTokens: 5, cachedPromptTokens: 0)

    @Test func callsStreamAsAStartThenArgumentFragments() throws {
        var choice = StreamedChoice(plan: try Self.plan(tools: true), logprobs: false)
        var chunks: [ChatCompletionChunk.Choice] = []
        for piece in ["Sure.", " <tool_call>\n{\"name\": \"f\", ", "\"arguments\": {\"a\": ", "1, \"b\": ", "[2]}}\n</tool_call>"] {
            chunks += choice.choices(for: .text(piece, logprobs: []), index: 0)
        }
        chunks += choice.choices(for: .finished(Self.summary), index: 0)
        let calls = chunks.compactMap(\.delta.toolCalls).flatMap { $0 }
        #expect(chunks.first?.delta.content == "Sure.")
        #expect(calls.first?.id?.hasPrefix("call-") == true)
        #expect(calls.first?.function == .init(name: "f", arguments: ""))
        #expect(calls.dropFirst().allSatisfy { $0.id == nil && $0.function.name == nil && $0.index == 0 })
        #expect(calls.dropFirst().count >= 3)
        #expect(calls.compactMap(\.function.arguments).joined() == #"{"a":1,"b":[2]}"#)
        #expect(chunks.last?.finishReason == "tool_calls")
    }

    @Test func withoutToolsTextPassesThroughWithItsLogprobs() throws {
        var choice = StreamedChoice(plan: try Self.plan(tools: false), logprobs: true)
        let token = TokenLogprob(chosen: .init(token: 1, bytes: Array("Hi".utf8), logprob: -0.5), top: [])
        let first = choice.choices(for: .text("Hi", logprobs: [token]), index: 1)
        #expect(first.map { $0.delta.content } == ["Hi"])
        #expect(first.first?.index == 1)
        #expect(first.first?.logprobs?.content?.map(\.token) == ["Hi"])
        let last = choice.choices(for: .finished(Self.summary), index: 1)
        #expect(last.map { $0.finishReason } == ["stop"])
    }
}

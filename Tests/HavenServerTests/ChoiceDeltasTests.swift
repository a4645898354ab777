import Foundation
import HavenInference
import Testing

@testable import HavenServer

@Suite struct ChoiceDeltasTests {
    static let summary = GenerationSummary(finishReason: .stop, promptTokens: 3, completionTokens: 5, cachedPromptTokens: 0)

    @Test func callsComeAsAStartThenArgumentFragments() {
        var choice = ChoiceDeltas(choice: 0, tools: true, logprobs: false)
        var deltas: [ChatDelta] = []
        for piece in ["Sure.", " <tool_call>\n{\"name\": \"f\", ", "\"arguments\": {\"a\": ", "1, \"b\": ", "[2]}}\n</tool_call>"] {
            deltas += choice.deltas(for: .text(piece, logprobs: []))
        }
        deltas += choice.deltas(for: .finished(Self.summary))
        #expect(deltas.first == .content(choice: 0, "Sure."))
        let calls = deltas.compactMap { delta -> (id: String?, name: String?, arguments: String)? in
            if case .toolCall(0, 0, let id, let name, let arguments) = delta { return (id, name, arguments) }
            return nil
        }
        #expect(calls.first?.id?.hasPrefix("call-") == true)
        #expect(calls.first?.name == "f")
        #expect(calls.dropFirst().allSatisfy { $0.id == nil && $0.name == nil })
        #expect(calls.dropFirst().count >= 3)
        #expect(calls.map(\.arguments).joined() == #"{"a":1,"b":[2]}"#)
        #expect(deltas.last == .finished(choice: 0, reason: "tool_calls"))

        // The whole answer put together from them: what a non-streaming API returns.
        var answer = ChatAnswer()
        for delta in deltas { answer.add(delta) }
        #expect(answer.choices.first?.calls.map(\.name) == ["f"])
        #expect(answer.choices.first?.calls.first?.arguments == #"{"a":1,"b":[2]}"#)
        #expect(answer.choices.first?.finishReason == "tool_calls")
    }

    @Test func withoutToolsTextPassesThroughAfterItsLogprobs() {
        var choice = ChoiceDeltas(choice: 1, tools: false, logprobs: true)
        let token = TokenLogprob(chosen: .init(token: 1, bytes: Array("Hi".utf8), logprob: -0.5), top: [])
        #expect(choice.deltas(for: .text("Hi", logprobs: [token])) == [.logprobs(choice: 1, [token]), .content(choice: 1, "Hi")])
        #expect(choice.deltas(for: .finished(Self.summary)) == [.finished(choice: 1, reason: "stop")])
    }

    @Test func logprobsOfHeldTextWaitForTheDeltaTheyMake() {
        var choice = ChoiceDeltas(choice: 0, tools: true, logprobs: true)
        let held = TokenLogprob(chosen: .init(token: 7, bytes: Array(" <".utf8), logprob: -1), top: [])
        // " <" might open a call: nothing is said yet, its log-probability included.
        #expect(choice.deltas(for: .text(" <", logprobs: [held])) == [])
        let next = TokenLogprob(chosen: .init(token: 8, bytes: Array("3".utf8), logprob: -2), top: [])
        let deltas = choice.deltas(for: .text("3", logprobs: [next]))
        #expect(deltas.first == .logprobs(choice: 0, [held, next]))
        #expect(deltas.dropFirst().map { if case .content(_, let text) = $0 { text } else { "" } }.joined() == " <3")
    }

    @Test func aRawChoiceKeepsEveryPieceAndReadsNoCalls() {
        let raw = RawChoice(choice: 0, logprobs: false)
        #expect(raw.deltas(for: .text("<tool_call>", logprobs: [])) == [.content(choice: 0, "<tool_call>")])
        #expect(raw.deltas(for: .finished(.init(finishReason: .length, promptTokens: 1, completionTokens: 1, cachedPromptTokens: 0)))
            == [.finished(choice: 0, reason: "length")])
    }
}

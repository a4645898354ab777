import Foundation
import Testing

@testable import HavenInference

@Suite struct ToolCallStreamTests {
    /// Outputs a model may write: calls, text, both, blocks in other shapes, broken blocks.
    static let outputs: [String] = [
        "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call>",
        "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"n\": 1.50, \"list\": [1, {\"x\": \"}\"}]}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>",
        "Bonjour à tous 👋 — a < b and <b>bold</b>",
        "  leading space, then a call\n\n<tool_call>{\"name\":\"f\",\"arguments\":{\"q\":\"é \\\" { \\\\ 日本\"}}</tool_call>",
        "<tool_call>{not json}</tool_call> then text",
        "<tool_call>{\"arguments\": {\"a\": [1, 2]}, \"name\": \"f\"}</tool_call>",
        "<tool_call>{\"name\": \"f\"}</tool_call>",
        "<tool_call>{\"name\": \"caf\\u00e9\", \"arguments\": {\"k\": \"v\"}}</tool_call>",
        "Sure <tool_call>{\"name\": \"f\"",
        "  x <tool_call>{bad}</tool_call>\n<tool_call>{\"name\":\"g\",\"arguments\":{}}</tool_call> tail <tool_call>{\"name\":\"h\",\"arguments\":{\"z\":0}}</tool_call>",
        "a <tool_cal b <tool_call",
        "\n\n<tool_call>\n{\"name\": \"f\", \"extra\": 1, \"arguments\": {\"a\": true}}\n</tool_call>",
        "",
    ]

    struct Reassembled: Equatable {
        var content = ""
        var calls: [ToolCallFormat.Call] = []
    }

    static func reassemble(_ events: [ToolCallStream.Event]) -> Reassembled {
        var content = ""
        var names: [Int: String] = [:]
        var arguments: [Int: String] = [:]
        for event in events {
            switch event {
            case .text(let text): content += text
            case .callStarted(let index, let name):
                #expect(names[index] == nil && index == names.count, "calls are announced once, in order")
                names[index] = name
                arguments[index] = ""
            case .arguments(let index, let fragment):
                #expect(names[index] != nil, "arguments come after their call's name")
                arguments[index, default: ""] += fragment
            }
        }
        return Reassembled(
            content: content,
            calls: names.keys.sorted().map { ToolCallFormat.Call(name: names[$0]!, arguments: arguments[$0]!) })
    }

    static func stream(_ pieces: [[UInt8]]) -> [ToolCallStream.Event] {
        var stream = ToolCallStream()
        var events: [ToolCallStream.Event] = []
        for piece in pieces { events += stream.append(bytes: piece) }
        return events + stream.finish()
    }

    static func expectSameAsParse(_ output: String, _ pieces: [[UInt8]]) {
        let (content, calls) = ToolCallFormat.parse(output)
        let streamed = reassemble(stream(pieces))
        #expect(streamed.calls == calls, "\(output.debugDescription) split as \(pieces.map(\.count))")
        if calls.isEmpty {
            #expect(streamed.content == output)
        } else {
            #expect(streamed.content.trimmingCharacters(in: .whitespacesAndNewlines) == content)
        }
    }

    @Test(arguments: outputs)
    func everySplitReassemblesToWhatParseFinds(_ output: String) {
        let bytes = Array(output.utf8)
        for split in 0...bytes.count {
            Self.expectSameAsParse(output, [Array(bytes[..<split]), Array(bytes[split...])])
        }
        Self.expectSameAsParse(output, bytes.map { [$0] })
        Self.expectSameAsParse(output, [bytes])
    }

    @Test func argumentsArriveInFragmentsAfterTheName() {
        let output = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call>"
        let bytes = Array(output.utf8)
        let pieces = stride(from: 0, to: bytes.count, by: 4).map { Array(bytes[$0..<min($0 + 4, bytes.count)]) }
        let events = Self.stream(pieces)
        let fragments = events.compactMap { if case .arguments(0, let fragment) = $0 { fragment } else { nil } }
        #expect(events.first == .callStarted(index: 0, name: "get_weather"))
        #expect(fragments.count > 3)
        #expect(fragments.joined() == #"{"city":"Paris","unit":"c"}"#)
        #expect(!events.contains { if case .text = $0 { true } else { false } })
    }

    @Test func textBeforeACallIsPassedOnBeforeTheCallCloses() {
        var stream = ToolCallStream()
        #expect(stream.append("Checking the weather") == [.text("Checking the weather")])
        #expect(stream.append(" now <tool") == [.text(" now")])
        #expect(stream.append("_call>{\"name\": \"f\", \"arguments\": {") == [.callStarted(index: 0, name: "f"), .arguments(index: 0, fragment: "{")])
        #expect(stream.append("\"a\": 1}}</tool_call>") == [.arguments(index: 0, fragment: "\"a\":1}")])
        #expect(stream.finish().isEmpty)
        #expect(stream.callCount == 1)
    }

    @Test func parseKeepsTheModelsArgumentTextWithoutWhitespace() {
        let output = "<tool_call>{\"name\": \"f\", \"arguments\": {\"b\": 1.50, \"a\": \"x y\"}}</tool_call>"
        #expect(ToolCallFormat.parse(output).calls == [.init(name: "f", arguments: #"{"b":1.50,"a":"x y"}"#)])
    }
}

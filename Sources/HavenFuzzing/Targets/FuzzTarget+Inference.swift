import Foundation
import HavenInference

extension FuzzTarget {
    /// GGUF model files as `haven model add`, `/api/create` and a model load read them: written
    /// to a temporary file, since ggml's reader takes a path.
    static let gguf = FuzzTarget(
        name: "gguf",
        summary: "GGUFFile(path:) on the input written to a file; the memory estimate of what it accepts"
    ) { bytes throws(FuzzFinding) in
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("haven-fuzz-\(UUID().uuidString).gguf")
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes)) else {
            throw FuzzFinding("cannot write a temporary file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        guard let file = attempt({ try GGUFFile(path: url.path) }) else { return }
        try expect(file.tensorCount > 0, "a GGUF file with no tensors is accepted")
        try expect(file.fileSize == Int64(bytes.count), "the file has \(bytes.count) bytes, GGUFFile says \(file.fileSize)")
        // What LoadedModels asks before loading, at the largest context a request may ask for.
        for contextTokens in [1, 4096, 1 << 20] {
            try expect(file.estimatedMemory(contextTokens: contextTokens) >= file.fileSize, "the estimate is below the file's size")
        }
    }

    /// JSON Schemas from `response_format`, Ollama's `format` and tool parameters, turned into
    /// GBNF grammars.
    static let jsonSchema = FuzzTarget(
        name: "json-schema",
        summary: "JSONValue from JSON, then JSONSchemaGrammar.grammar, toolCalls and ToolCallFormat.grammar"
    ) { bytes throws(FuzzFinding) in
        guard let schema = attempt({ try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }) else { return }
        if let grammar = attempt({ try JSONSchemaGrammar.grammar(for: schema) }) {
            try expect(grammar.contains("root ::="), "a grammar without a root rule")
        }
        _ = attempt { try JSONSchemaGrammar.toolCalls([(name: "tool", parameters: schema)]) }
        _ = attempt { try ToolCallFormat.grammar(for: [.init(name: "tool", description: nil, parameters: schema)]) }
    }

    /// Model output with tool calls, as it streams out of generation.
    static let toolCalls = FuzzTarget(
        name: "tool-calls",
        summary: "ToolCallStream fed whole, byte by byte and in 5-byte pieces agrees; ToolCallFormat.parse"
    ) { bytes throws(FuzzFinding) in
        let whole = StreamedCalls(bytes, pieceSize: max(1, bytes.count))
        for pieceSize in [1, 5] {
            let pieces = StreamedCalls(bytes, pieceSize: pieceSize)
            try expect(pieces == whole, "streamed in \(pieceSize)-byte pieces: \(pieces); whole: \(whole)")
        }
        _ = ToolCallFormat.parse(text(bytes))
    }
}

/// What a ``ToolCallStream`` made of an output: its text and each call's name and arguments,
/// reassembled from the events.
private struct StreamedCalls: Equatable, CustomStringConvertible {
    var text = ""
    var calls: [(name: String, arguments: String)] = []

    init(_ output: [UInt8], pieceSize: Int) {
        var stream = ToolCallStream()
        var events: [ToolCallStream.Event] = []
        var offset = 0
        while offset < output.count {
            let end = min(output.count, offset + pieceSize)
            events += stream.append(bytes: output[offset..<end])
            offset = end
        }
        events += stream.finish()
        for event in events {
            switch event {
            case .text(let piece): text += piece
            case .callStarted(_, let name): calls.append((name: name, arguments: ""))
            case .arguments(let index, let fragment) where calls.indices.contains(index): calls[index].arguments += fragment
            case .arguments(let index, _): calls.append((name: "<arguments before call \(index) started>", arguments: ""))
            }
        }
    }

    static func == (lhs: StreamedCalls, rhs: StreamedCalls) -> Bool {
        lhs.text == rhs.text && lhs.calls.elementsEqual(rhs.calls) { $0.name == $1.name && $0.arguments == $1.arguments }
    }

    var description: String {
        "text \(text.debugDescription.prefix(200)), calls \(calls.map { "\($0.name)(\($0.arguments.prefix(100)))" })"
    }
}

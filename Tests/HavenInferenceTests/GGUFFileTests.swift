import Foundation
import Testing

@testable import HavenInference

@Suite struct GGUFFileTests {
    @Test func readsTheDefaultModelsMetadata() throws {
        let file = try GGUFFile(path: InferenceEngineTests.modelPath())
        #expect(file.architecture == "llama")
        #expect(file.tensorCount > 0)
        #expect(file.version == 3)
    }

    @Test(arguments: [
        ("empty", 0), ("magic only", 4), ("header cut short", 64), ("metadata cut short", 4_096), ("tensor data cut short", -1),
    ])
    func refusesTruncatedFiles(label: String, length: Int) throws {
        let source = try InferenceEngineTests.modelPath()
        let path = NSTemporaryDirectory() + "haven-gguf-\(UUID().uuidString).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forReadingAtPath: source))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int)
        // "tensor data cut short": all but the last megabyte.
        let data = handle.readData(ofLength: length >= 0 ? length : size - (1 << 20))
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: InferenceError.self, "\(label)") { try GGUFFile(path: path) }
    }

    @Test func refusesADirectoryWithAnErrorNotATrap() throws {
        // POST /haven/models {"path": "/"} once stopped the server here: Foundation's
        // `readData` traps on a directory. Beside it, the model's own directory's file is read.
        let directory = (try InferenceEngineTests.modelPath() as NSString).deletingLastPathComponent
        #expect {
            try GGUFFile(path: directory)
        } throws: { error in
            guard case .invalidModelFile(_, let reason) = error as? InferenceError else { return false }
            return reason == "it is not a regular file"
        }
        #expect(throws: Never.self) { try GGUFFile(path: InferenceEngineTests.modelPath()) }
    }

    /// Small files the gguf fuzz target replays (`Fuzz/Regressions/gguf/`), whose metadata once
    /// trapped `GGUFFile` (a count past `Int`) or fooled its truncation check (a tensor of 2^63
    /// bytes, which ggml's `size_t` brings into Swift as a negative `Int`).
    @Test(arguments: [
        ("block-count-past-int64.gguf", "gives llama.block_count as 9223372036854775808, which no model has"),
        ("negative-block-count.gguf", "gives llama.block_count as -30, which no model has"),
        ("tensor-of-2-63-bytes.gguf", "it is truncated: its tensors need 9223372036854776032 bytes, the file has 256"),
    ])
    func refusesMetadataNoModelHas(file: String, reason expected: String) throws {
        #expect {
            try GGUFFile(path: Self.regression(file))
        } throws: { error in
            guard case .invalidModelFile(_, let reason) = error as? InferenceError else { return false }
            return reason.hasSuffix(expected)
        }
    }

    @Test func memoryEstimateSaturatesRatherThanOverflows() throws {
        // Every count at the largest accepted value: the KV cache alone needs more than 2^63 bytes.
        let file = try GGUFFile(path: Self.regression("counts-at-the-limit.gguf"))
        #expect(file.blockCount == 1 << 24)
        #expect(file.estimatedMemory(contextTokens: 4_096) == .max)
        #expect(try GGUFFile(path: InferenceEngineTests.modelPath()).estimatedMemory(contextTokens: 4_096) < 1 << 30)
    }

    private static func regression(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Regressions/gguf/\(name)").path
    }

    @Test func refusesAFileThatIsNotGGUF() throws {
        let path = NSTemporaryDirectory() + "haven-notgguf-\(UUID().uuidString).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("this is a text file, not a model".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try GGUFFile(path: path)
        } throws: { error in
            guard case .invalidModelFile(_, let reason) = error as? InferenceError else { return false }
            return reason.contains("not a GGUF file")
        }
    }
}

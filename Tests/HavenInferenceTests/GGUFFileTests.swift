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

import Foundation
import HavenAccess
import HavenKnowledge
import HavenStore

/// Reads what a training job may learn from: each path given (a file, or a folder and all the
/// files under it) is checked for the caller's `train` right and the decision audited before
/// anything is read; a path the caller may not train on refuses the whole job (consent is
/// explicit). Files become prose (text, Markdown, HTML, mail, PDF) or chat transcripts (JSON
/// with a `messages` list of `role`/`content` turns, or such a list alone); images are left out.
struct TrainingDataReader: Sendable {
    let store: DataStore
    let gate: DataGate

    /// The most files and the most bytes of files one job reads.
    static let maximumFiles = 10_000
    static let maximumBytes: Int64 = 64 << 20

    func read(_ paths: [String], caller: Authentication) async throws -> [(path: String, content: TrainingDataset.Content)] {
        guard !paths.isEmpty else { throw TrainingError.invalid("give at least one data path to learn from, e.g. /notes/") }
        var files: [FileVersion] = []
        for text in paths {
            let path = try DataPath(parsing: text)
            try gate.require(caller, .train, path)
            if path.isDirectory {
                files += try store.currentFiles(under: path)
            } else {
                guard let version = try store.version(of: path), !version.isDeletion else { throw StoreError.notFound(path) }
                files.append(version)
            }
        }
        var seen: Set<String> = []
        files = files.filter { seen.insert($0.path.string).inserted }
        guard files.count <= Self.maximumFiles else { throw TrainingError.tooMuchData(limit: "\(Self.maximumFiles) files") }
        guard files.reduce(0, { $0 + $1.size }) <= Self.maximumBytes else {
            throw TrainingError.tooMuchData(limit: "\(Self.maximumBytes >> 20) MiB")
        }
        var documents: [(path: String, content: TrainingDataset.Content)] = []
        for file in files {
            // A photo's metadata (size, camera, date) is not the person's writing: nothing to learn.
            guard let kind = DocumentKind.detect(mediaType: file.mediaType, name: file.path.name), kind != .image else { continue }
            let bytes = try await store.contents(of: file)
            if kind == .json, let messages = Self.transcript(bytes) {
                documents.append((file.path.string, .chat(messages)))
                continue
            }
            guard let extracted = try? await TextExtractor.extract(bytes, kind: kind) else { continue }
            let text = [extracted.title, extracted.text].compactMap { $0 }.joined(separator: "\n\n")
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                documents.append((file.path.string, .prose(text)))
            }
        }
        return documents
    }

    /// The turns of a chat transcript: `{"messages": [{"role": …, "content": …}, …]}` or the
    /// list alone; `nil` for any other JSON.
    static func transcript(_ bytes: [UInt8]) -> [TrainingDataset.Message]? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return nil }
        let list = (json as? [String: Any])?["messages"] ?? json
        guard let turns = list as? [[String: Any]], !turns.isEmpty else { return nil }
        var messages: [TrainingDataset.Message] = []
        for turn in turns {
            guard let role = turn["role"] as? String, let content = turn["content"] as? String,
                ["system", "user", "assistant"].contains(role)
            else { return nil }
            messages.append(.init(role: role, content: content))
        }
        return messages
    }
}

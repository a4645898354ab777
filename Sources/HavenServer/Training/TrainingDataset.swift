import Foundation

/// What a training job learns from and is judged on, built from the person's documents: prose
/// (text, Markdown, mail, HTML) split into passages of a few sentences, and chat transcripts
/// turned into instruction pairs (each user turn with the assistant's answer). About one passage
/// in `heldOutEvery`, chosen by a hash of its text (so the split is the same every time the same
/// data is read), is held out: the adapter never trains on it, and its perplexity there is the
/// job's result.
public struct TrainingDataset: Sendable, Equatable {
    /// Texts to train on (chat pairs already rendered with the model's chat template).
    public var train: [String]
    /// Texts never trained on, for judging the adapter.
    public var heldOut: [String]
    /// The data paths the texts came from, in order.
    public var sources: [String]

    /// One document's usable content.
    public enum Content: Sendable, Equatable {
        case prose(String)
        /// A conversation, in order: role (`system`, `user`, `assistant`) and text.
        case chat([Message])
    }

    /// A turn of a chat transcript.
    public struct Message: Sendable, Equatable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    /// Passages are cut at paragraph ends once they pass this many characters.
    static let passageCharacters = 600

    /// Builds the dataset from `documents` (path and content), rendering each chat pair with
    /// `render` (the base model's chat template, the prompt and the answer as one text).
    public static func build(
        documents: [(path: String, content: Content)], heldOutEvery: Int = 8,
        render: ([Message]) throws -> String
    ) rethrows -> TrainingDataset {
        var passages: [String] = []
        for (_, content) in documents {
            switch content {
            case .prose(let text): passages += split(text)
            case .chat(let messages): passages += try pairs(messages).map(render)
            }
        }
        var train: [String] = []
        var heldOut: [String] = []
        for passage in passages {
            if stableHash(passage) % UInt64(max(2, heldOutEvery)) == 0 {
                heldOut.append(passage)
            } else {
                train.append(passage)
            }
        }
        // Both sides need something once there are two passages.
        if heldOut.isEmpty, train.count >= 2 { heldOut.append(train.removeLast()) }
        if train.isEmpty, heldOut.count >= 2 { train.append(heldOut.removeFirst()) }
        return TrainingDataset(train: train, heldOut: heldOut, sources: documents.map(\.path))
    }

    /// Paragraphs (blank-line separated, whitespace collapsed) joined into passages of about
    /// ``passageCharacters``; a longer paragraph is its own passage.
    static func split(_ text: String) -> [String] {
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { !$0.isEmpty }
        var passages: [String] = []
        var current = ""
        for paragraph in paragraphs {
            current += current.isEmpty ? paragraph : "\n\n" + paragraph
            if current.count >= passageCharacters {
                passages.append(current)
                current = ""
            }
        }
        if !current.isEmpty { passages.append(current) }
        return passages
    }

    /// Each user turn with the assistant turn that answers it (and the system prompt, if any).
    static func pairs(_ messages: [Message]) -> [[Message]] {
        let system = messages.first { $0.role == "system" }
        var result: [[Message]] = []
        for (index, message) in messages.enumerated() where message.role == "user" {
            guard index + 1 < messages.count, messages[index + 1].role == "assistant" else { continue }
            let user = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            let answer = messages[index + 1].content.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !user.isEmpty, !answer.isEmpty else { continue }
            result.append((system.map { [$0] } ?? []) + [message, messages[index + 1]])
        }
        return result
    }

    /// FNV-1a of the text's UTF-8, mixed by SplitMix64's finaliser (FNV's low bits alone follow
    /// the last bytes too closely): stable across runs and machines, unlike `hashValue`.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}

import Foundation

/// Reads an OpenAI-compatible server's streamed chat or completions answer
/// (`text/event-stream` of `data: <chunk>` events ending with `data: [DONE]`) into
/// ``ChatDelta``s. Pure: bytes in,
/// deltas out, so it is tested without a server.
struct UpstreamEventDecoder: Sendable {
    /// What one event amounted to.
    enum Event: Sendable, Equatable {
        case deltas([ChatDelta])
        /// `data: [DONE]`: the answer is complete.
        case done
        /// The upstream reported an error inside the stream.
        case failed(String)
    }

    /// Bytes of a line not yet ended.
    private var pending: [UInt8] = []
    /// The longest line accepted (a chunk is small; a line this long is not a chat stream).
    static let maxLineBytes = 4 << 20

    /// The events completed by `bytes`.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(UpstreamError.Malformed) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == 0x0A {
                var line = pending
                pending.removeAll(keepingCapacity: true)
                if line.last == 0x0D { line.removeLast() }
                if let event = try Self.event(line: line) { events.append(event) }
            } else {
                pending.append(byte)
                guard pending.count <= Self.maxLineBytes else { throw .init(reason: "an event line longer than 4 MiB") }
            }
        }
        return events
    }

    /// The event of one line: only `data:` lines carry any.
    static func event(line: [UInt8]) throws(UpstreamError.Malformed) -> Event? {
        let prefix = Array("data:".utf8)
        guard line.starts(with: prefix) else { return nil }
        var payload = line.dropFirst(prefix.count)
        if payload.first == 0x20 { payload = payload.dropFirst() }
        if payload.elementsEqual("[DONE]".utf8) { return .done }
        let chunk: Chunk
        do {
            chunk = try JSONDecoder().decode(Chunk.self, from: Data(payload))
        } catch {
            throw .init(reason: "an event that is not a chat completion chunk")
        }
        if let error = chunk.error { return .failed(error.message ?? "an error without a message") }
        return .deltas(chunk.deltas)
    }

    /// A `chat.completion.chunk`, as much of it as Haven reads.
    struct Chunk: Decodable, Sendable {
        struct Choice: Decodable, Sendable {
            struct Delta: Decodable, Sendable {
                struct Call: Decodable, Sendable {
                    struct Function: Decodable, Sendable {
                        let name: String?
                        let arguments: String?
                    }
                    let index: Int?
                    let id: String?
                    let function: Function?
                }
                let content: String?
                let toolCalls: [Call]?
                enum CodingKeys: String, CodingKey {
                    case content
                    case toolCalls = "tool_calls"
                }
            }
            let index: Int?
            let delta: Delta?
            /// A completions chunk's text (`/completions` streams text, not deltas).
            let text: String?
            let finishReason: String?
            enum CodingKeys: String, CodingKey {
                case index, delta, text
                case finishReason = "finish_reason"
            }
        }
        struct Usage: Decodable, Sendable {
            struct Details: Decodable, Sendable {
                let cachedTokens: Int?
                enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
            }
            let promptTokens: Int?
            let completionTokens: Int?
            let promptTokensDetails: Details?
            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
                case promptTokensDetails = "prompt_tokens_details"
            }
        }
        struct Failure: Decodable, Sendable {
            let message: String?
        }
        let choices: [Choice]?
        let usage: Usage?
        let error: Failure?

        var deltas: [ChatDelta] {
            var deltas: [ChatDelta] = []
            for (position, choice) in (choices ?? []).enumerated() {
                let index = choice.index ?? position
                if let text = choice.delta?.content ?? choice.text, !text.isEmpty { deltas.append(.content(choice: index, text)) }
                for (number, call) in (choice.delta?.toolCalls ?? []).enumerated() {
                    deltas.append(
                        .toolCall(
                            choice: index, call: call.index ?? number, id: call.id, name: call.function?.name,
                            arguments: call.function?.arguments ?? ""))
                }
                if let reason = choice.finishReason { deltas.append(.finished(choice: index, reason: reason)) }
            }
            if let usage {
                deltas.append(
                    .usage(
                        promptTokens: usage.promptTokens ?? 0, completionTokens: usage.completionTokens ?? 0,
                        cachedTokens: usage.promptTokensDetails?.cachedTokens ?? 0))
            }
            return deltas
        }
    }
}

import Foundation
import HavenInference
import Hummingbird

/// One server-sent event of a streamed Anthropic message. On the wire each is
/// `event: <name>` and `data: <json>`, where the JSON's `type` repeats the name.
public enum AnthropicStreamEvent: Encodable, Sendable, Equatable {
    case messageStart(id: String, model: String, inputTokens: Int)
    case ping
    case contentBlockStart(index: Int, block: AnthropicMessage.ContentBlock)
    case textDelta(index: Int, text: String)
    case inputJSONDelta(index: Int, partialJSON: String)
    case contentBlockStop(index: Int)
    case messageDelta(stopReason: String, stopSequence: String?, usage: AnthropicUsage)
    case messageStop
    /// A failure after the stream began (`{"type": "error", "error": {"type", "message"}}`).
    case error(type: String, message: String)

    public var name: String {
        switch self {
        case .messageStart: "message_start"
        case .ping: "ping"
        case .contentBlockStart: "content_block_start"
        case .textDelta, .inputJSONDelta: "content_block_delta"
        case .contentBlockStop: "content_block_stop"
        case .messageDelta: "message_delta"
        case .messageStop: "message_stop"
        case .error: "error"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, message, index, delta, usage, error
        case contentBlock = "content_block"
    }

    private struct Delta: Encodable {
        let type: String
        var text: String?
        var partialJSON: String?
        enum CodingKeys: String, CodingKey {
            case type, text
            case partialJSON = "partial_json"
        }
    }

    private struct MessageDelta: Encodable {
        let stopReason: String
        let stopSequence: String?
        enum CodingKeys: String, CodingKey {
            case stopReason = "stop_reason"
            case stopSequence = "stop_sequence"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stopReason, forKey: .stopReason)
            try container.encode(stopSequence, forKey: .stopSequence)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .type)
        switch self {
        case .messageStart(let id, let model, let inputTokens):
            let message = AnthropicMessage(
                id: id, model: model, content: [], stopReason: nil, stopSequence: nil,
                usage: AnthropicUsage(prompt: inputTokens, cached: 0, output: 0))
            try container.encode(message, forKey: .message)
        case .ping, .messageStop:
            break
        case .contentBlockStart(let index, let block):
            try container.encode(index, forKey: .index)
            try container.encode(block, forKey: .contentBlock)
        case .textDelta(let index, let text):
            try container.encode(index, forKey: .index)
            try container.encode(Delta(type: "text_delta", text: text), forKey: .delta)
        case .inputJSONDelta(let index, let partialJSON):
            try container.encode(index, forKey: .index)
            try container.encode(Delta(type: "input_json_delta", partialJSON: partialJSON), forKey: .delta)
        case .contentBlockStop(let index):
            try container.encode(index, forKey: .index)
        case .messageDelta(let stopReason, let stopSequence, let usage):
            try container.encode(MessageDelta(stopReason: stopReason, stopSequence: stopSequence), forKey: .delta)
            try container.encode(usage, forKey: .usage)
        case .error(let type, let message):
            try container.encode(["type": type, "message": message], forKey: .error)
        }
    }

    /// The event as it goes on the wire.
    public func serverSentEvent(encoder: JSONEncoder) throws -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: " + String(decoding: try encoder.encode(self), as: UTF8.self) + "\n\n")
    }
}

import Foundation
import HavenAgents
import HavenInference
import HTTPTypes
import Hummingbird

extension OpenAIController {
    /// Agents answer on the chat API as the model `agent:NAME`.
    static let agentPrefix = "agent:"

    /// A chat completion by an agent: the last user message is the input, the earlier user and
    /// assistant messages its history (or the conversation named by `X-Haven-Conversation`).
    /// The answer is the agent's final one; the tool trace and conversation id ride in the
    /// `haven` extension field. Streaming sends the answer once the agent has it.
    func agentCompletion(
        _ body: ChatCompletionRequest, request: Request, context: HavenRequestContext, caller: Authentication
    ) async throws -> Response {
        let name = String(body.model.dropFirst(Self.agentPrefix.count))
        guard let last = body.messages.last, last.role == "user", let input = last.content?.text, !input.isEmpty else {
            throw InferenceError.invalidParameter("an agent needs the conversation to end with a user message")
        }
        let history = body.messages.dropLast().compactMap { message -> AgentMessage? in
            guard let text = message.content?.text else { return nil }
            switch message.role {
            case "user": return AgentMessage(role: .user, content: text)
            case "assistant": return AgentMessage(role: .assistant, content: text)
            default: return nil
            }
        }
        let conversation = request.headers[Self.conversationHeader]
        let turn = try await agents.run(
            agent: name, input: input, conversation: conversation, history: history, caller: caller)
        let id = InferenceService.completionID(prefix: "chatcmpl")
        let created = InferenceService.now
        let usage = CompletionUsage(
            promptTokens: 0, completionTokens: 0, totalTokens: 0, promptTokensDetails: .init(cachedTokens: 0))
        guard body.stream == true else {
            var answer = ChatCompletionResponse(
                id: id, created: created, model: body.model,
                choices: [.init(index: 0, message: ChatMessage(role: "assistant", content: turn.answer), finishReason: "stop")],
                usage: usage)
            answer.haven = turn
            return try answer.response(from: request, context: context)
        }
        let model = body.model
        return ServerSentEvents.response { sender, writer in
            var chunk = ChatCompletionChunk(
                id: id, created: created, model: model,
                choices: [.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil)])
            try await writer.write(sender.data(chunk))
            chunk.choices = [.init(index: 0, delta: .init(content: turn.answer), finishReason: nil)]
            try await writer.write(sender.data(chunk))
            chunk.choices = [.init(index: 0, delta: .init(), finishReason: "stop")]
            chunk.haven = turn
            try await writer.write(sender.data(chunk))
        }
    }

    /// Continues a saved conversation instead of the messages' history.
    static let conversationHeader = HTTPField.Name("X-Haven-Conversation")!
}

import Foundation
import HavenAgents
import HavenInference
import HavenStore
import Testing

@testable import HavenServer

@Suite struct ResponseEventsTests {
    static let id = ResponseID(conversation: "conv_f00d", messageCount: 2)

    static func response(_ status: String) -> ResponseObject {
        ResponseObject(
            id: id.description, createdAt: 0, status: status, incompleteDetails: nil, instructions: nil, maxOutputTokens: nil,
            model: "m", output: [], previousResponseID: nil, temperature: nil, topP: nil, toolChoice: .mode("auto"), tools: [],
            text: .init(format: .init(type: "text")), usage: nil, store: true, metadata: [:])
    }

    @Test func textThenACallOpenAndCloseTheirItemsInOrder() {
        var events = ResponseEvents(id: Self.id)
        var all = events.lifecycle("response.created", Self.response("in_progress"))
        all += events.lifecycle("response.in_progress", Self.response("in_progress"))
        for piece in [ToolCallStream.Event.text("Let me "), .text("check."), .callStarted(index: 0, name: "get_weather"),
                      .arguments(index: 0, fragment: #"{"city":"#), .arguments(index: 0, fragment: #""Oslo"}"#)] {
            all += events.handle(piece)
        }
        all += events.closeItems()
        all += events.lifecycle("response.completed", Self.response("completed"))

        #expect(
            all.map(\.type) == [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ])
        #expect(all.map(\.sequenceNumber) == Array(0..<all.count))
        #expect(all.first { $0.type == "response.output_text.done" }?.text == "Let me check.")
        let done = all.first { $0.type == "response.function_call_arguments.done" }
        #expect(done?.arguments == #"{"city":"Oslo"}"#)
        #expect(done?.outputIndex == 1 && done?.itemID == "fc_f00d_2_0")
        #expect(
            all.last { $0.type == "response.output_item.done" }?.item
                == .functionCall(
                    id: "fc_f00d_2_0", callID: "call_f00d_2_0", name: "get_weather", arguments: #"{"city":"Oslo"}"#,
                    status: "completed"))
        // The streamed items are the ones the finished response lists.
        let answer = AgentMessage(
            role: .assistant, content: "Let me check.", toolCalls: [.init(name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
        let streamedDone = all.filter { $0.type == "response.output_item.done" }.compactMap(\.item)
        #expect(streamedDone == ResponsesTranslation.output(of: answer, id: Self.id))
    }

    @Test func eventsEncodeInTheSDKsShape() throws {
        var events = ResponseEvents(id: Self.id)
        let delta = events.handle(.text("Hi"))[2]
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(delta)) as! [String: Any]
        #expect(json["type"] as? String == "response.output_text.delta")
        #expect(json["sequence_number"] as? Int == 2)
        #expect(json["item_id"] as? String == "msg_f00d_2")
        #expect(json["output_index"] as? Int == 0 && json["content_index"] as? Int == 0)
        #expect(json["delta"] as? String == "Hi")
    }
}

@Suite struct ResponseConversationTests {
    @Test func aTurnIsAddedOnlyWhileItsResponseIsTheLast() throws {
        let catalog = try Catalog.inMemory()
        let conversation = try catalog.createConversation(principal: "owner", model: "m", title: "t", at: Date())
        let turn = [AgentMessage(role: .user, content: "q"), AgentMessage(role: .assistant, content: "a")]
        #expect(try catalog.append(turn, to: conversation.id, of: "owner", ifCount: 0, at: Date()))
        #expect(try !catalog.append(turn, to: conversation.id, of: "owner", ifCount: 0, at: Date()))
        #expect(try !catalog.append(turn, to: conversation.id, of: "app:other", ifCount: 2, at: Date()))
        #expect(try catalog.append(turn, to: conversation.id, of: "owner", ifCount: 2, at: Date()))
        #expect(try catalog.conversation(conversation.id, of: "owner").messages?.count == 4)
    }
}

import HavenInference

/// The stream events of one response, in order: it opens and closes the message and function
/// call items around the text and calls that ``ToolCallStream`` finds, and numbers every event
/// (`sequence_number`), as the `openai` SDK's stream helpers expect. Pure: it only builds events.
struct ResponseEvents: Sendable {
    let id: ResponseID
    private var sequence = 0
    private var nextOutputIndex = 0
    /// The message item being written: its output index and text so far.
    private var message: (index: Int, text: String)?
    /// The call being written: its output index, position among calls, name and arguments.
    private var call: (index: Int, number: Int, name: String, arguments: String)?

    init(id: ResponseID) {
        self.id = id
    }

    private mutating func event(_ type: String, _ fill: (inout ResponseStreamEvent) -> Void = { _ in }) -> ResponseStreamEvent {
        var event = ResponseStreamEvent(type: type, sequenceNumber: sequence)
        sequence += 1
        fill(&event)
        return event
    }

    /// `response.created`, `response.completed` and the like, carrying the response.
    mutating func lifecycle(_ type: String, _ response: ResponseObject) -> [ResponseStreamEvent] {
        [event(type) { $0.response = response }]
    }

    /// The events for the next piece of output.
    mutating func handle(_ streamed: ToolCallStream.Event) -> [ResponseStreamEvent] {
        var events: [ResponseStreamEvent] = []
        let itemID = id.messageItemID
        switch streamed {
        case .text(let text):
            if message == nil {
                events += closeCall()
                let index = nextOutputIndex
                nextOutputIndex += 1
                message = (index, "")
                events.append(
                    event("response.output_item.added") {
                        $0.outputIndex = index
                        $0.item = .message(id: itemID, status: "in_progress", text: nil)
                    })
                events.append(
                    event("response.content_part.added") {
                        $0.outputIndex = index
                        $0.itemID = itemID
                        $0.contentIndex = 0
                        $0.part = ResponseContentPart(text: "")
                    })
            }
            message!.text += text
            let index = message!.index
            events.append(
                event("response.output_text.delta") {
                    $0.outputIndex = index
                    $0.itemID = itemID
                    $0.contentIndex = 0
                    $0.delta = text
                    $0.logprobs = []
                })
        case .callStarted(let number, let name):
            events += closeMessage()
            events += closeCall()
            let index = nextOutputIndex
            nextOutputIndex += 1
            call = (index, number, name, "")
            let item = ResponseOutputItem.functionCall(
                id: id.callItemID(number), callID: id.callID(number), name: name, arguments: "", status: "in_progress")
            events.append(
                event("response.output_item.added") {
                    $0.outputIndex = index
                    $0.item = item
                })
        case .arguments(_, let fragment):
            guard let open = call else { return [] }
            call!.arguments += fragment
            let callItemID = id.callItemID(open.number)
            events.append(
                event("response.function_call_arguments.delta") {
                    $0.outputIndex = open.index
                    $0.itemID = callItemID
                    $0.delta = fragment
                })
        }
        return events
    }

    /// Closes whatever item is open, at the end of the output.
    mutating func closeItems() -> [ResponseStreamEvent] {
        closeMessage() + closeCall()
    }

    private mutating func closeMessage() -> [ResponseStreamEvent] {
        guard let open = message else { return [] }
        message = nil
        let itemID = id.messageItemID
        return [
            event("response.output_text.done") {
                $0.outputIndex = open.index
                $0.itemID = itemID
                $0.contentIndex = 0
                $0.text = open.text
                $0.logprobs = []
            },
            event("response.content_part.done") {
                $0.outputIndex = open.index
                $0.itemID = itemID
                $0.contentIndex = 0
                $0.part = ResponseContentPart(text: open.text)
            },
            event("response.output_item.done") {
                $0.outputIndex = open.index
                $0.item = .message(id: itemID, status: "completed", text: open.text)
            },
        ]
    }

    private mutating func closeCall() -> [ResponseStreamEvent] {
        guard let open = call else { return [] }
        call = nil
        let item = ResponseOutputItem.functionCall(
            id: id.callItemID(open.number), callID: id.callID(open.number), name: open.name, arguments: open.arguments,
            status: "completed")
        return [
            event("response.function_call_arguments.done") {
                $0.outputIndex = open.index
                $0.itemID = item.id
                $0.name = open.name
                $0.arguments = open.arguments
            },
            event("response.output_item.done") {
                $0.outputIndex = open.index
                $0.item = item
            },
        ]
    }
}

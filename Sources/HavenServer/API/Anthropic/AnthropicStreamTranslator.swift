import HavenInference

/// Turns a generation's text, as it arrives, into Anthropic's content block events: text as
/// `text_delta`s in a text block; with tools on offer, each call (read by ``ToolCallStream``)
/// as a `tool_use` block whose input follows in `input_json_delta` fragments. Stop sequences
/// end the answer there. Pure: the caller sends the events and the start and end of the
/// message around them.
struct AnthropicStreamTranslator: Sendable {
    private var scanner: StopSequenceScanner
    private var parser: ToolCallStream?
    /// The block being written: its index and whether it is text.
    private var open: (index: Int, isText: Bool)?
    private var blocks = 0
    /// The stop sequence that ended the answer, once one has.
    private(set) var stopSequence: String?
    /// Calls begun so far.
    private(set) var calls = 0
    /// All text fed that was not cut off by a stop sequence (to count its tokens when the
    /// generation is cut short).
    private(set) var output = ""

    init(stops: [String], tools: Bool) {
        scanner = StopSequenceScanner(stops: stops)
        parser = tools ? ToolCallStream() : nil
    }

    /// Whether a stop sequence has ended the answer (feed nothing more).
    var stopped: Bool { stopSequence != nil }

    /// The events the next piece of output makes.
    mutating func append(_ piece: String) -> [AnthropicStreamEvent] {
        guard !stopped else { return [] }
        let (text, matched) = scanner.append(piece)
        output += text
        var events = take(text)
        if let matched {
            stopSequence = matched
            output += matched
            events += finishParsing()
        }
        return events
    }

    /// The events of a call the backend read (its start, or a fragment of its arguments):
    /// text held before it goes first.
    mutating func call(_ event: ToolCallStream.Event) -> [AnthropicStreamEvent] {
        guard !stopped else { return [] }
        let rest = scanner.flush()
        output += rest
        return take(rest) + events(for: [event])
    }

    /// The events that end the content: held text, the last block's end, and, if the answer
    /// had no block at all, an empty text block (so `content` always has one).
    mutating func finish() -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        if !stopped {
            let rest = scanner.flush()
            output += rest
            events += take(rest)
            events += finishParsing()
        }
        if blocks == 0 {
            events.append(.contentBlockStart(index: 0, block: .text("")))
            open = (0, true)
            blocks = 1
        }
        if let open { events.append(.contentBlockStop(index: open.index)) }
        open = nil
        return events
    }

    /// The stop reason for a generation that ended for `reason`.
    func stopReason(_ reason: FinishReason?) -> String {
        AnthropicTranslation.stopReason(reason, stopSequence: stopSequence, madeCalls: calls > 0)
    }

    private mutating func take(_ text: String) -> [AnthropicStreamEvent] {
        guard !text.isEmpty else { return [] }
        guard var parser else { return self.text(text) }
        let decided = parser.append(text)
        self.parser = parser
        return events(for: decided)
    }

    private mutating func finishParsing() -> [AnthropicStreamEvent] {
        guard var parser else { return [] }
        let decided = parser.finish()
        self.parser = parser
        return events(for: decided)
    }

    private mutating func events(for decided: [ToolCallStream.Event]) -> [AnthropicStreamEvent] {
        var events: [AnthropicStreamEvent] = []
        for event in decided {
            switch event {
            case .text(let text):
                events += self.text(text)
            case .callStarted(_, let name):
                events += close()
                let index = blocks
                blocks += 1
                calls += 1
                open = (index, false)
                events.append(
                    .contentBlockStart(
                        index: index,
                        block: .toolUse(id: AnthropicTranslation.toolUseID(), name: name, input: .object([:], order: []))))
            case .arguments(_, let fragment):
                if let open, !open.isText { events.append(.inputJSONDelta(index: open.index, partialJSON: fragment)) }
            }
        }
        return events
    }

    private mutating func text(_ text: String) -> [AnthropicStreamEvent] {
        guard !text.isEmpty else { return [] }
        var events: [AnthropicStreamEvent] = []
        if open?.isText != true {
            events += close()
            open = (blocks, true)
            events.append(.contentBlockStart(index: blocks, block: .text("")))
            blocks += 1
        }
        events.append(.textDelta(index: open!.index, text: text))
        return events
    }

    private mutating func close() -> [AnthropicStreamEvent] {
        guard let open else { return [] }
        self.open = nil
        return [.contentBlockStop(index: open.index)]
    }
}

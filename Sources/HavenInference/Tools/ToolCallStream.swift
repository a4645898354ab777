import Foundation

/// Reads a model's output while it is generated and says, as early as it can, which part is
/// text and which is a tool call in ``ToolCallFormat``: a call is announced with its name as
/// soon as `{"name": …, "arguments": {` has been written, then its arguments follow in
/// fragments as they are generated (OpenAI's streamed `tool_calls` deltas).
///
/// Fed the whole output in pieces split anywhere (even inside a UTF-8 character), the calls
/// reassemble to what ``ToolCallFormat/parse(_:)`` finds in the whole, and the text to its
/// content (up to surrounding whitespace): text before the first call is passed on, held back
/// only while it might be the start of a call; text after the first call is dropped. A block
/// written in another shape (keys in another order, extra keys) is held until it closes and
/// then judged as `parse` judges it. A call announced is never taken back: a block that breaks
/// after its arguments began (output cut off by `max_tokens`) stays the call it was streamed as;
/// the tool grammar keeps well-formed output from doing so otherwise.
public struct ToolCallStream: Sendable {
    /// What the output turned out to be, in order.
    public enum Event: Sendable, Equatable {
        case text(String)
        /// A call begins: its position among the calls and the tool's name.
        case callStarted(index: Int, name: String)
        /// The next piece of the arguments of call `index` (JSON text, whitespace removed).
        case arguments(index: Int, fragment: String)
    }

    private enum State: Sendable {
        /// Plain text, watching for `<tool_call>`.
        case text
        /// After `<tool_call>`, reading up to the arguments' opening brace.
        case header
        /// Inside the arguments object of an announced call.
        case arguments
        /// After the arguments, up to `</tool_call>`.
        case trailer
        /// A block in another shape, held whole until `</tool_call>`.
        case opaque
    }

    private static let open = Array(ToolCallFormat.open.utf8)
    private static let close = Array(ToolCallFormat.close.utf8)

    private var state = State.text
    /// In `.text`: bytes not yet passed on (trailing whitespace, a possible start of a tag).
    private var held: [UInt8] = []
    /// Whitespace held before the current block's tag: text again if the block is not a call.
    private var whitespaceBeforeBlock: [UInt8] = []
    /// The bytes of the current block after its `<tool_call>`.
    private var block: [UInt8] = []
    private var depth = 0
    private var strings = JSONStringState()
    /// Bytes decided in this `append`, merged into events at its end.
    private var output: [Pending] = []
    /// A trailing partial UTF-8 character of the last text or arguments run, and its kind.
    private var carry: (kind: Kind, bytes: [UInt8])?

    /// Calls announced so far.
    public private(set) var callCount = 0

    public init() {}

    private enum Kind: Sendable, Equatable {
        case text
        case arguments(Int)
    }

    private enum Pending: Sendable {
        case bytes(Kind, [UInt8])
        case started(Int, String)
    }

    /// The events that the next piece of output decides.
    public mutating func append(_ text: String) -> [Event] {
        append(bytes: Array(text.utf8))
    }

    /// The events that the next bytes of output decide (they may split a character).
    public mutating func append(bytes: some Sequence<UInt8>) -> [Event] {
        for byte in bytes { consume(byte) }
        return drain(final: false)
    }

    /// The events left at the end of the output: held text, or a block that never closed
    /// (text if no call came before it).
    public mutating func finish() -> [Event] {
        switch state {
        case .text:
            if callCount == 0 { emit(.text, held) }
        case .header, .opaque:
            if callCount == 0 { emit(.text, whitespaceBeforeBlock + Self.open + block) }
        case .arguments, .trailer:
            break
        }
        held = []
        block = []
        state = .text
        return drain(final: true)
    }

    // MARK: Bytes

    private mutating func consume(_ byte: UInt8) {
        switch state {
        case .text:
            held.append(byte)
            if held.count >= Self.open.count, held.suffix(Self.open.count).elementsEqual(Self.open) {
                let before = held.dropLast(Self.open.count)
                let whitespace = before.reversed().prefix(while: JSONText.isWhitespace).count
                if callCount == 0 { emit(.text, Array(before.dropLast(whitespace))) }
                whitespaceBeforeBlock = Array(before.suffix(whitespace))
                held = []
                block = []
                state = .header
                return
            }
            releaseText()
        case .header:
            block.append(byte)
            switch Self.header(block) {
            case .needMore:
                break
            case .mismatch:
                state = .opaque
                closeOpaqueBlockIfEnded()
            case .matched(let name):
                output.append(.started(callCount, name))
                depth = 0
                strings = JSONStringState()
                state = .arguments
                argument(byte)
            }
        case .arguments:
            block.append(byte)
            argument(byte)
        case .trailer:
            block.append(byte)
            if endsWithClose(block) { endCall() }
        case .opaque:
            block.append(byte)
            closeOpaqueBlockIfEnded()
        }
    }

    /// Passes on the text that can no longer be the start of a tag or trailing whitespace.
    private mutating func releaseText() {
        var keep = 0
        for length in stride(from: min(Self.open.count - 1, held.count), to: 0, by: -1)
        where held.suffix(length).elementsEqual(Self.open.prefix(length)) {
            keep = length
            break
        }
        let rest = held.dropLast(keep)
        let whitespace = rest.reversed().prefix(while: JSONText.isWhitespace).count
        let release = rest.count - whitespace
        guard release > 0 else { return }
        if callCount == 0 { emit(.text, Array(held.prefix(release))) }
        held.removeFirst(release)
    }

    private mutating func argument(_ byte: UInt8) {
        let inString = strings.inString
        strings.consume(byte)
        if inString {
            emit(.arguments(callCount), [byte])
            return
        }
        switch byte {
        case _ where JSONText.isWhitespace(byte):
            return
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
        default:
            break
        }
        emit(.arguments(callCount), [byte])
        if depth <= 0 {
            state = .trailer
        } else if endsWithClose(block) {
            // Broken arguments closed by the tag: the call ends with what was streamed.
            endCall()
        }
    }

    private mutating func endCall() {
        callCount += 1
        block = []
        whitespaceBeforeBlock = []
        state = .text
    }

    private mutating func closeOpaqueBlockIfEnded() {
        guard endsWithClose(block) else { return }
        if let call = ToolCallFormat.call(from: Array(block.dropLast(Self.close.count))) {
            output.append(.started(callCount, call.name))
            emit(.arguments(callCount), Array(call.arguments.utf8))
            endCall()
        } else {
            if callCount == 0 { emit(.text, whitespaceBeforeBlock + Self.open + block) }
            block = []
            whitespaceBeforeBlock = []
            state = .text
        }
    }

    private func endsWithClose(_ bytes: [UInt8]) -> Bool {
        bytes.count >= Self.close.count && bytes.suffix(Self.close.count).elementsEqual(Self.close)
    }

    private mutating func emit(_ kind: Kind, _ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if case .bytes(let last, let earlier) = output.last, last == kind {
            output[output.count - 1] = .bytes(kind, earlier + bytes)
        } else {
            output.append(.bytes(kind, bytes))
        }
    }

    /// The decided bytes as events, whole characters only (a split one waits for the rest).
    private mutating func drain(final: Bool) -> [Event] {
        var events: [Event] = []
        let pending = output
        output = []
        for (position, item) in pending.enumerated() {
            switch item {
            case .started(let index, let name):
                flushCarry(into: &events)
                events.append(.callStarted(index: index, name: name))
            case .bytes(let kind, var bytes):
                if let carry, carry.kind == kind {
                    bytes = carry.bytes + bytes
                    self.carry = nil
                } else {
                    flushCarry(into: &events)
                }
                if position == pending.count - 1, !final {
                    let complete = OutputText.completeCharacterPrefix(bytes)
                    if complete < bytes.count { carry = (kind, Array(bytes[complete...])) }
                    bytes = Array(bytes.prefix(complete))
                }
                if !bytes.isEmpty { events.append(Self.event(kind, bytes)) }
            }
        }
        if final { flushCarry(into: &events) }
        return events
    }

    private mutating func flushCarry(into events: inout [Event]) {
        guard let carry else { return }
        self.carry = nil
        events.append(Self.event(carry.kind, carry.bytes))
    }

    private static func event(_ kind: Kind, _ bytes: [UInt8]) -> Event {
        let text = String(decoding: bytes, as: UTF8.self)
        switch kind {
        case .text: return .text(text)
        case .arguments(let index): return .arguments(index: index, fragment: text)
        }
    }

    // MARK: The header

    private enum Header {
        case needMore
        case mismatch
        case matched(name: String)
    }

    /// Whether `block` is `{"name": "<name>", "arguments": {` (any whitespace between tokens),
    /// ending exactly at that brace.
    private static func header(_ block: [UInt8]) -> Header {
        var index = 0
        func skipWhitespace() {
            while index < block.count, JSONText.isWhitespace(block[index]) { index += 1 }
        }
        /// `nil` when the literal matched; otherwise what its failure means.
        func literal(_ text: String) -> Header? {
            for byte in text.utf8 {
                guard index < block.count else { return .needMore }
                guard block[index] == byte else { return .mismatch }
                index += 1
            }
            return nil
        }
        skipWhitespace()
        if let failure = literal("{") { return failure }
        skipWhitespace()
        if let failure = literal(#""name""#) { return failure }
        skipWhitespace()
        if let failure = literal(":") { return failure }
        skipWhitespace()
        guard index < block.count else { return .needMore }
        guard block[index] == UInt8(ascii: "\"") else { return .mismatch }
        let nameStart = index
        index += 1
        var escaped = false
        while true {
            guard index < block.count else { return .needMore }
            let byte = block[index]
            index += 1
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                break
            }
        }
        let nameText = block[nameStart..<index]
        skipWhitespace()
        if let failure = literal(",") { return failure }
        skipWhitespace()
        if let failure = literal(#""arguments""#) { return failure }
        skipWhitespace()
        if let failure = literal(":") { return failure }
        skipWhitespace()
        if let failure = literal("{") { return failure }
        guard index == block.count,
            let name = try? JSONDecoder().decode(
                [String].self, from: Data([UInt8(ascii: "[")] + nameText + [UInt8(ascii: "]")])).first
        else { return .mismatch }
        return .matched(name: name)
    }
}

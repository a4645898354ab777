/// Reads the text a browser would show from an HTML page: scripts, styles, comments and the
/// `<head>` are dropped (its `<title>` becomes the title), block elements end lines or paragraphs,
/// character references are decoded and whitespace is collapsed. A forgiving scanner, not a
/// parser: broken markup still gives its words.
enum HTMLText {
    static func extract(_ html: String) -> ExtractedText {
        var scanner = Scanner(bytes: Array(html.utf8))
        scanner.run()
        let title = scanner.title.map(collapsingWhitespace)
        return ExtractedText(title: title?.isEmpty == false ? title : nil, text: scanner.flow.text)
    }

    static func collapsingWhitespace(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Elements whose content is never shown as text.
    private static let hidden: Set<String> = ["script", "style", "noscript", "template", "svg"]
    /// Elements that belong in `<head>`; any other element starts the body.
    private static let headElements: Set<String> = [
        "head", "title", "meta", "link", "style", "script", "base", "noscript", "template",
    ]
    /// Elements that stand as paragraphs of their own.
    private static let paragraphBlocks: Set<String> = [
        "address", "article", "aside", "blockquote", "caption", "center", "details", "dialog", "div", "dl",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "legend", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul",
    ]
    /// Elements that start a new line but not a new paragraph.
    private static let lineBlocks: Set<String> = ["br", "li", "dt", "dd", "tr", "option"]
    /// Table cells: kept apart by a space.
    private static let cells: Set<String> = ["td", "th"]

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var flow = TextFlow()
        var title: String?
        var inHead = false
        var preDepth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<"), tag() { continue }
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                let run = bytes[start..<index]
                // As in a browser, text or a body element ends a head that was never closed.
                if inHead, run.contains(where: { !isSpace($0) }) { inHead = false }
                if !inHead {
                    flow.append(HTMLEntities.decode(String(decoding: run, as: UTF8.self)),
                                keepingLineBreaks: preDepth > 0)
                }
            }
        }

        /// Consumes the markup at `index` (a `<`); false when it is a literal `<` in the text.
        private mutating func tag() -> Bool {
            let next = index + 1 < bytes.count ? bytes[index + 1] : 0
            if starts(with: "<!--") {
                index = end(of: "-->", from: index + 4)
                return true
            }
            if starts(with: "<![CDATA[") {
                let close = find("]]>", from: index + 9) ?? bytes.count
                if !inHead { flow.append(String(decoding: bytes[(index + 9)..<close], as: UTF8.self)) }
                index = min(close + 3, bytes.count)
                return true
            }
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                index = end(of: ">", from: index + 2)
                return true
            }
            let closing = next == UInt8(ascii: "/")
            let nameStart = index + (closing ? 2 : 1)
            guard nameStart < bytes.count, isLetter(bytes[nameStart]) else { return false }
            var nameEnd = nameStart
            while nameEnd < bytes.count, isNameByte(bytes[nameEnd]) { nameEnd += 1 }
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self).lowercased()
            index = nameEnd
            let attributes = readAttributes()
            closing ? endTag(name) : startTag(name, attributes: attributes)
            return true
        }

        private mutating func startTag(_ name: String, attributes: [String: String]) {
            if inHead, !HTMLText.headElements.contains(name) { inHead = false }
            switch name {
            case "head": inHead = true
            case "body": inHead = false
            case "title":
                let content = rawText(until: name)
                if title == nil { title = HTMLEntities.decode(content) }
            case _ where HTMLText.hidden.contains(name):
                _ = rawText(until: name)
            case "img":
                if !inHead, let alt = attributes["alt"] { flow.append(HTMLEntities.decode(alt)) }
            default:
                structure(name)
                if name == "pre" { preDepth += 1 }
            }
        }

        private mutating func endTag(_ name: String) {
            if name == "head" { inHead = false }
            if name == "pre" { preDepth = max(0, preDepth - 1) }
            structure(name)
        }

        private mutating func structure(_ name: String) {
            if HTMLText.paragraphBlocks.contains(name) {
                flow.breakParagraph()
            } else if HTMLText.lineBlocks.contains(name) {
                flow.breakLine()
            } else if HTMLText.cells.contains(name) {
                flow.separate()
            }
        }

        /// Attributes up to the tag's `>`, names lowercased, character references left as written.
        private mutating func readAttributes() -> [String: String] {
            var attributes: [String: String] = [:]
            while index < bytes.count {
                while index < bytes.count, isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/") { index += 1 }
                guard index < bytes.count, bytes[index] != UInt8(ascii: ">") else { break }
                let nameStart = index
                while index < bytes.count, !isSpace(bytes[index]), !"=>/".utf8.contains(bytes[index]) { index += 1 }
                let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                var value = ""
                if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                    index += 1
                    while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                        let quote = bytes[index]
                        let valueStart = index + 1
                        index = valueStart
                        while index < bytes.count, bytes[index] != quote { index += 1 }
                        value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                        index = min(index + 1, bytes.count)
                    } else {
                        let valueStart = index
                        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
                        value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                    }
                }
                if !name.isEmpty, attributes[name] == nil { attributes[name] = value }
            }
            index = min(index + 1, bytes.count)
            return attributes
        }

        /// The content of a raw-text element up to its end tag, which is consumed too.
        private mutating func rawText(until name: String) -> String {
            let close = find("</" + name, from: index, caseInsensitive: true) ?? bytes.count
            let content = String(decoding: bytes[index..<close], as: UTF8.self)
            index = close < bytes.count ? end(of: ">", from: close) : close
            return content
        }

        private func starts(with literal: String) -> Bool {
            find(literal, from: index, limit: index + 1) != nil
        }

        /// The index just past the next `literal` from `from`, or the end of the input.
        private func end(of literal: String, from: Int) -> Int {
            find(literal, from: from).map { $0 + literal.utf8.count } ?? bytes.count
        }

        private func find(_ literal: String, from: Int, limit: Int? = nil, caseInsensitive: Bool = false) -> Int? {
            let needle = Array(literal.utf8)
            let last = min(limit ?? bytes.count, bytes.count - needle.count + 1)
            var position = from
            while position < last {
                var matched = true
                for offset in 0..<needle.count {
                    let byte = bytes[position + offset]
                    if byte != needle[offset], !(caseInsensitive && lowercased(byte) == needle[offset]) {
                        matched = false
                        break
                    }
                }
                if matched { return position }
                position += 1
            }
            return nil
        }

        private func lowercased(_ byte: UInt8) -> UInt8 {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
        }

        private func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(lowercased(byte))
        }

        private func isNameByte(_ byte: UInt8) -> Bool {
            isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ":")
        }

        private func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
        }
    }
}

/// Text laid out the way a browser flows it: runs of whitespace become one space, and breaks
/// asked for between blocks become one `\n` (a line) or `\n\n` (a paragraph), never at the ends.
private struct TextFlow {
    private(set) var text = ""
    private var pendingSpace = false
    private var pendingBreak = 0

    mutating func append(_ run: String, keepingLineBreaks: Bool = false) {
        for character in run {
            if character.isWhitespace {
                if keepingLineBreaks, character.isNewline {
                    pendingBreak = max(pendingBreak, 1)
                } else {
                    pendingSpace = true
                }
                continue
            }
            if !text.isEmpty {
                if pendingBreak > 0 {
                    text += pendingBreak > 1 ? "\n\n" : "\n"
                } else if pendingSpace {
                    text += " "
                }
            }
            pendingSpace = false
            pendingBreak = 0
            text.append(character)
        }
    }

    mutating func breakLine() { pendingBreak = max(pendingBreak, 1) }
    mutating func breakParagraph() { pendingBreak = 2 }
    mutating func separate() { pendingSpace = true }
}

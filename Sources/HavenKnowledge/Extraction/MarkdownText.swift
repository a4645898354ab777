import Foundation

/// Reads the words out of Markdown: heading marks, emphasis, list and quote markers, link and
/// image syntax, tables' rules and raw HTML go; link text, image alt text and code stay. The first
/// level-one heading (`# Title` or a `===` underline) is the title. Block structure comes from
/// the lines, CommonMark-style but forgiving; inline markup is `MarkdownInline`'s.
enum MarkdownText {
    static func extract(_ markdown: String) -> ExtractedText {
        var reader = BlockReader()
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            reader.read(line)
        }
        return ExtractedText(title: reader.title, text: joiningParagraphs(reader.lines))
    }

    /// One line per output line; runs of blank lines become one, none at either end.
    private static func joiningParagraphs(_ lines: [String]) -> String {
        var result: [String] = []
        for line in lines {
            let trimmed = String(line.reversed().drop(while: \.isWhitespace).reversed())
            if trimmed.isEmpty, result.last?.isEmpty ?? true { continue }
            result.append(trimmed)
        }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n")
    }

    private struct BlockReader {
        var lines: [String] = []
        var title: String?
        private var fence: (marker: Character, length: Int)?
        private var inComment = false
        /// Whether the line before was paragraph text, which a `===` or `---` line would make a heading.
        private var afterText = false

        mutating func read(_ rawLine: Substring) {
            if let open = fence {
                if isFence(rawLine.drop(while: \.isWhitespace), closing: open) {
                    fence = nil
                    lines.append("")
                } else {
                    lines.append(String(rawLine))
                }
                return
            }
            var line = rawLine
            if inComment {
                guard let end = line.range(of: "-->") else { return }
                line = line[end.upperBound...]
                inComment = false
            }
            if let open = line.range(of: "<!--"), line[open.upperBound...].range(of: "-->") == nil {
                line = line[..<open.lowerBound]
                inComment = true
            }
            readBlock(line.drop(while: \.isWhitespace))
        }

        private mutating func readBlock(_ line: Substring) {
            var line = line
            while line.first == ">" { line = line.dropFirst().drop(while: \.isWhitespace) }
            let wasAfterText = afterText
            afterText = false
            if line.isEmpty {
                lines.append("")
            } else if let marker = line.first, marker == "`" || marker == "~", line.prefix(while: { $0 == marker }).count >= 3 {
                fence = (marker, line.prefix(while: { $0 == marker }).count)
                lines.append("")
            } else if let (level, text) = atxHeading(line) {
                let rendered = MarkdownInline.render(text)
                if level == 1, title == nil { title = nonEmptyTitle(rendered) }
                lines += ["", rendered, ""]
            } else if wasAfterText, let marker = line.first, marker == "=" || marker == "-",
                      line.allSatisfy({ $0 == marker || $0 == " " || $0 == "\t" }) {
                if marker == "=", title == nil, let heading = lines.last { title = nonEmptyTitle(heading) }
                lines.append("")
            } else if isThematicBreak(line) {
                lines.append("")
            } else if line.first == "[", let colon = line.range(of: "]:") {
                // A link reference definition says nothing to a reader; a footnote's text does.
                if line.dropFirst().first == "^" {
                    lines.append(MarkdownInline.render(line[colon.upperBound...].drop(while: \.isWhitespace)))
                    afterText = true
                }
            } else if line.contains("|"), line.contains("-"), line.allSatisfy({ "|:- \t".contains($0) }) {
                return
            } else if line.first == "|" {
                lines.append(tableRow(line))
            } else {
                lines.append(MarkdownInline.render(listItemText(line)))
                afterText = true
            }
        }

        private func isFence(_ line: Substring, closing open: (marker: Character, length: Int)) -> Bool {
            let run = line.prefix(while: { $0 == open.marker }).count
            return run >= open.length && line.dropFirst(run).allSatisfy(\.isWhitespace)
        }

        private func atxHeading(_ line: Substring) -> (Int, Substring)? {
            let level = line.prefix(while: { $0 == "#" }).count
            guard (1...6).contains(level) else { return nil }
            var text = line.dropFirst(level)
            guard text.isEmpty || text.first?.isWhitespace == true else { return nil }
            text = text.drop(while: \.isWhitespace)
            // An optional closing run of #s, when a space sets it apart.
            let withoutClosing = text.reversed().drop(while: \.isWhitespace).drop(while: { $0 == "#" })
            if withoutClosing.isEmpty || withoutClosing.first?.isWhitespace == true {
                text = text.prefix(withoutClosing.count)
            }
            return (level, Substring(text.reversed().drop(while: \.isWhitespace).reversed()))
        }

        private func isThematicBreak(_ line: Substring) -> Bool {
            guard let marker = line.first, "-*_".contains(marker) else { return false }
            return line.filter({ $0 == marker }).count >= 3 && line.allSatisfy({ $0 == marker || $0 == " " || $0 == "\t" })
        }

        /// A list item's text without its bullet, number or task box.
        private func listItemText(_ line: Substring) -> Substring {
            var text = line
            if let first = text.first, "-*+".contains(first), text.dropFirst().first?.isWhitespace == true {
                text = text.dropFirst().drop(while: \.isWhitespace)
            } else {
                let digits = text.prefix(while: \.isASCIIDigit)
                let afterDigits = text.dropFirst(digits.count)
                if (1...9).contains(digits.count), let delimiter = afterDigits.first, delimiter == "." || delimiter == ")",
                   afterDigits.dropFirst().first?.isWhitespace == true {
                    text = afterDigits.dropFirst().drop(while: \.isWhitespace)
                }
            }
            for box in ["[ ] ", "[x] ", "[X] "] where text.hasPrefix(box) {
                text = text.dropFirst(box.count)
            }
            return text
        }

        /// A table row's cells, rendered and set apart by tabs.
        private func tableRow(_ line: Substring) -> String {
            var cells = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { MarkdownInline.render($0.trimmingCharacters(in: .whitespaces)) }
            if cells.first?.isEmpty == true { cells.removeFirst() }
            if cells.last?.isEmpty == true { cells.removeLast() }
            return cells.joined(separator: "\t")
        }

        private func nonEmptyTitle(_ text: String) -> String? {
            let title = HTMLText.collapsingWhitespace(text)
            return title.isEmpty ? nil : title
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

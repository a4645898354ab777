/// Renders one line of inline Markdown as plain words: `[text](url)` and `![alt](src)` keep their
/// text, code spans their code, emphasis markers and HTML tags go, backslash escapes and character
/// references are resolved. `_` inside a word (`snake_case`) and a lone `*` between spaces stay.
enum MarkdownInline {
    static func render(_ text: some StringProtocol) -> String {
        var output = ""
        render(Array(text)[...], into: &output)
        // Markup removed between spaces ("a [^1] b") leaves two; one is what a reader sees.
        var previous: Character = " "
        return String(output.filter { character in
            defer { previous = character }
            return !(character == " " && previous == " ")
        })
    }

    private static func render(_ characters: ArraySlice<Character>, into output: inout String) {
        var index = characters.startIndex
        let end = characters.endIndex
        while index < end {
            let character = characters[index]
            switch character {
            case "\\" where index + 1 < end && isASCIIPunctuation(characters[index + 1]):
                output.append(characters[index + 1])
                index += 2
            case "\\" where index + 1 == end:
                // A backslash ending a line is a hard line break, not text.
                index += 1
            case "`":
                let run = runLength(of: "`", in: characters, at: index)
                if let close = closingBackticks(run, in: characters, from: index + run) {
                    var code = characters[(index + run)..<close]
                    if code.count >= 2, code.first == " ", code.last == " " { code = code.dropFirst().dropLast() }
                    output.append(contentsOf: code)
                    index = close + run
                } else {
                    output.append(contentsOf: characters[index..<(index + run)])
                    index += run
                }
            case "!" where index + 1 < end && characters[index + 1] == "[":
                if let link = link(in: characters, at: index + 1) {
                    render(link.text, into: &output)
                    index = link.end
                } else {
                    output.append("!")
                    index += 1
                }
            case "[":
                if let link = link(in: characters, at: index) {
                    render(link.text, into: &output)
                    index = link.end
                } else {
                    output.append("[")
                    index += 1
                }
            case "<":
                index = angle(in: characters, at: index, into: &output)
            case "*", "_", "~":
                let run = runLength(of: character, in: characters, at: index)
                if !isEmphasisMarker(character, run: run, in: characters, at: index) {
                    output.append(contentsOf: characters[index..<(index + run)])
                }
                index += run
            case "&":
                let limit = min(end, index + 34)
                if let semicolon = characters[index..<limit].firstIndex(of: ";") {
                    let reference = String(characters[index...semicolon])
                    let decoded = HTMLEntities.decode(reference)
                    if decoded != reference {
                        output += decoded
                        index = semicolon + 1
                        continue
                    }
                }
                output.append("&")
                index += 1
            default:
                output.append(character)
                index += 1
            }
        }
    }

    /// A link or image label at `open` (a `[`) followed by `(destination)` or `[reference]`: the
    /// label's characters and the index past the whole construct. Footnote references (`[^1]`)
    /// render as nothing.
    private static func link(in characters: ArraySlice<Character>, at open: Int) -> (text: ArraySlice<Character>, end: Int)? {
        guard let close = matching(open: "[", close: "]", in: characters, at: open) else { return nil }
        let label = characters[(open + 1)..<close]
        let after = close + 1
        if after < characters.endIndex, characters[after] == "(",
           let parenthesis = matching(open: "(", close: ")", in: characters, at: after) {
            return (label, parenthesis + 1)
        }
        if after < characters.endIndex, characters[after] == "[",
           let reference = matching(open: "[", close: "]", in: characters, at: after) {
            return (label, reference + 1)
        }
        if label.first == "^" { return (label[label.endIndex...], after) }
        return nil
    }

    /// Handles a `<` at `index`: an autolink keeps its address, an HTML tag or comment goes, anything
    /// else is a literal `<`. Returns the index to go on from.
    private static func angle(in characters: ArraySlice<Character>, at index: Int, into output: inout String) -> Int {
        let rest = characters[(index + 1)...]
        if rest.starts(with: "!--") {
            let body = rest.dropFirst(3)
            var position = body.startIndex
            while position + 2 < characters.endIndex {
                if characters[position] == "-", characters[position + 1] == "-", characters[position + 2] == ">" {
                    return position + 3
                }
                position += 1
            }
        }
        guard let close = rest.firstIndex(of: ">"), let first = rest.first else {
            output.append("<")
            return index + 1
        }
        let inner = characters[(index + 1)..<close]
        let innerText = String(inner)
        if !inner.contains(where: \.isWhitespace), innerText.contains("://") || innerText.hasPrefix("mailto:") || innerText.contains("@") {
            output += innerText
            return close + 1
        }
        if first.isLetter || first == "/" || first == "!" || first == "?" {
            return close + 1
        }
        output.append("<")
        return index + 1
    }

    /// CommonMark's flanking rules, simplified: a run touching a word on one side marks emphasis,
    /// except `_` inside a word and a single `~`.
    private static func isEmphasisMarker(_ marker: Character, run: Int, in characters: ArraySlice<Character>, at index: Int) -> Bool {
        let previous = index > characters.startIndex ? characters[index - 1] : " "
        let next = index + run < characters.endIndex ? characters[index + run] : " "
        let leftFlanking = !next.isWhitespace && (!isPunctuation(next) || previous.isWhitespace || isPunctuation(previous))
        let rightFlanking = !previous.isWhitespace && (!isPunctuation(previous) || next.isWhitespace || isPunctuation(next))
        switch marker {
        case "_":
            return (leftFlanking && !isWordCharacter(previous)) || (rightFlanking && !isWordCharacter(next))
        case "~":
            return run >= 2 && (leftFlanking || rightFlanking)
        default:
            return leftFlanking || rightFlanking
        }
    }

    private static func runLength(of character: Character, in characters: ArraySlice<Character>, at index: Int) -> Int {
        characters[index...].prefix(while: { $0 == character }).count
    }

    private static func closingBackticks(_ run: Int, in characters: ArraySlice<Character>, from start: Int) -> Int? {
        var position = start
        while position < characters.endIndex {
            if characters[position] == "`" {
                let length = runLength(of: "`", in: characters, at: position)
                if length == run { return position }
                position += length
            } else {
                position += 1
            }
        }
        return nil
    }

    /// The index of the bracket that closes the one at `index`, counting nesting and skipping escapes.
    private static func matching(open: Character, close: Character, in characters: ArraySlice<Character>, at index: Int) -> Int? {
        var depth = 0
        var position = index
        while position < characters.endIndex {
            switch characters[position] {
            case "\\": position += 1
            case open: depth += 1
            case close:
                depth -= 1
                if depth == 0 { return position }
            default: break
            }
            position += 1
        }
        return nil
    }

    private static func isASCIIPunctuation(_ character: Character) -> Bool {
        character.isASCII && (character.isPunctuation || character.isSymbol)
    }

    private static func isPunctuation(_ character: Character) -> Bool {
        character.isPunctuation || character.isSymbol
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }
}

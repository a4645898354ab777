/// Reads the TOML an agent file is written in: top-level `key = value` lines whose values are
/// strings (basic, literal and both multi-line forms, with TOML's escapes), whole numbers,
/// booleans and arrays of these, with comments anywhere TOML allows them.
///
/// That is every TOML document an agent definition can be: its keys are all top-level and its
/// values strings, arrays of strings or a whole number. Tables, dotted keys, inline tables,
/// floats and dates are refused with a sentence naming the line. Agent files arrive over HTTP
/// (`POST /haven/agents`), and the TOML library the configuration file uses (toml++ 3.4 inside
/// TOMLKit) aborts the process on some malformed input, such as `[{` or `tools = [ }`, instead
/// of reporting an error; this parser only ever throws.
struct AgentFileParser {
    /// A value as the file spells it.
    enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case array([Value])

        var string: String? {
            if case .string(let text) = self { text } else { nil }
        }
        var integer: Int? {
            if case .integer(let number) = self { number } else { nil }
        }
        var array: [Value]? {
            if case .array(let items) = self { items } else { nil }
        }
    }

    /// Arrays inside arrays deeper than this are refused (an agent file has none at all).
    static let maximumDepth = 8

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// The file's keys and values, or the first problem, as `line N: what is wrong`.
    static func parse(_ text: String) throws(AgentError) -> [String: Value] {
        var parser = AgentFileParser(text)
        return try parser.document()
    }

    // MARK: Statements

    private mutating func document() throws(AgentError) -> [String: Value] {
        var values: [String: Value] = [:]
        while true {
            try skipBlankLinesAndComments()
            guard let next = peek() else { return values }
            let statementLine = line
            if next == "[" {
                throw failure("tables ([name]) are not used in an agent file; write every key at the top level")
            }
            let key = try key()
            skipSpaces()
            if peek() == "." { throw failure("dotted keys are not used in an agent file; '\(key)' has a '.' after it") }
            guard peek() == "=" else { throw failure("expected '=' after the key '\(key)'") }
            index += 1
            skipSpaces()
            let value = try value(depth: 0)
            skipSpaces()
            if peek() == "#" { try comment() }
            if peek() != nil { try newline(or: "expected the end of the line after the value of '\(key)'") }
            guard values[key] == nil else {
                throw AgentError.invalidDefinition("line \(statementLine): '\(key)' is given twice")
            }
            values[key] = value
        }
    }

    private mutating func key() throws(AgentError) -> String {
        switch peek() {
        case "\"": return try basicString()
        case "'": return try literalString()
        default:
            let start = index
            while let scalar = peek(), Self.isBareKeyScalar(scalar) { index += 1 }
            guard index > start else {
                throw failure("expected a key (letters, digits, '_' or '-', or a quoted string), saw \(describe(peek()))")
            }
            return String(String.UnicodeScalarView(scalars[start..<index]))
        }
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(AgentError) -> Value {
        guard let next = peek() else { throw failure("expected a value after '='") }
        switch next {
        case "\"":
            return .string(try starts(with: "\"\"\"") ? multiLineBasicString() : basicString())
        case "'":
            return .string(try starts(with: "'''") ? multiLineLiteralString() : literalString())
        case "[":
            return try array(depth: depth)
        case "{":
            throw failure("inline tables ({…}) are not used in an agent file")
        case "t", "f":
            if starts(with: "true") {
                index += 4
                return .boolean(true)
            }
            if starts(with: "false") {
                index += 5
                return .boolean(false)
            }
        case "+", "-", "0"..."9":
            return .integer(try integer())
        default:
            break
        }
        throw failure("expected a value (a string, a whole number, true, false or an array), saw \(describe(next))")
    }

    private mutating func array(depth: Int) throws(AgentError) -> Value {
        guard depth < Self.maximumDepth else { throw failure("arrays are nested more than \(Self.maximumDepth) deep") }
        index += 1  // [
        var items: [Value] = []
        while true {
            try skipBlankLinesAndComments()
            if peek() == "]" {
                index += 1
                return .array(items)
            }
            items.append(try value(depth: depth + 1))
            try skipBlankLinesAndComments()
            switch peek() {
            case ",": index += 1
            case "]":
                index += 1
                return .array(items)
            case nil: throw failure("an array is not closed with ']'")
            case let other: throw failure("expected ',' or ']' in an array, saw \(describe(other))")
            }
        }
    }

    /// A decimal whole number: an optional sign, digits, and single underscores between digits.
    private mutating func integer() throws(AgentError) -> Int {
        var text = ""
        if let sign = peek(), sign == "+" || sign == "-" {
            if sign == "-" { text = "-" }
            index += 1
        }
        var previousWasDigit = false
        while let scalar = peek() {
            if ("0"..."9").contains(scalar) {
                text.unicodeScalars.append(scalar)
                previousWasDigit = true
            } else if scalar == "_", previousWasDigit, let after = peek(1), ("0"..."9").contains(after) {
                previousWasDigit = false
            } else {
                break
            }
            index += 1
        }
        if let after = peek(), after == "." || after == "e" || after == "E" || after == ":" || after == "x" || after == "o"
            || after == "b" || after == "-" || after == "T" || after == "_"
        {
            throw failure("only decimal whole numbers are used in an agent file")
        }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty else { throw failure("expected digits in a number") }
        guard digits.count == 1 || digits.first != "0" else { throw failure("a whole number has no leading zeros") }
        guard let number = Int(text) else { throw failure("the number \(text) is too large") }
        return number
    }

    // MARK: Strings

    private mutating func basicString() throws(AgentError) -> String {
        index += 1  // "
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw failure("a string is not closed with '\"'") }
            index += 1
            switch scalar {
            case "\"": return String(text)
            case "\\": text.append(try escape())
            case "\n", "\r": throw failure("a string in \"…\" must end on its line; use \"\"\"…\"\"\" for several lines")
            default:
                try requirePrintable(scalar)
                text.append(scalar)
            }
        }
    }

    private mutating func multiLineBasicString() throws(AgentError) -> String {
        index += 3  // """
        try trimFirstNewline()
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw failure("a string is not closed with '\"\"\"'") }
            if scalar == "\"", let closed = closingQuotes("\"") {
                text.append(contentsOf: String(repeating: "\"", count: closed).unicodeScalars)
                return String(text)
            }
            index += 1
            switch scalar {
            case "\\":
                if try lineEndingBackslash() { continue }
                text.append(try escape())
            case "\n":
                line += 1
                text.append(scalar)
            case "\r":
                try newlineAfterCarriageReturn()
                text.append(contentsOf: "\r\n".unicodeScalars)
            default:
                try requirePrintable(scalar)
                text.append(scalar)
            }
        }
    }

    private mutating func literalString() throws(AgentError) -> String {
        index += 1  // '
        let start = index
        while true {
            guard let scalar = peek() else { throw failure("a string is not closed with \"'\"") }
            if scalar == "'" {
                defer { index += 1 }
                return String(String.UnicodeScalarView(scalars[start..<index]))
            }
            if scalar == "\n" || scalar == "\r" {
                throw failure("a string in '…' must end on its line; use '''…''' for several lines")
            }
            try requirePrintable(scalar)
            index += 1
        }
    }

    private mutating func multiLineLiteralString() throws(AgentError) -> String {
        index += 3  // '''
        try trimFirstNewline()
        var text = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw failure("a string is not closed with \"'''\"") }
            if scalar == "'", let closed = closingQuotes("'") {
                text.append(contentsOf: String(repeating: "'", count: closed).unicodeScalars)
                return String(text)
            }
            index += 1
            switch scalar {
            case "\n":
                line += 1
                text.append(scalar)
            case "\r":
                try newlineAfterCarriageReturn()
                text.append(contentsOf: "\r\n".unicodeScalars)
            default:
                try requirePrintable(scalar)
                text.append(scalar)
            }
        }
    }

    /// At a run of `quote`s inside a multi-line string: when it closes the string (three or
    /// more; TOML lets up to two of them belong to the content), consumes it and returns how
    /// many belong to the content; nil when the run is content.
    private mutating func closingQuotes(_ quote: Unicode.Scalar) -> Int? {
        var run = 0
        while peek(run) == quote { run += 1 }
        guard run >= 3 else { return nil }
        let content = min(run - 3, 2)
        index += content + 3
        return content
    }

    /// After a backslash in a basic string: the character it stands for.
    private mutating func escape() throws(AgentError) -> Unicode.Scalar {
        guard let code = peek() else { throw failure("a string ends in the middle of an escape") }
        index += 1
        switch code {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let length = code == "u" ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<length {
                guard let digit = peek(), let nibble = Self.hexValue(digit) else {
                    throw failure("\\\(code) takes \(length) hexadecimal digits")
                }
                value = value << 4 | nibble
                index += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw failure("\\\(code) names no Unicode character")
            }
            return scalar
        default:
            throw failure("\\\(code) is not an escape TOML has")
        }
    }

    /// A backslash at the end of a line inside `"""`: skips it and all the whitespace up to the
    /// next non-blank character. False (and nothing consumed) when the backslash is an escape.
    private mutating func lineEndingBackslash() throws(AgentError) -> Bool {
        var ahead = 0
        while let scalar = peek(ahead), scalar == " " || scalar == "\t" { ahead += 1 }
        guard let end = peek(ahead), end == "\n" || end == "\r" else { return false }
        index += ahead
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            index += 1
            if scalar == "\n" { line += 1 }
            if scalar == "\r" { try newlineAfterCarriageReturn() }
        }
        return true
    }

    private mutating func trimFirstNewline() throws(AgentError) {
        if peek() == "\n" {
            index += 1
            line += 1
        } else if peek() == "\r" {
            index += 1
            try newlineAfterCarriageReturn()
        }
    }

    // MARK: Whitespace, comments and lines

    private mutating func skipSpaces() {
        while let scalar = peek(), scalar == " " || scalar == "\t" { index += 1 }
    }

    private mutating func skipBlankLinesAndComments() throws(AgentError) {
        while let scalar = peek() {
            switch scalar {
            case " ", "\t": index += 1
            case "#": try comment()
            case "\n", "\r": try newline(or: "")
            default: return
            }
        }
    }

    private mutating func comment() throws(AgentError) {
        while let scalar = peek(), scalar != "\n", scalar != "\r" {
            try requirePrintable(scalar)
            index += 1
        }
    }

    private mutating func newline(or message: String) throws(AgentError) {
        switch peek() {
        case "\n":
            index += 1
            line += 1
        case "\r":
            index += 1
            try newlineAfterCarriageReturn()
        default:
            throw failure(message)
        }
    }

    /// After a carriage return: the line feed that must follow it.
    private mutating func newlineAfterCarriageReturn() throws(AgentError) {
        guard peek() == "\n" else { throw failure("a carriage return is not followed by a line feed") }
        index += 1
        line += 1
    }

    private func requirePrintable(_ scalar: Unicode.Scalar) throws(AgentError) {
        if scalar == "\t" { return }
        if scalar.value < 0x20 || scalar.value == 0x7F {
            throw failure("control character U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed here")
        }
    }

    // MARK: Helpers

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func starts(with text: String) -> Bool {
        var offset = 0
        for scalar in text.unicodeScalars {
            guard peek(offset) == scalar else { return false }
            offset += 1
        }
        return true
    }

    private func describe(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "the end of the file" }
        if scalar.value < 0x20 || scalar.value == 0x7F { return "U+\(String(scalar.value, radix: 16, uppercase: true))" }
        return "'\(Character(scalar))'"
    }

    private func failure(_ reason: String) -> AgentError {
        .invalidDefinition("line \(line): \(reason)")
    }

    private static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            || scalar == "-"
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f": scalar.value - 87
        case "A"..."F": scalar.value - 55
        default: nil
        }
    }
}

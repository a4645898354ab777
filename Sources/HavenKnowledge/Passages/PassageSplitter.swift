/// Splits a document's text into overlapping passages of about `targetTokens` tokens each, for
/// full-text and vector retrieval. A passage ends at a paragraph boundary when one falls in its
/// second half, else at a sentence boundary, else between words; the next one starts with the
/// last `overlapTokens` or so of it, so a fact that straddles a cut is still found whole.
///
/// Tokens are estimated, not counted: 1 token ≈ 4 characters (Unicode scalars), the usual rule of
/// thumb for English with BPE tokenizers, and a safe over-estimate for most other text.
public struct PassageSplitter: Sendable {
    /// The size a passage aims for, in estimated tokens; at least 1.
    public let targetTokens: Int
    /// How much of a passage's end the next one repeats, in estimated tokens; at most half the target.
    public let overlapTokens: Int

    public init(targetTokens: Int = 300, overlapTokens: Int = 50) {
        self.targetTokens = max(1, targetTokens)
        self.overlapTokens = min(max(0, overlapTokens), self.targetTokens / 2)
    }

    /// The estimate used above: a quarter of the Unicode scalars, rounded up.
    public static func estimatedTokens(_ text: String) -> Int {
        (text.unicodeScalars.count + charactersPerToken - 1) / charactersPerToken
    }

    /// Splits `text` into passages; empty (or all-whitespace) text gives none. Whitespace is
    /// normalised and words are never cut, except a single "word" longer than a whole passage
    /// (a URL, a base64 blob), which is cut into passage-sized pieces. A title, when given, is
    /// prefixed to the first passage as its own paragraph, unless the text already opens with it.
    public func split(_ text: String, title: String? = nil) -> [Passage] {
        var words = Self.words(in: text, maximumLength: targetCharacters)
        guard !words.isEmpty else { return [] }
        if let title {
            let titleWords = Self.words(in: title, maximumLength: targetCharacters)
            let opening = 1 + words.dropFirst().prefix { !$0.startsParagraph }.count
            let opensWithTitle = words.prefix(opening).map(\.text) == titleWords.map(\.text)
            if !titleWords.isEmpty, !opensWithTitle {
                words[0].startsParagraph = true
                words.insert(contentsOf: titleWords, at: 0)
            }
        }
        var passages: [Passage] = []
        var start = 0
        while start < words.count {
            let end = fittingEnd(words, from: start)
            let cut = end < words.count ? preferredCut(words, from: start, to: end) : end
            passages.append(Passage(index: passages.count, text: Self.joined(words[start..<cut])))
            guard cut < words.count else { break }
            start = overlapStart(words, passageStart: start, cut: cut)
        }
        return passages
    }

    private static let charactersPerToken = 4
    private var targetCharacters: Int { targetTokens * Self.charactersPerToken }
    private var overlapCharacters: Int { overlapTokens * Self.charactersPerToken }

    /// A word of the normalised text, and where it stands in the paragraph and sentence structure.
    private struct Word {
        let text: Substring
        let length: Int
        var startsParagraph: Bool
        var startsSentence: Bool

        /// The characters this word adds to a passage after its predecessor.
        var separatedLength: Int { length + (startsParagraph ? 2 : 1) }
    }

    /// The index past the last word that fits, with its predecessors from `start`, in the target;
    /// always at least one word.
    private func fittingEnd(_ words: [Word], from start: Int) -> Int {
        var length = words[start].length
        var end = start + 1
        while end < words.count, length + words[end].separatedLength <= targetCharacters {
            length += words[end].separatedLength
            end += 1
        }
        return end
    }

    /// Where to end a passage running from `start` that could hold words up to `end`: the last
    /// paragraph start in its second half, else the last sentence start there, else `end`.
    private func preferredCut(_ words: [Word], from start: Int, to end: Int) -> Int {
        var length = words[start].length
        var paragraphCut: Int?
        var sentenceCut: Int?
        for index in (start + 1)...end {
            if length * 2 >= targetCharacters {
                if words[index].startsParagraph { paragraphCut = index }
                if words[index].startsSentence { sentenceCut = index }
            }
            if index < end { length += words[index].separatedLength }
        }
        return paragraphCut ?? sentenceCut ?? end
    }

    /// Where the passage after `cut` starts: far enough back to repeat about `overlapTokens`,
    /// from a sentence start when one keeps at least half that overlap; always after `passageStart`.
    private func overlapStart(_ words: [Word], passageStart: Int, cut: Int) -> Int {
        var start = cut
        var length = 0
        while start - 1 > passageStart {
            let added = words[start - 1].length + (start < cut ? 1 : 0)
            guard length + added <= overlapCharacters else { break }
            length += added
            start -= 1
        }
        guard start < cut else { return cut }
        var kept = length
        for index in start..<cut {
            if words[index].startsSentence, kept * 2 >= length { return index }
            kept -= words[index].length + 1
        }
        return start
    }

    private static func joined(_ words: ArraySlice<Word>) -> String {
        var text = ""
        for (offset, word) in words.enumerated() {
            if offset > 0 { text += word.startsParagraph ? "\n\n" : " " }
            text += word.text
        }
        return text
    }

    /// The words of `text` with their structure: a blank line starts a paragraph; a word after
    /// `.`, `!`, `?` (or a closing quote or bracket after one) that starts with a capital, a digit
    /// or an uncased letter starts a sentence, so "e.g. this" does not.
    private static func words(in text: String, maximumLength: Int) -> [Word] {
        var words: [Word] = []
        var paragraphBreak = true
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let lineWords = line.split(whereSeparator: \.isWhitespace)
            if lineWords.isEmpty {
                paragraphBreak = true
                continue
            }
            for piece in lineWords {
                for (offset, part) in pieces(of: piece, maximumLength: maximumLength).enumerated() {
                    let startsParagraph = paragraphBreak && offset == 0
                    let startsSentence = startsParagraph
                        || (offset == 0 && endsSentence(words.last?.text) && opensSentence(part))
                    words.append(Word(text: part, length: part.unicodeScalars.count,
                                      startsParagraph: startsParagraph, startsSentence: startsSentence))
                    paragraphBreak = false
                }
            }
        }
        return words
    }

    /// A word cut into pieces of at most `maximumLength` scalars, between characters.
    private static func pieces(of word: Substring, maximumLength: Int) -> [Substring] {
        guard word.unicodeScalars.count > maximumLength else { return [word] }
        var pieces: [Substring] = []
        var pieceStart = word.startIndex
        var length = 0
        for index in word.indices {
            let characterLength = word[index].unicodeScalars.count
            if length + characterLength > maximumLength, index > pieceStart {
                pieces.append(word[pieceStart..<index])
                pieceStart = index
                length = 0
            }
            length += characterLength
        }
        pieces.append(word[pieceStart...])
        return pieces
    }

    private static func endsSentence(_ word: Substring?) -> Bool {
        guard let word else { return false }
        let core = word.reversed().drop { "\"'”’)]»".contains($0) }
        guard let last = core.first else { return false }
        return ".!?…。！？".contains(last)
    }

    private static func opensSentence(_ word: Substring) -> Bool {
        guard let first = word.first(where: { !"\"'“‘([«¿¡".contains($0) }) else { return false }
        return first.isUppercase || first.isNumber || (first.isLetter && !first.isLowercase)
    }
}

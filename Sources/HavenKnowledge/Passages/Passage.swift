/// One piece of a document's text, sized for retrieval.
public struct Passage: Sendable, Equatable {
    /// The passage's position within its document, from 0.
    public let index: Int
    /// The passage's words, whitespace normalised: single spaces, `\n\n` between paragraphs.
    public let text: String

    public init(index: Int, text: String) {
        self.index = index
        self.text = text
    }
}

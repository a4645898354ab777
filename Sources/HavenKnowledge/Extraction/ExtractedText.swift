/// Text pulled out of a document, with a title when the format has one (HTML `<title>`, e-mail
/// Subject, Markdown first heading, PDF none).
public struct ExtractedText: Sendable, Equatable {
    /// The document's own title, whitespace collapsed; nil when the format or the file has none.
    public let title: String?
    /// The readable text, paragraphs separated by blank lines; markup, scripts and attachments gone.
    public let text: String

    public init(title: String?, text: String) {
        self.title = title
        self.text = text
    }
}

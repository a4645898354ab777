/// Turns a document's bytes into the text the indexer splits and embeds. Every kind but PDF is
/// read here in pure Swift (an image by its metadata, `ImageText`); PDF goes through poppler's `pdftotext`, which only the async
/// `extract` runs.
public enum TextExtractor {
    /// Pure extraction for every kind but PDF (which throws `requiresTool`). Throws
    /// `ExtractionError` for binary bytes and for files that break their format.
    public static func extract(_ bytes: [UInt8], kind: DocumentKind) throws(ExtractionError) -> ExtractedText {
        try extractInProcess(bytes, kind: kind)
    }

    /// Every kind, PDF included: a PDF is piped through `pdftotext -enc UTF-8 - -`, stopped after
    /// `timeout` (`timedOut`) or when the task is cancelled (`cancelled`). A missing tool is
    /// `toolMissing("pdftotext", hint: "install poppler-utils")`. In an async context this overload
    /// is the one Swift picks, for every kind.
    public static func extract(
        _ bytes: [UInt8], kind: DocumentKind, pdftotext: String = "pdftotext", timeout: Duration = .seconds(120)
    ) async throws(ExtractionError) -> ExtractedText {
        guard kind == .pdf else { return try extractInProcess(bytes, kind: kind) }
        return try await PDFText.extract(bytes, pdftotext: pdftotext, timeout: timeout)
    }

    private static func extractInProcess(_ bytes: [UInt8], kind: DocumentKind) throws(ExtractionError) -> ExtractedText {
        switch kind {
        case .plainText: ExtractedText(title: nil, text: try PlainText.decode(bytes))
        case .markdown: MarkdownText.extract(try PlainText.decode(bytes))
        case .html: HTMLText.extract(try PlainText.decode(bytes))
        case .email: try EmailText.extract(bytes)
        case .json: try JSONText.extract(bytes)
        case .image: try ImageText.extract(bytes)
        case .pdf: throw .requiresTool("pdftotext")
        }
    }
}

/// Reads a PDF's text with poppler's `pdftotext`, bytes in on stdin and UTF-8 out on stdout.
/// Pages (which pdftotext ends with form feeds) become paragraphs; a PDF has no title here.
enum PDFText {
    static func extract(_ bytes: [UInt8], pdftotext: String, timeout: Duration) async throws(ExtractionError) -> ExtractedText {
        let tool = ExternalTool(name: "pdftotext", executable: pdftotext, installHint: "install poppler-utils")
        let output = try await tool.run(arguments: ["-enc", "UTF-8", "-", "-"], input: bytes, timeout: timeout)
        let text = PlainText.normalisingLineEndings(String(decoding: output, as: UTF8.self))
        let pages = text.split(separator: "\u{0C}").map(trimmed).filter { !$0.isEmpty }
        return ExtractedText(title: nil, text: pages.joined(separator: "\n\n"))
    }

    /// A page without trailing spaces on its lines or blank lines at its ends.
    private static func trimmed(_ page: Substring) -> String {
        var lines: [Substring] = page.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = line
            while line.last?.isWhitespace == true { line = line.dropLast() }
            return line
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

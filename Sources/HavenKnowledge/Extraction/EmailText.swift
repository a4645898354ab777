/// Reads an RFC 5322 message (`.eml`): the From, To, Date and Subject lines, then the body's
/// text/plain parts — or its text/html parts as text when it has no plain one — through nested
/// multiparts, transfer encodings and charsets. Attachments are left out; the Subject is the title.
enum EmailText {
    /// Headers shown at the top of the text, in this order, when the message has them.
    private static let shownHeaders = ["From", "To", "Date", "Subject"]
    /// Deeper nesting than this is not a real mail; it is not followed.
    private static let maximumDepth = 16

    static func extract(_ bytes: [UInt8]) throws(ExtractionError) -> ExtractedText {
        let message = MIMEEntity.parse(bytes[...])
        guard !message.headers.isEmpty else {
            throw .malformed("it is not an e-mail message: it has no header lines such as From: or Subject:")
        }
        var body = BodyText()
        body.collect(message, depth: 0)
        let headerLines = shownHeaders.compactMap { name -> String? in
            guard let value = message.header(name) else { return nil }
            return "\(name): " + HTMLText.collapsingWhitespace(EncodedWords.decode(value))
        }
        let bodyText = body.text
        let text = headerLines.joined(separator: "\n") + (bodyText.isEmpty ? "" : "\n\n" + bodyText)
        let subject = message.header("Subject").map { HTMLText.collapsingWhitespace(EncodedWords.decode($0)) }
        return ExtractedText(title: subject?.isEmpty == false ? subject : nil,
                             text: text.trimmingWhitespaceLines())
    }

    /// The readable parts of a message body, plain and HTML kept apart until the end.
    private struct BodyText {
        var plain: [String] = []
        var html: [String] = []

        var text: String {
            (plain.isEmpty ? html : plain)
                .map { $0.trimmingWhitespaceLines() }
                .filter { !$0.isEmpty }
                .joined(separator: "\n\n")
        }

        mutating func collect(_ entity: MIMEEntity, depth: Int) {
            guard depth <= EmailText.maximumDepth, !entity.isAttachment else { return }
            let type = entity.contentType.essence
            if type.hasPrefix("multipart/") {
                for part in entity.parts { collect(part, depth: depth + 1) }
            } else if type == "message/rfc822" {
                collect(MIMEEntity.parse(entity.decodedBody[...]), depth: depth + 1)
            } else if type == "text/plain" {
                plain.append(entity.text)
            } else if type == "text/html" {
                html.append(HTMLText.extract(entity.text).text)
            }
        }
    }
}

extension String {
    /// Without blank lines or trailing spaces at either end; lines inside keep their indentation.
    fileprivate func trimmingWhitespaceLines() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.map { String($0.reversed().drop(while: \.isWhitespace).reversed()) }.joined(separator: "\n")
    }
}

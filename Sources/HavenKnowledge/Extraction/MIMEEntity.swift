import Foundation

/// One MIME entity (RFC 5322 / 2045–2046): a whole message or one part of a multipart body,
/// its headers unfolded and its body still transfer-encoded. Parsing never fails; what cannot be
/// read as headers is taken as body, as mail readers do.
struct MIMEEntity {
    /// Header fields in order; names as written, values unfolded and not yet RFC 2047-decoded.
    let headers: [(name: String, value: String)]
    let body: ArraySlice<UInt8>

    static func parse(_ bytes: ArraySlice<UInt8>) -> MIMEEntity {
        var headers: [(name: String, value: String)] = []
        var index = bytes.startIndex
        if bytes.starts(with: "From ".utf8) {
            // An mbox separator line, not a header.
            index = bytes[index...].firstIndex(of: lineFeed).map { $0 + 1 } ?? bytes.endIndex
        }
        while index < bytes.endIndex {
            let lineEnd = bytes[index...].firstIndex(of: lineFeed) ?? bytes.endIndex
            var line = bytes[index..<lineEnd]
            if line.last == carriageReturn { line = line.dropLast() }
            let next = min(lineEnd + 1, bytes.endIndex)
            if line.isEmpty {
                index = next
                break
            }
            if line.first == space || line.first == tab, !headers.isEmpty {
                headers[headers.count - 1].value += headerText(line)
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                      line[..<colon].allSatisfy({ $0 > space && $0 < 127 }) {
                let value = headerText(line[(colon + 1)...]).trimmingCharacters(in: .whitespaces)
                headers.append((headerText(line[..<colon]), value))
            } else {
                break
            }
            index = next
        }
        return MIMEEntity(headers: headers, body: bytes[index...])
    }

    /// The first field with this name, compared without regard to case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// `type/subtype` in lower case, and the parameters; `text/plain` when the header is missing.
    var contentType: HeaderValue {
        HeaderValue(header("Content-Type") ?? "text/plain")
    }

    /// Whether the part is a file attached to the message rather than part of its text.
    var isAttachment: Bool {
        header("Content-Disposition").map { HeaderValue($0).essence == "attachment" } ?? false
    }

    /// The body parts of a multipart entity, in order; empty for any other entity.
    var parts: [MIMEEntity] {
        let type = contentType
        guard type.essence.hasPrefix("multipart/"), let boundary = type.parameters["boundary"], !boundary.isEmpty
        else { return [] }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [MIMEEntity] = []
        var partStart: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: lineFeed) ?? body.endIndex
            let line = body[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                var rest = line.dropFirst(delimiter.count)
                let closes = rest.starts(with: "--".utf8)
                if closes { rest = rest.dropFirst(2) }
                if rest.allSatisfy({ $0 == space || $0 == tab || $0 == carriageReturn }) {
                    if let start = partStart {
                        // The line break before a delimiter belongs to the delimiter.
                        var end = max(start, lineStart - 1)
                        if end > start, body[end - 1] == carriageReturn { end -= 1 }
                        parts.append(MIMEEntity.parse(body[start..<end]))
                    }
                    partStart = closes ? nil : min(lineEnd + 1, body.endIndex)
                    if closes { return parts }
                }
            }
            lineStart = lineEnd + 1
        }
        if let start = partStart, start < body.endIndex {
            parts.append(MIMEEntity.parse(body[start...]))
        }
        return parts
    }

    /// The body as text: transfer encoding undone, the charset decoded, line endings made `\n`.
    var text: String {
        PlainText.normalisingLineEndings(Charset(name: contentType.parameters["charset"]).decode(decodedBody))
    }

    /// The body with its transfer encoding undone.
    var decodedBody: [UInt8] {
        TransferEncoding(header: header("Content-Transfer-Encoding")).decode(body)
    }

    /// Header bytes as text: UTF-8 when they are (RFC 6532 allows it), otherwise ISO-8859-1,
    /// which every byte decodes as.
    private static func headerText(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? Charset.latin1.decode(bytes)
    }

}

private let lineFeed: UInt8 = 0x0A
private let carriageReturn: UInt8 = 0x0D
private let space: UInt8 = 0x20
private let tab: UInt8 = 0x09

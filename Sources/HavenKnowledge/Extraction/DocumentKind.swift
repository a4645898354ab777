import Foundation

/// What the indexer can read: the kinds of file it extracts text from. An `image` (JPEG or PNG)
/// gives the text of its metadata (`ImageText`): size, date taken, camera, place, captions.
public enum DocumentKind: String, Sendable, CaseIterable {
    case plainText, markdown, html, email, pdf, json, image

    /// From the media type (parameters ignored) first, then the file name's extension; nil = not indexed.
    ///
    /// A media type that names no indexable kind (`application/octet-stream`, or none at all) leaves
    /// the decision to the extension, so `notes.md` uploaded as a generic binary is still read.
    public static func detect(mediaType: String?, name: String) -> DocumentKind? {
        if let mediaType, let kind = fromMediaType(mediaType) {
            return kind
        }
        return fromExtension(of: name)
    }

    private static func fromMediaType(_ mediaType: String) -> DocumentKind? {
        let essence = mediaType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            .first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch essence {
        case "text/markdown", "text/x-markdown": return .markdown
        case "text/html", "application/xhtml+xml": return .html
        case "message/rfc822": return .email
        case "application/pdf", "application/x-pdf": return .pdf
        case "application/json", "text/json": return .json
        case "image/jpeg", "image/jpg", "image/pjpeg", "image/png": return .image
        default: break
        }
        if essence.hasSuffix("+json") { return .json }
        // Any other text (text/plain, text/csv, source code) is worth indexing as it is.
        if essence.hasPrefix("text/"), essence.count > "text/".count { return .plainText }
        return nil
    }

    private static func fromExtension(of name: String) -> DocumentKind? {
        let file = name.split(separator: "/").last ?? ""
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return nil }
        switch file[file.index(after: dot)...].lowercased() {
        case "txt", "text", "log", "csv", "tsv": return .plainText
        case "md", "markdown", "mdown", "mkd": return .markdown
        case "html", "htm", "xhtml": return .html
        case "eml": return .email
        case "pdf": return .pdf
        case "json", "jsonld", "geojson": return .json
        case "jpg", "jpeg", "jpe", "png": return .image
        default: return nil
        }
    }
}

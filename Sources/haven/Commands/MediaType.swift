/// A media type for a file about to be stored, from its extension.
enum MediaType {
    static let byExtension: [String: String] = [
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
        "css": "text/css", "csv": "text/csv", "json": "application/json", "xml": "application/xml",
        "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "heic": "image/heic", "svg": "image/svg+xml", "mp3": "audio/mpeg", "wav": "audio/wav", "mp4": "video/mp4",
        "mov": "video/quicktime", "webm": "video/webm", "gguf": "application/octet-stream",
    ]

    static func guess(for file: String) -> String {
        guard let dot = file.lastIndex(of: "."), !file[dot...].contains("/") else { return "application/octet-stream" }
        return byExtension[file[file.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }
}

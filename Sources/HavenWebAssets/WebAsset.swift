import Foundation

/// One file of the web app, ready to serve: its bytes, a gzip copy where that is smaller, and
/// the entity tag that names this exact content.
public struct WebAsset: Sendable, Equatable {
    /// Path under `web/`, e.g. `index.html` or `views/chat.js`.
    public let path: String
    public let contentType: String
    public let bytes: [UInt8]
    /// The same bytes gzip-compressed, when that saves space.
    public let gzipped: [UInt8]?
    /// A strong entity tag: the quoted first 32 hex digits of the SHA-256 of `bytes`.
    public let entityTag: String

    public init(path: String, contentType: String, bytes: [UInt8], gzipped: [UInt8]?, sha256: String) {
        self.path = path
        self.contentType = contentType
        self.bytes = bytes
        self.gzipped = gzipped
        self.entityTag = "\"\(sha256.prefix(32))\""
    }

    /// The media type served for a file name's extension, or `nil` for one the web app may not hold.
    public static func contentType(forExtension pathExtension: String) -> String? {
        switch pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "txt": "text/plain; charset=utf-8"
        case "webmanifest": "application/manifest+json"
        default: nil
        }
    }
}

/// An asset as `scripts/embed-web` writes it into the binary: base64 text, decoded once.
struct EncodedAsset: Sendable {
    let path: String
    let contentType: String
    let sha256: String
    let base64: String
    let gzipBase64: String?

    init(path: String, contentType: String, sha256: String, base64: String, gzipBase64: String?) {
        self.path = path
        self.contentType = contentType
        self.sha256 = sha256
        self.base64 = base64
        self.gzipBase64 = gzipBase64
    }

    func decoded() -> WebAsset {
        // The literals are written by scripts/embed-web from real files; a failure to decode
        // would be a bug in that script, caught by WebAssetsTests.
        let bytes = Data(base64Encoded: base64, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
        let gzipped = gzipBase64.flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) }.map { [UInt8]($0) }
        return WebAsset(path: path, contentType: contentType, bytes: bytes, gzipped: gzipped, sha256: sha256)
    }
}

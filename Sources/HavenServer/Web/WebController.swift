import Crypto
import Foundation
import HavenWebAssets
import Hummingbird

/// Serves the web app: `/` is its page and `/app/{path}` its modules, styles and icons, from
/// the copy compiled into the binary (or, for development, from `--web-dir`). Responses carry a
/// strong ETag (a revalidation costs a 304), gzip when the browser takes it, and the strict
/// Content-Security-Policy the app is written for: its own scripts and styles only, nothing
/// inline, no `eval`, no framing.
struct WebController {
    /// Where the assets come from.
    enum Source: Sendable {
        case embedded([String: WebAsset])
        case directory(URL)
    }

    let source: Source

    /// The web app's policy: everything from this origin, nothing inline, no plugins, no framing.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:",
        "connect-src 'self'", "font-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let assetPrefix = "/app/"

    /// Whether `path` is one of the web app's public paths (no authentication).
    static func handles(_ path: String) -> Bool {
        path == "/" || path.hasPrefix(assetPrefix)
    }

    init(configuration: Configuration) {
        if let directory = configuration.webDirectory {
            source = .directory(URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL)
        } else {
            source = .embedded(WebAssets.embedded)
        }
    }

    func addRoutes(to router: Router<HavenRequestContext>) {
        router.get("/") { request, _ in try serve("index.html", request: request) }
        router.head("/") { request, _ in try serve("index.html", request: request, includeBody: false) }
        router.get("app/**") { request, context in
            try serve(context.parameters.getCatchAll().joined(separator: "/"), request: request)
        }
        router.head("app/**") { request, context in
            try serve(context.parameters.getCatchAll().joined(separator: "/"), request: request, includeBody: false)
        }
    }

    func serve(_ path: String, request: Request, includeBody: Bool = true) throws -> Response {
        guard let asset = try asset(at: path) else {
            throw APIError(.notFound, code: "not_found", message: "the web app has no file '\(path)'")
        }
        let acceptsGzip = Self.acceptsGzip(request.headers[.acceptEncoding])
        let body = acceptsGzip ? asset.gzipped : nil
        let entityTag = body == nil ? asset.entityTag : String(asset.entityTag.dropLast()) + "-gzip\""
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: entityTag, .cacheControl: "no-cache", .vary: "Accept-Encoding",
            .contentSecurityPolicy: Self.contentSecurityPolicy, .crossOriginOpenerPolicy: "same-origin",
        ]
        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, asset: asset) {
            return Response(status: .notModified, headers: headers)
        }
        if body != nil { headers[.contentEncoding] = "gzip" }
        let bytes = body ?? asset.bytes
        headers[.contentLength] = String(bytes.count)
        return Response(
            status: .ok, headers: headers,
            body: includeBody ? .init(byteBuffer: ByteBuffer(bytes: bytes)) : .init())
    }

    /// The asset at `path` under `web/`, or `nil` if there is none (or the path tries to leave it).
    func asset(at path: String) throws -> WebAsset? {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, path.utf8.count <= 512,
            components.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") && !$0.contains("\0") })
        else { return nil }
        switch source {
        case .embedded(let assets):
            return assets[path]
        case .directory(let root):
            let url = root.appendingPathComponent(path).standardizedFileURL
            guard url.path.hasPrefix(root.path + "/"),
                let contentType = WebAsset.contentType(forExtension: url.pathExtension),
                let data = FileManager.default.contents(atPath: url.path)
            else { return nil }
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            return WebAsset(path: path, contentType: contentType, bytes: [UInt8](data), gzipped: nil, sha256: digest)
        }
    }

    /// Whether `Accept-Encoding` accepts gzip (present, and not with `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" || parts.first == "*" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }

    /// Whether an `If-None-Match` list names either representation of `asset`.
    static func matches(_ ifNoneMatch: String, asset: WebAsset) -> Bool {
        let tags = ifNoneMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let gzipTag = String(asset.entityTag.dropLast()) + "-gzip\""
        return tags.contains { tag in
            let strong = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
            return strong == "*" || strong == asset.entityTag || strong == gzipTag
        }
    }
}

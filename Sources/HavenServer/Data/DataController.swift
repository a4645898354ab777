import Foundation
import HavenAccess
import HavenIdentity
import HavenKnowledge
import HavenStore
import HTTPTypes
import Hummingbird
import NIOCore

/// `/data/{path}`: the owner's files over HTTP.
///
/// `PUT` stores a new version (streamed: the body goes to disk chunk by chunk), `GET`/`HEAD`
/// read one (with `Range`, `ETag` = manifest id, `If-None-Match`, `If-Match`), `DELETE` records
/// a deletion; `GET /data/dir/` lists a directory, `?versions` lists a file's versions and
/// `?version=N` reads one. Every request is decided by ``DataGate`` and audited first.
struct DataController {
    let store: DataStore
    let gate: DataGate
    let indexer: Indexer
    let maxUploadBytes: Int

    /// Whether `path` (as requested) is served here.
    static func handles(_ path: String) -> Bool {
        path == "/data" || path.hasPrefix("/data/")
    }

    func addRoutes(to router: Router<HavenRequestContext>) {
        for pattern in ["data", "data/**"] {
            router.get(RouterPath(pattern), use: get)
            router.head(RouterPath(pattern), use: head)
            router.put(RouterPath(pattern), use: put)
            router.delete(RouterPath(pattern), use: delete)
        }
    }

    // MARK: Handlers

    @Sendable func get(_ request: Request, context: HavenRequestContext) async throws -> Response {
        try await read(request, context: context, includeBody: true)
    }

    @Sendable func head(_ request: Request, context: HavenRequestContext) async throws -> Response {
        try await read(request, context: context, includeBody: false)
    }

    @Sendable func put(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (authentication, path) = try admit(request, context: context, right: { _ in .write }, fileOnly: true)
        var precondition = try writePrecondition(request)
        let now = Date()
        let decision = try gate.decide(authentication, .write, path, at: now)
        if decision.allowed {
            try gate.record(authentication, .write, path, decision, at: now)
        } else {
            // `append` creates new files and never replaces one.
            let append = try gate.decide(authentication, .append, path, at: now)
            let exists = try store.version(of: path) != nil
            guard append.allowed, !exists else {
                let refusal = append.allowed
                    ? AccessDecision.deny("\(authentication.principal) holds append on \(path), which creates new files only; \(path) exists")
                    : decision
                try gate.record(authentication, .write, path, refusal, at: now)
                throw DataGate.denied(refusal)
            }
            try gate.record(authentication, .append, path, append, at: now)
            precondition = .absent
        }
        let mediaType = request.headers[.contentType] ?? "application/octet-stream"
        let writer = store.writer(mediaType: mediaType, limit: Int64(maxUploadBytes))
        for try await buffer in request.body {
            try buffer.withUnsafeReadableBytes { bytes in try writer.append(bytes) }
        }
        let version = try await store.commit(
            writer, to: path, precondition: precondition, author: authentication.principal.description)
        await indexer.enqueue(path)
        context.logger.info(
            "stored", metadata: ["data.path": "\(path)", "data.version": "\(version.version)", "data.size": "\(version.size)"])
        var headers = HTTPFields()
        headers[.eTag] = version.id.map(EntityTagList.tag)
        headers[.location] = "/data" + Self.encode(path) + "?version=\(version.version)"
        return try Self.json(version, status: .created, headers: headers, context: context)
    }

    @Sendable func delete(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let (authentication, path) = try admit(request, context: context, right: { _ in .delete }, fileOnly: true)
        try gate.require(authentication, .delete, path)
        let version = try store.delete(
            path, precondition: try writePrecondition(request), author: authentication.principal.description)
        await indexer.enqueue(path)
        context.logger.info("deleted", metadata: ["data.path": "\(path)", "data.version": "\(version.version)"])
        return try Self.json(version, status: .ok, context: context)
    }

    // MARK: Reading

    private func read(_ request: Request, context: HavenRequestContext, includeBody: Bool) async throws -> Response {
        let (authentication, path) = try admit(request, context: context, right: { $0.hasSuffix("/") ? .list : .read })
        let query = request.uri.queryParameters
        if path.isDirectory {
            try gate.require(authentication, .list, path)
            let entries = try store.list(path)
            guard !entries.isEmpty || path == .root else { throw StoreError.notFound(path) }
            return try Self.json(DirectoryListing(path: path, entries: entries), status: .ok, context: context)
        }
        if query["versions"] != nil {
            try gate.require(authentication, .read, path)
            let versions = try store.versions(of: path)
            guard !versions.isEmpty else { throw StoreError.notFound(path) }
            return try Self.json(VersionListing(path: path, versions: versions), status: .ok, context: context)
        }
        let number = try query["version"].map { text in
            guard let number = Int(text), number > 0 else {
                throw APIError(.badRequest, code: "invalid_version", message: "version takes a whole number from 1")
            }
            return number
        }
        // The version is looked up before the decision, which needs its content id when a
        // licence decides; nothing about it is answered unless the decision allows.
        let purpose = try DataGate.purpose(of: request.headers)
        let found = try store.version(of: path, number: number)
        let use = try found?.id.map { id in
            LicenceUse(action: .read, target: try LicenceTarget(id.description), purpose: purpose, counted: includeBody)
        }
        try gate.require(authentication, .read, path, use: use)
        guard let version = found else {
            throw number.map { StoreError.versionNotFound(path, $0) } ?? StoreError.notFound(path)
        }
        guard let id = version.id else {
            throw APIError(
                .notFound, code: "not_found", message: "version \(version.version) of \(path) records its deletion")
        }
        var headers = HTTPFields()
        headers[.eTag] = EntityTagList.tag(for: id)
        headers[.contentType] = version.mediaType ?? "application/octet-stream"
        headers[.acceptRanges] = "bytes"
        headers[.lastModified] = Self.httpDate(version.createdAt)
        headers[Self.versionHeader] = String(version.version)
        if let ifMatch = EntityTagList.parse(request.headers[.ifMatch]), !ifMatch.matches(id) {
            throw StoreError.preconditionFailed(path, current: id)
        }
        if let ifNoneMatch = EntityTagList.parse(request.headers[.ifNoneMatch]), ifNoneMatch.matches(id) {
            return Response(status: .notModified, headers: headers)
        }
        var status = HTTPResponse.Status.ok
        var range = 0..<version.size
        switch ByteRange.parse(request.headers[.range], size: version.size) {
        case .whole: break
        case .partial(let requested):
            status = .partialContent
            range = requested
            headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound - 1)/\(version.size)"
        case .unsatisfiable:
            var error = APIError(
                .rangeNotSatisfiable, code: "range_not_satisfiable",
                message: "\(path) has \(version.size) bytes; the requested range starts past its end")
            error.headers[.contentRange] = "bytes */\(version.size)"
            throw error
        }
        let length = Int(range.count)
        guard includeBody else {
            headers[.contentLength] = String(length)
            return Response(status: status, headers: headers)
        }
        let slices = try store.slices(of: version, range: range)
        let objects = store.objects
        let body = ResponseBody(contentLength: length) { writer in
            for slice in slices {
                let chunk = try await objects.read(slice.id)
                try await writer.write(ByteBuffer(bytes: chunk[slice.offset..<slice.offset + slice.length]))
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    // MARK: Admission

    /// Establishes who asks and for which path. A capability token that failed verification,
    /// a path that does not parse, or a directory where a file is needed is refused here, and
    /// the refusal audited under the normalised path when there is one.
    private func admit(
        _ request: Request, context: HavenRequestContext, right: (String) -> Right, fileOnly: Bool = false
    ) throws -> (Authentication, DataPath) {
        let raw = Self.rawPath(request.uri.path)
        let parsed = Result { () throws(DataPathError) in
            let path = try DataPath(parsing: raw, percentEncoded: true)
            if fileOnly, path.isDirectory { throw .expectedFile }
            return path
        }
        let resource = (try? parsed.get())?.string ?? Self.printable(raw)
        guard let authentication = context.authentication else {
            if let rejected = context.rejectedCapability {
                try gate.recordRefusal(
                    principal: "capability:\(rejected.id)", right: right(raw), resource: resource,
                    reason: rejected.error.description)
                var error = AuthenticationError.invalidCapability(id: rejected.id, rejected.error).apiError
                error.headers[.wwwAuthenticate] = #"Bearer realm="haven""#
                throw error
            }
            throw AuthenticationError.missingCredentials
        }
        do {
            return (authentication, try parsed.get())
        } catch {
            try gate.recordRefusal(
                principal: authentication.principal.description, right: right(raw), resource: resource,
                reason: error.description)
            throw error
        }
    }

    private func writePrecondition(_ request: Request) throws -> WritePrecondition {
        if let ifMatch = EntityTagList.parse(request.headers[.ifMatch]) {
            return ifMatch == .any ? .exists : .matches(ifMatch.contentIDs)
        }
        if EntityTagList.parse(request.headers[.ifNoneMatch]) == .any { return .absent }
        return .none
    }

    /// The requested path below `/data`, still percent-encoded; `/` for `/data` itself.
    static func rawPath(_ requestPath: String) -> String {
        let rest = requestPath.dropFirst("/data".count)
        return rest.isEmpty ? "/" : String(rest)
    }

    /// A refused path as the audit log records it: at most 1 KiB.
    static func printable(_ raw: String) -> String {
        String(raw.prefix(1024))
    }

    /// `path` percent-encoded for a URL.
    static func encode(_ path: DataPath) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "%;?#")
        return path.string.addingPercentEncoding(withAllowedCharacters: allowed) ?? path.string
    }

    static let versionHeader = HTTPField.Name("X-Haven-Version")!

    static func httpDate(_ date: Date) -> String {
        date.formatted(
            Date.VerbatimFormatStyle(
                format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
                locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }

    static func json(
        _ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:], context: HavenRequestContext
    ) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try context.responseEncoder.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small client for the S3 operations Haven's chunk store needs, over AsyncHTTPClient:
/// write-once puts, whole and ranged gets, heads, deletes and ListObjectsV2, each request
/// signed with AWS Signature V4 (``SigV4Signer``) over a real SHA-256 of its body.
///
/// Every request has a deadline; a server error (5xx) or a lost connection is retried a few
/// times with a short backoff, which is safe because every operation here is idempotent (a
/// write-once put that succeeded before its answer was lost is answered 412 the second time).
/// Answers are read up to a limit, so a misbehaving endpoint cannot exhaust memory.
public struct S3Client: Sendable {
    /// How a write-once put ended.
    public enum PutOutcome: Sendable, Equatable {
        /// The object was written.
        case created
        /// An object with this key was there already (412 on `If-None-Match: *`); for
        /// content-addressed keys it holds the same bytes.
        case alreadyPresent
    }

    /// What a head tells of an object.
    public struct ObjectHead: Sendable, Equatable {
        public let size: Int64
        public let eTag: String?
    }

    public let bucket: S3Bucket
    let signer: SigV4Signer
    let http: HTTPClient
    /// The deadline of each request, retries included.
    public let timeout: TimeAmount
    /// The largest object body this client reads.
    public let maximumObjectSize: Int
    /// Attempts per request when the service fails with 5xx or the connection is lost.
    let attempts = 3

    /// The largest error or listing document read.
    static let maximumDocument = 8 << 20

    public init(
        bucket: S3Bucket, credentials: S3Credentials, http: HTTPClient, timeout: TimeAmount = .seconds(60),
        maximumObjectSize: Int = 64 << 20
    ) {
        self.bucket = bucket
        self.signer = SigV4Signer(credentials: credentials, region: bucket.region)
        self.http = http
        self.timeout = timeout
        self.maximumObjectSize = maximumObjectSize
    }

    /// Writes `bytes` under `key` unless an object is there already (`If-None-Match: *`).
    /// When this returns the service has acknowledged the object: it is durable there.
    public func putIfAbsent(_ key: String, bytes: [UInt8], contentType: String = "application/octet-stream")
        async throws(S3Error) -> PutOutcome
    {
        let answer = try await send(
            "PUT", key: key, headers: [.init("If-None-Match", "*"), .init("Content-Type", contentType)], body: bytes,
            limit: Self.maximumDocument)
        switch answer.status {
        case 200, 201, 204: return .created
        case 412: return .alreadyPresent
        default: throw failure(answer, key: key)
        }
    }

    /// The bytes of an object, or of `range` of them.
    public func get(_ key: String, range: Range<Int64>? = nil) async throws(S3Error) -> [UInt8] {
        var headers: [SigV4Signer.Field] = []
        if let range {
            guard !range.isEmpty else { return [] }
            headers.append(.init("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let answer = try await send("GET", key: key, headers: headers, limit: maximumObjectSize)
        switch answer.status {
        case 200 where range == nil, 206: return answer.body
        case 200:
            // A service that ignores Range sends the whole object.
            let whole = answer.body
            let lower = Int(min(range!.lowerBound, Int64(whole.count)))
            let upper = Int(min(range!.upperBound, Int64(whole.count)))
            return Array(whole[lower..<upper])
        case 416: throw .rangeNotSatisfiable(bucket: bucket.name, key: key)
        default: throw failure(answer, key: key)
        }
    }

    /// The size and entity tag of an object; `nil` when there is none.
    public func head(_ key: String) async throws(S3Error) -> ObjectHead? {
        let answer = try await send("HEAD", key: key, limit: 0)
        switch answer.status {
        case 200:
            return ObjectHead(
                size: answer.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0,
                eTag: answer.headers.first(name: "ETag"))
        case 404 where answer.code == nil || answer.code == "NoSuchKey" || answer.code == "NotFound": return nil
        default: throw failure(answer, key: key)
        }
    }

    /// Deletes an object; deleting one that is not there is not an error.
    public func delete(_ key: String) async throws(S3Error) {
        let answer = try await send("DELETE", key: key, limit: Self.maximumDocument)
        switch answer.status {
        case 200, 202, 204: return
        case 404 where answer.code != "NoSuchBucket": return
        default: throw failure(answer, key: key)
        }
    }

    /// One page of the keys under `prefix`, in key order (ListObjectsV2).
    public func list(prefix: String, continuationToken: String? = nil, maxKeys: Int = 1000) async throws(S3Error)
        -> S3ListPage
    {
        var query: [SigV4Signer.QueryItem] = [.init("list-type", "2"), .init("prefix", prefix), .init("max-keys", "\(maxKeys)")]
        if let continuationToken { query.append(.init("continuation-token", continuationToken)) }
        let answer = try await send("GET", key: "", query: query, limit: Self.maximumDocument)
        guard answer.status == 200 else { throw failure(answer, key: "") }
        do throws(S3AnswerParserError) {
            return try S3AnswerParser.listPage(answer.body)
        } catch {
            throw .malformedAnswer(endpoint: bucket.endpoint, reason: error.reason)
        }
    }

    /// Checks that the bucket exists and these credentials may use it (a signed HEAD of the bucket).
    public func checkBucket() async throws(S3Error) {
        let answer = try await send("HEAD", key: "", limit: 0)
        guard answer.status == 200 else { throw failure(answer, key: "") }
    }

    // MARK: Requests

    /// A whole answer: status, headers, body (up to a limit) and, for a failure, the S3 error code.
    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
        var code: String? { S3AnswerParser.error(body)?.code }
        var message: String? { S3AnswerParser.error(body)?.message }
    }

    func send(
        _ method: String, key: String, query: [SigV4Signer.QueryItem] = [], headers: [SigV4Signer.Field] = [],
        body: [UInt8]? = nil, limit: Int
    ) async throws(S3Error) -> Answer {
        let deadline = NIODeadline.now() + timeout
        var lastError = S3Error.unreachable(endpoint: bucket.endpoint, reason: "no attempt was made")
        for round in 0..<attempts {
            if round > 0 {
                // 100 ms, then 400 ms: enough for a restarting service, short of the deadline.
                let pause = Int64(100 << (2 * (round - 1)))
                guard NIODeadline.now() + .milliseconds(pause) < deadline else { break }
                do { try await Task.sleep(for: .milliseconds(pause)) } catch { throw lastError }
            }
            do {
                let answer = try await once(method, key: key, query: query, headers: headers, body: body, limit: limit, deadline: deadline)
                if answer.status >= 500 {
                    lastError = failure(answer, key: key)
                    continue
                }
                return answer
            } catch let error as S3Error {
                guard case .unreachable = error else { throw error }
                lastError = error
            } catch {
                lastError = .unreachable(endpoint: bucket.endpoint, reason: "\(error)")
            }
        }
        throw lastError
    }

    private func once(
        _ method: String, key: String, query: [SigV4Signer.QueryItem], headers: [SigV4Signer.Field], body: [UInt8]?,
        limit: Int, deadline: NIODeadline
    ) async throws -> Answer {
        let path = bucket.path(of: key)
        let payloadHash = SigV4Signer.payloadHash(body ?? [])
        let signature = signer.sign(
            SigV4Signer.Request(
                method: method, host: bucket.host, path: path, query: query, headers: headers, payloadHash: payloadHash),
            at: Date())
        var request = HTTPClientRequest(url: bucket.url(path: path, query: query))
        request.method = HTTPMethod(rawValue: method)
        for field in headers + signature.fields { request.headers.add(name: field.name, value: field.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: deadline)
        } catch {
            throw S3Error.unreachable(endpoint: bucket.endpoint, reason: "\(error)")
        }
        // Error documents are small; read a failure's body up to the document limit.
        let readLimit = (200..<300).contains(Int(response.status.code)) ? limit : Self.maximumDocument
        do {
            let buffer = try await response.body.collect(upTo: max(readLimit, 0))
            return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: buffer))
        } catch is NIOTooManyBytesError {
            throw S3Error.answerTooLarge(endpoint: bucket.endpoint, limit: readLimit)
        } catch {
            throw S3Error.unreachable(endpoint: bucket.endpoint, reason: "\(error)")
        }
    }

    /// The error a failing answer means.
    func failure(_ answer: Answer, key: String) -> S3Error {
        let code = answer.code ?? Self.defaultCode(answer.status)
        let message = answer.message ?? ""
        switch (answer.status, code) {
        case (403, _), (400, "AuthorizationHeaderMalformed"), (400, "InvalidAccessKeyId"), (400, "InvalidToken"),
            (401, _):
            return .refused(endpoint: bucket.endpoint, bucket: bucket.name, code: code, message: message)
        case (404, "NoSuchBucket"): return .noSuchBucket(endpoint: bucket.endpoint, bucket: bucket.name)
        case (404, _) where key.isEmpty: return .noSuchBucket(endpoint: bucket.endpoint, bucket: bucket.name)
        case (404, _): return .noSuchKey(bucket: bucket.name, key: key)
        default:
            return .failed(endpoint: bucket.endpoint, bucket: bucket.name, status: answer.status, code: code, message: message)
        }
    }

    static func defaultCode(_ status: Int) -> String {
        switch status {
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        default: "HTTP\(status)"
        }
    }
}

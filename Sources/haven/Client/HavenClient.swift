import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small client for the Haven HTTP API, used by every command but `init` and `serve`.
struct HavenClient: Sendable {
    let baseURL: String
    let token: String
    var timeout: TimeAmount = .seconds(30)

    func get<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) async throws -> Response {
        try await send(.GET, path, body: Optional<Data>.none)
    }

    func post<Response: Decodable>(
        _ path: String, body: some Encodable, as type: Response.Type = Response.self
    ) async throws -> Response {
        try await send(.POST, path, body: try Self.encoder.encode(body))
    }

    func delete<Response: Decodable>(_ path: String, as type: Response.Type = Response.self) async throws -> Response {
        try await send(.DELETE, path, body: Optional<Data>.none)
    }

    /// POSTs `body` and yields the response's lines as they arrive (server-sent events, NDJSON).
    func postStreamingLines(_ path: String, body: some Encodable) async throws -> AsyncThrowingStream<String, any Error> {
        let request = try makeRequest(.POST, path, body: Self.encoder.encode(body))
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .hours(24))
        } catch {
            throw ClientError.serverUnreachable(url: baseURL)
        }
        guard (200..<300).contains(response.status.code) else {
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            throw Self.error(status: Int(response.status.code), reason: response.status.reasonPhrase, body: data)
        }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var pending: [UInt8] = []
                    for try await buffer in response.body {
                        pending += buffer.readableBytesView
                        while let newline = pending.firstIndex(of: 0x0A) {
                            continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                            pending.removeSubrange(...newline)
                        }
                    }
                    if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// POSTs a body that is not JSON (a TOML file, say) and decodes the JSON answer.
    func postRaw<Response: Decodable>(
        _ path: String, body: Data, contentType: String, as type: Response.Type = Response.self
    ) async throws -> Response {
        var request = makeRequest(.POST, path, body: nil)
        request.headers.replaceOrAdd(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let data = try await Self.collect(try await execute(request, timeout: timeout))
        do {
            return try Self.decoder.decode(Response.self, from: data)
        } catch {
            throw ClientError.unexpectedResponse(status: 200, reason: "the body does not decode: \(error)")
        }
    }

    /// The raw JSON body of a GET, for `--json` output.
    func getRaw(_ path: String) async throws -> Data {
        try await exchange(.GET, path, body: nil)
    }

    /// DELETEs `path`, for endpoints that answer 204 with no body.
    func deleteRaw(_ path: String) async throws {
        _ = try await exchange(.DELETE, path, body: nil)
    }

    func send<Response: Decodable>(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Response {
        let data = try await exchange(method, path, body: body)
        do {
            return try Self.decoder.decode(Response.self, from: data)
        } catch {
            throw ClientError.unexpectedResponse(status: 200, reason: "the body does not decode: \(error)")
        }
    }

    private func exchange(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        let response = try await execute(makeRequest(method, path, body: body), timeout: timeout)
        return try await Self.collect(response)
    }

    /// Sends `request`; a connection failure is reported as no server answering.
    func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        do {
            return try await Self.http.execute(request, timeout: timeout)
        } catch {
            throw ClientError.serverUnreachable(url: baseURL)
        }
    }

    /// The body of a response, or the server's error as a ``ClientError``.
    static func collect(_ response: HTTPClientResponse) async throws -> Data {
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw error(status: Int(response.status.code), reason: response.status.reasonPhrase, body: data)
        }
        return data
    }

    static func error(status: Int, reason: String, body: Data) -> ClientError {
        if let envelope = try? decoder.decode(ErrorEnvelope.self, from: body) {
            return .server(status: status, code: envelope.error.code, message: envelope.error.message)
        }
        return .server(status: status, code: nil, message: reason)
    }

    func makeRequest(_ method: HTTPMethod, _ path: String, body: Data?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    private struct ErrorEnvelope: Decodable {
        struct Detail: Decodable {
            let message: String
            let code: String?
        }
        let error: Detail
    }

    /// One client for the process. A refused connection fails at once rather than being
    /// retried until the deadline: the usual cause is that no server is running.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

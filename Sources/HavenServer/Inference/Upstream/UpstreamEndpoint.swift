import AsyncHTTPClient
import Foundation
import HavenInference
import NIOCore
import NIOHTTP1
import Synchronization

/// One configured upstream server spoken to in OpenAI's protocol over AsyncHTTPClient: chat
/// completions (always streamed from it, so a stalled upstream is noticed between tokens),
/// embeddings, and a health probe. Its key goes only into the `Authorization` header.
struct UpstreamEndpoint: Sendable {
    let configuration: UpstreamConfiguration
    /// The bearer key, read once at start-up from the mode-0600 file.
    let key: String?
    let http: HTTPClient

    var name: String { configuration.name }
    private var timeout: Duration { .seconds(configuration.timeout) }

    /// The upstream's streamed answer to `body` (an OpenAI chat body at `/chat/completions`,
    /// or a completions body at `/completions`). Returns once the upstream has accepted the
    /// request; errors before that are thrown (so another upstream may be tried), errors after
    /// it end the stream. Cancelling the stream cancels the request.
    func stream(path: String, body: JSONValue) async throws -> AsyncThrowingStream<ChatDelta, any Error> {
        var request = makeRequest(path: path, method: .POST)
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response = try await send(request)
        let (stream, continuation) = AsyncThrowingStream<ChatDelta, any Error>.makeStream()
        let name = self.name
        let timeout = self.timeout
        let seconds = configuration.timeout
        let work = Task {
            let lastActivity = ActivityClock()
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var decoder = UpstreamEventDecoder()
                        var complete = false
                        do {
                            reading: for try await buffer in response.body {
                                lastActivity.touch()
                                for event in try decoder.feed(buffer.readableBytesView) {
                                    switch event {
                                    case .deltas(let deltas):
                                        for delta in deltas {
                                            if case .finished = delta { complete = true }
                                            continuation.yield(delta)
                                        }
                                    case .done:
                                        complete = true
                                        break reading
                                    case .failed(let message):
                                        throw UpstreamError.failed(upstream: name, reason: message)
                                    }
                                }
                            }
                        } catch let error as UpstreamError {
                            throw error
                        } catch let error as UpstreamError.Malformed {
                            throw UpstreamError.failed(upstream: name, reason: error.reason)
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch {
                            throw UpstreamError.unreachable(upstream: name, reason: "the connection broke mid-answer")
                        }
                        guard complete else {
                            throw UpstreamError.unreachable(upstream: name, reason: "the answer ended before it was complete")
                        }
                    }
                    group.addTask { try await Self.watch(lastActivity, timeout: timeout, upstream: name, seconds: seconds) }
                    try await group.next()
                    group.cancelAll()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return stream
    }

    /// The upstream's vectors for `texts`, and the tokens it counted.
    func embed(model: String, texts: [String]) async throws -> (vectors: [[Float]], promptTokens: Int) {
        struct Body: Encodable {
            let model: String
            let input: [String]
        }
        struct Answer: Decodable {
            struct Item: Decodable {
                let index: Int?
                let embedding: [Float]
            }
            struct Usage: Decodable {
                let promptTokens: Int?
                enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens" }
            }
            let data: [Item]
            let usage: Usage?
        }
        var request = makeRequest(path: "/embeddings", method: .POST)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Body(model: model, input: texts))))
        let sent = request
        let bytes = try await Self.race(timeout, upstream: name, seconds: configuration.timeout) { [self] in
            let response = try await send(sent)
            do {
                return Data(try await response.body.collect(upTo: 256 << 20).readableBytesView)
            } catch {
                throw UpstreamError.unreachable(upstream: name, reason: "the connection broke mid-answer")
            }
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: bytes), answer.data.count == texts.count else {
            throw UpstreamError.failed(upstream: name, reason: "its embeddings answer is not OpenAI's shape")
        }
        let ordered = answer.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
        return (ordered.map(\.element.embedding), answer.usage?.promptTokens ?? 0)
    }

    /// Whether the upstream answers `GET /models` within a few seconds.
    func isHealthy() async -> Bool {
        let request = makeRequest(path: "/models", method: .GET)
        do {
            let response = try await http.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return response.status == .ok
        } catch {
            return false
        }
    }

    private func makeRequest(path: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        if method == .POST { request.headers.add(name: "Content-Type", value: "application/json") }
        if let key { request.headers.add(name: "Authorization", value: "Bearer " + key) }
        return request
    }

    /// Sends `request` and waits for an accepting answer's head, within the timeout.
    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let http = self.http
        let name = self.name
        let response: HTTPClientResponse
        do {
            response = try await Self.race(timeout, upstream: name, seconds: configuration.timeout) {
                try await http.execute(request, deadline: .now() + .hours(24))
            }
        } catch let error as UpstreamError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw UpstreamError.unreachable(upstream: name, reason: Self.reason(error))
        }
        guard response.status == .ok else {
            let bytes = try? await response.body.collect(upTo: 64 << 10)
            throw Self.error(
                status: Int(response.status.code), body: bytes.map { Data($0.readableBytesView) } ?? Data(),
                retryAfter: response.headers.first(name: "Retry-After"), upstream: name)
        }
        return response
    }

    /// The error an upstream's refusal means. Pure.
    static func error(status: Int, body: Data, retryAfter: String?, upstream: String) -> UpstreamError {
        struct Failure: Decodable {
            struct Detail: Decodable { let message: String? }
            let error: Detail?
            let message: String?
        }
        let decoded = try? JSONDecoder().decode(Failure.self, from: body)
        let message = String((decoded?.error?.message ?? decoded?.message ?? "no message").prefix(500))
        switch status {
        case 429:
            let seconds = retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { min(max($0, 1), 3600) } ?? 5
            return .rateLimited(upstream: upstream, retryAfter: seconds)
        case 401, 403: return .keyRefused(upstream: upstream, status: status)
        case 400..<500: return .rejected(upstream: upstream, status: status, message: message)
        default: return .failed(upstream: upstream, reason: "HTTP \(status): \(message)")
        }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .remoteConnectionClosed: return "it closed the connection"
            default: return "HTTP client error: \(error)"
            }
        }
        let text = String(describing: error)
        return text.contains("refused") || text.contains("connect") ? "connection refused" : String(text.prefix(200))
    }

    /// `work`, unless `timeout` passes first (then ``UpstreamError/timedOut``; `work` is cancelled).
    static func race<Value: Sendable>(
        _ timeout: Duration, upstream: String, seconds: Int, _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw UpstreamError.timedOut(upstream: upstream, seconds: seconds)
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() ?? nil else { throw CancellationError() }
            return value
        }
    }

    /// Throws ``UpstreamError/timedOut`` once `timeout` passes with no activity; runs until cancelled.
    static func watch(_ activity: ActivityClock, timeout: Duration, upstream: String, seconds: Int) async throws {
        while true {
            let last = activity.last
            let due = last + timeout
            if ContinuousClock.now >= due { throw UpstreamError.timedOut(upstream: upstream, seconds: seconds) }
            try await Task.sleep(until: due, clock: .continuous)
        }
    }
}

/// When bytes last came from an upstream: read by the watchdog, set by the reader.
final class ActivityClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    func touch() { instant.withLock { $0 = .now } }
    var last: ContinuousClock.Instant { instant.withLock { $0 } }
}

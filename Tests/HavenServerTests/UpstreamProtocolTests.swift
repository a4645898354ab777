import Foundation
import HavenInference
import Synchronization
import Testing

@testable import HavenServer

/// The upstream client's protocol logic, without a server: reading a chat stream, mapping
/// refusals to Haven's errors, the body sent, and cache salts.
@Suite struct UpstreamProtocolTests {
    @Test func aStreamSplitAnywhereGivesTheSameDeltas() throws {
        let text = """
            data: {"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}\r
            \r
            : comment\n
            data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\""}}]}}]}

            data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}}}

            data: [DONE]

            """
        let expected: [UpstreamEventDecoder.Event] = [
            .deltas([.content(choice: 0, "Hel")]),
            .deltas([.content(choice: 0, "lo")]),
            .deltas([.toolCall(choice: 0, call: 0, id: "call_1", name: "f", arguments: "{\"a\"")]),
            .deltas([.toolCall(choice: 0, call: 0, id: nil, name: nil, arguments: ":1}")]),
            .deltas([.finished(choice: 0, reason: "tool_calls")]),
            .deltas([.usage(promptTokens: 7, completionTokens: 3, cachedTokens: 2)]),
            .done,
        ]
        let bytes = Array(text.utf8)
        for split in [1, 7, 64, bytes.count] {
            var decoder = UpstreamEventDecoder()
            var events: [UpstreamEventDecoder.Event] = []
            var start = 0
            while start < bytes.count {
                let end = min(start + split, bytes.count)
                events += try decoder.feed(bytes[start..<end])
                start = end
            }
            #expect(events == expected, "split every \(split) bytes")
        }
        var answer = ChatAnswer()
        for case .deltas(let deltas) in expected { deltas.forEach { answer.add($0) } }
        #expect(answer.choices.count == 1)
        #expect(answer.choices[0].content == "Hello")
        #expect(answer.choices[0].calls == [.init(id: "call_1", name: "f", arguments: "{\"a\":1}")])
        #expect(answer.choices[0].finishReason == "tool_calls")
        #expect(answer.promptTokens == 7 && answer.completionTokens == 3 && answer.cachedTokens == 2)
    }

    @Test func anErrorEventAndAGarbledOneAreReported() throws {
        var decoder = UpstreamEventDecoder()
        #expect(try decoder.feed(Array("data: {\"error\":{\"message\":\"out of memory\"}}\n".utf8)) == [.failed("out of memory")])
        #expect(throws: UpstreamError.Malformed.self) { try decoder.feed(Array("data: {not json\n".utf8)) }
    }

    @Test func refusalsMapToHavensErrors() {
        let busy = UpstreamEndpoint.error(status: 429, body: Data(), retryAfter: "12", upstream: "gpu")
        #expect(busy == .rateLimited(upstream: "gpu", retryAfter: 12))
        #expect(busy.apiError.status == .tooManyRequests)
        #expect(busy.apiError.headers[.retryAfter] == "12")
        #expect(UpstreamEndpoint.error(status: 429, body: Data(), retryAfter: nil, upstream: "gpu") == .rateLimited(upstream: "gpu", retryAfter: 5))

        let bad = UpstreamEndpoint.error(
            status: 400, body: Data(#"{"error":{"message":"bad schema"}}"#.utf8), retryAfter: nil, upstream: "gpu")
        #expect(bad == .rejected(upstream: "gpu", status: 400, message: "bad schema"))
        #expect(bad.apiError.status == .badRequest)
        #expect(!bad.triesNext)

        let key = UpstreamEndpoint.error(status: 401, body: Data(#"{"error":{"message":"Invalid API Key"}}"#.utf8), retryAfter: nil, upstream: "gpu")
        #expect(key == .keyRefused(upstream: "gpu", status: 401))
        #expect(key.apiError.status == .badGateway)
        #expect(key.apiError.message.contains("api_key_file"))

        let down = UpstreamEndpoint.error(status: 503, body: Data(#"{"error":{"message":"Loading model"}}"#.utf8), retryAfter: nil, upstream: "gpu")
        #expect(down.triesNext)
        #expect(down.apiError.status == .badGateway)
        #expect(UpstreamError.timedOut(upstream: "gpu", seconds: 5).apiError.status == .gatewayTimeout)
    }

    @Test func theUpstreamGetsItsModelStreamingUsageAndTheCallersSalt() throws {
        let body = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false,"cache_salt":"forged","tools":[]}"#.utf8))
        let sent = UpstreamBackend.upstreamBody(body, model: "m", cacheSalt: "salt")
        let text = String(decoding: try JSONEncoder().encode(sent), as: UTF8.self)
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(decoded["stream"] as? Bool == true)
        #expect((decoded["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(decoded["cache_salt"] as? String == "salt")
        #expect(decoded["tools"] != nil)
        #expect(decoded["max_tokens"] == nil)

        // A bound given only as max_completion_tokens is said as max_tokens too; one given as
        // max_tokens is left as it is.
        let bounded = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"model":"m","max_completion_tokens":7}"#.utf8))
        #expect(UpstreamBackend.upstreamBody(bounded, model: "m", cacheSalt: "s")["max_tokens"] == .number(7))
        let both = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"model":"m","max_completion_tokens":7,"max_tokens":3}"#.utf8))
        #expect(UpstreamBackend.upstreamBody(both, model: "m", cacheSalt: "s")["max_tokens"] == .number(3))
    }

    @Test func cacheSaltsDifferByPrincipalAndNameNoOne() {
        let salts = CacheSalt(secret: Data("owner secret".utf8))
        let alice = salts.salt(for: "app:alice")
        #expect(alice == salts.salt(for: "app:alice"))
        #expect(alice != salts.salt(for: "app:bob"))
        #expect(alice != CacheSalt(secret: Data("another owner".utf8)).salt(for: "app:alice"))
        #expect(!alice.contains("alice"))
        #expect(alice.count == 43)
    }

    @Test func failoverTriesTheNextUpstreamAndPutsTheFailedOneLast() async throws {
        let pool = UpstreamModels(
            endpoints: [
                UpstreamEndpoint(configuration: .init(name: "a", baseURL: "http://127.0.0.1:1/v1", models: ["m"]), key: nil, http: .shared),
                UpstreamEndpoint(configuration: .init(name: "b", baseURL: "http://127.0.0.1:2/v1", models: ["m"]), key: nil, http: .shared),
            ], queueWait: .zero)
        let answered = try await pool.firstAnswer(model: "m") { endpoint -> String in
            if endpoint.name == "a" { throw UpstreamError.unreachable(upstream: "a", reason: "connection refused") }
            return endpoint.name
        }
        #expect(answered == "b")
        #expect(pool.candidates(for: "m").map(\.name) == ["b", "a"])
        await #expect(throws: UpstreamError.self) {
            try await pool.firstAnswer(model: "m") { endpoint -> String in
                throw UpstreamError.rejected(upstream: endpoint.name, status: 400, message: "bad")
            }
        }
        await #expect {
            try await pool.firstAnswer(model: "m") { endpoint -> String in
                throw UpstreamError.rateLimited(upstream: endpoint.name, retryAfter: endpoint.name == "a" ? 9 : 4)
            }
        } throws: { ($0 as? UpstreamError).map { if case .rateLimited(_, 4) = $0 { true } else { false } } ?? false }
    }

    @Test func aBusyUpstreamIsWaitedForWhenItAsksForLessThanTheQueueWait() async throws {
        let endpoint = UpstreamEndpoint(
            configuration: .init(name: "a", baseURL: "http://127.0.0.1:1/v1", models: ["m"]), key: nil, http: .shared)
        let attempts = Mutex(0)
        let queued = UpstreamModels(endpoints: [endpoint], queueWait: .seconds(5))
        let answered = try await queued.firstAnswer(model: "m") { endpoint -> String in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw UpstreamError.rateLimited(upstream: endpoint.name, retryAfter: 1) }
            return "answered on attempt \(attempt)"
        }
        #expect(answered == "answered on attempt 2")

        // Asking for longer than the queue wait: Haven's own 429 at once, with the upstream's wait.
        attempts.withLock { $0 = 0 }
        await #expect {
            try await queued.firstAnswer(model: "m") { endpoint -> String in
                attempts.withLock { $0 += 1 }
                throw UpstreamError.rateLimited(upstream: endpoint.name, retryAfter: 30)
            }
        } throws: { ($0 as? UpstreamError).map { if case .rateLimited(_, 30) = $0 { true } else { false } } ?? false }
        #expect(attempts.withLock { $0 } == 1)
    }

    @Test func onlyOverflowUpstreamsTakeAnInstalledModelsOverflow() {
        let pool = UpstreamModels(endpoints: [
            UpstreamEndpoint(configuration: .init(name: "a", baseURL: "http://127.0.0.1:1/v1", models: ["m"]), key: nil, http: .shared),
            UpstreamEndpoint(
                configuration: .init(name: "b", baseURL: "http://127.0.0.1:2/v1", models: ["m", "n"], overflow: true), key: nil,
                http: .shared),
        ])
        #expect(pool.takesOverflow(of: "m"))
        #expect(pool.takesOverflow(of: "n"))
        #expect(!pool.takesOverflow(of: "x"))
        #expect(pool.candidates(for: "m", overflow: true).map(\.name) == ["b"])
        #expect(pool.candidates(for: "m").map(\.name) == ["a", "b"])
    }
}

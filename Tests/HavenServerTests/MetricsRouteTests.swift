import Foundation
import HavenAccess
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenInference
@testable import HavenServer

@Suite struct MetricsRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    /// The value of the sample `name{labels}` in a text exposition, if present. Label order as
    /// written does not matter.
    static func sample(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let (seriesName, labelText) =
                series.firstIndex(of: "{").map { (series[..<$0], series[series.index(after: $0)..<series.index(before: series.endIndex)]) }
                ?? (series, "")
            guard seriesName == name else { continue }
            var found: [String: String] = [:]
            for pair in labelText.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                found[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            if found == labels { return Double(line[line.index(after: space)...]) }
        }
        return nil
    }

    static func scrape(_ client: some TestClientProtocol, token: String) async throws -> String {
        let response = try await client.execute(uri: "/metrics", method: .get, headers: .bearer(token))
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return String(buffer: response.body)
    }

    @Test func requestsAreCountedByRoutePatternNeverByPath() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let owner = HTTPFields.bearer(fixture.ownerToken)
            let put = try await client.execute(
                uri: "/data/private/diary-2026.txt", method: .put, headers: owner, body: ByteBuffer(string: "dear diary"))
            #expect(put.status == .created)
            _ = try await client.execute(uri: "/haven/whoami", method: .get, headers: owner)
            _ = try await client.execute(uri: "/haven/whoami", method: .get, headers: owner)
            let missing = try await client.execute(uri: "/no/such/secret-place", method: .get, headers: owner)
            #expect(missing.status == .notFound)
            let refused = try await client.execute(uri: "/haven/whoami", method: .get)
            #expect(refused.status == .unauthorized)

            let text = try await Self.scrape(client, token: fixture.ownerToken)
            #expect(Self.sample(text, "haven_http_requests_total", ["route": "/data/**", "method": "PUT", "status": "201"]) == 1)
            #expect(Self.sample(text, "haven_http_requests_total", ["route": "/haven/whoami", "method": "GET", "status": "200"]) == 2)
            #expect(Self.sample(text, "haven_http_requests_total", ["route": "/haven/whoami", "method": "GET", "status": "401"]) == 1)
            #expect(Self.sample(text, "haven_http_requests_total", ["route": "unmatched", "method": "GET", "status": "404"]) == 1)
            #expect(
                Self.sample(
                    text, "haven_http_request_duration_seconds_count", ["route": "/haven/whoami", "method": "GET", "status": "200"]) == 2)
            #expect(!text.contains("diary"), "a file name must never become a label")
            #expect(!text.contains("secret-place"))
        }
    }

    @Test func eachServerCountsOnlyItsOwnRequests() async throws {
        let other = try ServerFixture()
        defer { other.remove() }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            _ = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(fixture.ownerToken))
            let text = try await Self.scrape(client, token: fixture.ownerToken)
            #expect(Self.sample(text, "haven_http_requests_total", ["route": "/haven/whoami", "method": "GET", "status": "200"]) == 1)
        }
        try await Application(router: other.makeRouter()).test(.router) { client in
            let text = try await Self.scrape(client, token: other.ownerToken)
            #expect(Self.sample(text, "haven_http_requests_total", ["route": "/haven/whoami", "method": "GET", "status": "200"]) == nil)
        }
    }

    @Test func storeAuditAndIndexGaugesAreReadAtScrapeTime() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let before = try await Self.scrape(client, token: fixture.ownerToken)
            let bytesBefore = try #require(Self.sample(before, "haven_store_bytes"))
            let auditBefore = try #require(Self.sample(before, "haven_audit_entries"))
            let content = String(repeating: "0123456789", count: 500)
            let put = try await client.execute(
                uri: "/data/notes/long.txt", method: .put, headers: .bearer(fixture.ownerToken), body: ByteBuffer(string: content))
            #expect(put.status == .created)
            let after = try await Self.scrape(client, token: fixture.ownerToken)
            #expect(try #require(Self.sample(after, "haven_store_bytes")) >= bytesBefore + Double(content.utf8.count))
            #expect(try #require(Self.sample(after, "haven_store_chunks")) >= 1)
            #expect(Self.sample(after, "haven_store_files") == 1)
            #expect(try #require(Self.sample(after, "haven_audit_entries")) > auditBefore, "the PUT was audited")
            #expect(Self.sample(after, "haven_index_passages") != nil)
            #expect(Self.sample(after, "haven_index_files", ["state": "failed"]) == 0)
        }
    }

    @Test func finishedGenerationsAreCountedPerModel() async throws {
        let observe = fixture.environment.metrics.generationObserver
        observe(
            GenerationReport(
                model: "tiny",
                summary: GenerationSummary(finishReason: .stop, promptTokens: 30, completionTokens: 7, cachedPromptTokens: 0),
                timeToFirstToken: .milliseconds(40)))
        observe(
            GenerationReport(
                model: "tiny",
                summary: GenerationSummary(finishReason: .length, promptTokens: 32, completionTokens: 5, cachedPromptTokens: 29),
                timeToFirstToken: .milliseconds(20)))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let text = try await Self.scrape(client, token: fixture.ownerToken)
            let model = ["model": "tiny"]
            #expect(Self.sample(text, "haven_inference_prompt_tokens_total", model) == 62)
            #expect(Self.sample(text, "haven_inference_completion_tokens_total", model) == 12)
            #expect(Self.sample(text, "haven_inference_generations_total", ["model": "tiny", "finish_reason": "stop"]) == 1)
            #expect(Self.sample(text, "haven_inference_generations_total", ["model": "tiny", "finish_reason": "length"]) == 1)
            #expect(Self.sample(text, "haven_inference_prefix_cache_hits_total", model) == 1)
            #expect(Self.sample(text, "haven_inference_prefix_cache_tokens_total", model) == 29)
            #expect(Self.sample(text, "haven_inference_time_to_first_token_seconds_count", model) == 2)
            #expect(Self.sample(text, "haven_inference_time_to_first_token_seconds_sum", model) == 0.06)
            #expect(Self.sample(text, "haven_inference_time_to_first_token_seconds_bucket", ["model": "tiny", "le": "0.025"]) == 1)
            // No model is loaded in this fixture, so there are no per-model gauges.
            #expect(Self.sample(text, "haven_inference_running_sequences", model) == nil)
        }
    }

    @Test func metricsNeedTheOwnerOrAMetricsGrant() async throws {
        let appToken = try fixture.makeAppToken(name: "prometheus")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)

            let refused = try await client.execute(uri: "/metrics", method: .get, headers: .bearer(appToken))
            #expect(refused.status == .forbidden)
            let error = try ErrorBody(refused.body).error
            #expect(error.code == "metrics_not_granted")
            #expect(error.message.contains("haven grant add --to app:prometheus --rights metrics"))

            let owner = HTTPFields.bearer(fixture.ownerToken)
            let granted = try await client.execute(
                uri: "/haven/grants", method: .post, headers: owner,
                body: ByteBuffer(string: #"{"to":"app:prometheus","rights":["metrics"]}"#))
            #expect(granted.status == .created)
            let grant = try granted.body.json(Grant.self)
            #expect(grant.resource == "metrics")
            #expect(grant.rights == [.metrics])

            _ = try await Self.scrape(client, token: appToken)

            let revoked = try await client.execute(uri: "/haven/grants/\(grant.id)", method: .delete, headers: owner)
            #expect(revoked.status == .ok)
            let again = try await client.execute(uri: "/metrics", method: .get, headers: .bearer(appToken))
            #expect(again.status == .forbidden)
        }
    }

    @Test func metricsIsARightOnItsOwn() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let owner = HTTPFields.bearer(fixture.ownerToken)
            for body in [
                #"{"to":"app:prometheus","rights":["metrics","read"],"path":"/notes/"}"#,
                #"{"to":"app:prometheus","rights":["metrics"],"path":"/notes/"}"#,
            ] {
                let response = try await client.execute(
                    uri: "/haven/grants", method: .post, headers: owner, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect(try ErrorBody(response.body).error.message.contains("'metrics' is a right on the server's metrics"))
            }
            let grants = try await client.execute(uri: "/haven/grants", method: .get, headers: owner)
            #expect(try grants.body.json(GrantList.self).grants.isEmpty, "a refused grant changes nothing")
        }
    }
}

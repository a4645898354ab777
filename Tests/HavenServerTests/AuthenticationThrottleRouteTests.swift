import Foundation
import HavenIdentity
import HTTPTypes
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import Testing

@testable import HavenServer

/// Over HTTP: one client that keeps failing gets 429 with `Retry-After`, before its
/// credentials are looked at, while another client is served; the owner sees it all in
/// `/haven/status` and `/metrics`; the log never holds a secret.
@Suite struct AuthenticationThrottleRouteTests {
    let fixture: ServerFixture

    init() throws {
        var configuration = Configuration()
        configuration.authFailureLimit = 3
        fixture = try ServerFixture(configuration: configuration)
    }

    /// Stands in for the connection's peer address, which router tests do not have.
    struct ClientFromHeader: RouterMiddleware {
        typealias Context = HavenRequestContext
        static let header = HTTPField.Name("x-test-client")!

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var context = context
            if let address = request.headers[Self.header] { context.clientAddress = ClientAddress(description: address) }
            return try await next(request, context)
        }
    }

    /// The real authentication middleware and status route, behind a client address set per request.
    func makeRouter() -> Router<HavenRequestContext> {
        let environment = fixture.environment
        let router = Router(context: HavenRequestContext.self)
        router.add(middleware: ClientFromHeader())
        router.add(middleware: ErrorMiddleware())
        router.add(
            middleware: AuthenticationMiddleware(
                authenticator: TokenAuthenticator(catalog: environment.catalog, owner: environment.owner),
                sessions: SessionAuthenticator(catalog: environment.catalog), cookie: SessionCookie(owner: environment.owner),
                publicPaths: [HealthController.path], secure: false, publicURL: nil,
                failures: environment.authenticationFailures))
        HealthController().addRoutes(to: router)
        StatusController(environment: environment).addRoutes(to: router.group("haven"))
        return router
    }

    static func headers(from client: String, token: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [ClientFromHeader.header: client]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return headers
    }

    func status(_ client: some TestClientProtocol) async throws -> StatusResponse {
        let response = try await client.execute(
            uri: "/haven/status", method: .get, headers: Self.headers(from: "192.0.2.99", token: fixture.ownerToken))
        #expect(response.status == .ok)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(StatusResponse.self, from: Data(buffer: response.body))
    }

    @Test func oneClientFailingIsThrottledWhileAnotherIsServedAtTheSameTime() async throws {
        let unknown = APIToken.generate().stringValue
        try await Application(router: makeRouter()).test(.router) { client in
            for _ in 0..<3 {
                let refused = try await client.execute(
                    uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.1", token: unknown))
                #expect(refused.status == .unauthorized)
                #expect(try ErrorBody(refused.body).error.code == "invalid_token")
            }
            // The throttled client's next request and another client's, at once.
            async let throttled = client.execute(
                uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.1", token: fixture.ownerToken))
            async let served = client.execute(
                uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.2", token: fixture.ownerToken))
            let (slowed, other) = try await (throttled, served)
            #expect(slowed.status == .tooManyRequests)
            // The penalty is 30 s from the third failure; on a loaded machine some of it has
            // passed by the time this request is answered, so the header counts down from 30.
            let retryAfter = slowed.headers[.retryAfter].flatMap { Int($0) }
            #expect(retryAfter.map { (1...30).contains($0) } == true)
            #expect(slowed.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try ErrorBody(slowed.body)
            #expect(body.error.code == "too_many_authentication_failures")
            #expect(body.error.type == "rate_limit_error")
            #expect(other.status == .ok)
            // The other client's own failures are its own: a 401, not a 429.
            let wrong = try await client.execute(
                uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.2", token: unknown))
            #expect(wrong.status == .unauthorized)
            // Public paths stay open to the throttled client.
            let health = try await client.execute(uri: "/healthz", method: .get, headers: Self.headers(from: "192.0.2.1"))
            #expect(health.status == .ok)
        }
    }

    @Test func aThrottledClientsCredentialsAreNotLookedAt() async throws {
        let revoked = try fixture.makeAppToken(name: "old")
        _ = try fixture.catalog.revokeToken(named: "old", at: Date())
        try await Application(router: makeRouter()).test(.router) { client in
            for _ in 0..<3 {
                let refused = try await client.execute(
                    uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.1", token: revoked))
                #expect(try ErrorBody(refused.body).error.code == "token_revoked")
            }
            for _ in 0..<5 {
                let refused = try await client.execute(
                    uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.1", token: revoked))
                #expect(refused.status == .tooManyRequests)
            }
            // Refused unseen: the five are throttled requests, not more failures.
            let authentication = try #require(try await status(client).authentication)
            #expect(authentication.deniedByKind == ["revoked": 3])
            #expect(authentication.throttledRequests == 5)
            #expect(authentication.throttledClients == 1)
            #expect(authentication.recentThrottles.map(\.client) == ["192.0.2.1"])
        }
    }

    @Test func theOwnerSeesDenialsInStatusAndMetricsAndNoOneElseDoes() async throws {
        // The whole server, at the default limit.
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let app = try fixture.makeAppToken(name: "laptop")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            _ = try await client.execute(uri: "/v1/models", method: .get, headers: .bearer(APIToken.generate().stringValue))
            _ = try await client.execute(uri: "/v1/models", method: .get, headers: .bearer("garbled"))
            _ = try await client.execute(uri: "/v1/models", method: .get)
            let unsigned = try await client.execute(uri: "/exchange/v1/feed", method: .get)
            #expect(try ErrorBody(unsigned.body).error.code == "invalid_signature")

            let owner = try await client.execute(uri: "/haven/status", method: .get, headers: .bearer(fixture.ownerToken))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let authentication = try #require(
                try decoder.decode(StatusResponse.self, from: Data(buffer: owner.body)).authentication)
            #expect(authentication.deniedByKind == ["unknown": 1, "malformed": 1, "missing": 1, "signature": 1])
            #expect(authentication.denied == 4)
            #expect(authentication.throttledClients == 0)

            let other = try await client.execute(uri: "/haven/status", method: .get, headers: .bearer(app))
            #expect(other.status == .ok)
            #expect(try decoder.decode(StatusResponse.self, from: Data(buffer: other.body)).authentication == nil)

            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get, headers: .bearer(fixture.ownerToken)).body)
            #expect(metrics.contains(#"haven_authentication_failures_total{kind="unknown"} 1"#))
            #expect(metrics.contains(#"haven_authentication_failures_total{kind="revoked"} 0"#))
            #expect(metrics.contains("haven_authentication_throttled_requests_total 0"))
            #expect(metrics.contains("haven_authentication_throttled_clients 0"))
        }
    }

    @Test func theLogNamesEachFailureButNeverItsSecret() async throws {
        let log = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in log })
        logger.logLevel = .trace
        let unknown = APIToken.generate().stringValue
        let unknownSecret = String(unknown.split(separator: "_").last!)
        let owner = fixture.ownerToken
        let ownerSecret = String(owner.split(separator: "_").last!)
        let garbled = "sk-" + String(ownerSecret.reversed())
        try await Application(router: makeRouter(), logger: logger).test(.router) { client in
            for token in [unknown, garbled, owner + "x"] {
                _ = try await client.execute(uri: "/haven/whoami", method: .get, headers: Self.headers(from: "192.0.2.1", token: token))
            }
        }
        let text = log.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        let failures = log.entries.filter { $0.message == "authentication failed" }
        #expect(failures.map { $0.metadata["kind"] } == ["unknown", "malformed", "malformed"])
        #expect(failures.first?.metadata["credential"] == .string(String(unknown.prefix(4 + 16))))
        #expect(failures.dropFirst().allSatisfy { $0.metadata["credential"]?.description.hasPrefix("fp:") == true })
        #expect(text.contains("throttled"))
        for secret in [unknownSecret, ownerSecret, String(ownerSecret.reversed()), garbled] {
            #expect(!text.contains(secret))
            #expect(!text.contains(secret.uppercased()))
        }
    }
}

import Foundation
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// Every route but `/healthz` needs a valid token, and every refusal has the JSON error shape.
@Suite struct AuthenticationRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    static let protectedPaths = [
        "/haven/status", "/haven/whoami", "/haven/tokens", "/v1/models", "/api/tags", "/data/notes/a.txt",
        "/mcp", "/no/such/route",
    ]

    @Test func healthNeedsNoToken() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            #expect(response.headers[.requestID]?.isEmpty == false)
        }
    }

    @Test(arguments: protectedPaths)
    func aRequestWithoutATokenGets401WithTheJSONErrorShape(path: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="haven""#)
            #expect(response.headers[.requestID]?.isEmpty == false)
            let body = try ErrorBody(response.body)
            #expect(body.error.type == "authentication_error")
            #expect(body.error.code == "missing_token")
            #expect(body.error.message.contains("Authorization: Bearer"))
        }
    }

    @Test(arguments: [
        ("Bearer hvn_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "invalid_token"),
        ("Bearer sk-not-ours", "invalid_token"),
        ("Basic b3duZXI6cGFzcw==", "invalid_authorization"),
    ])
    func aWrongTokenGets401(header: String, code: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/haven/status", method: .get, headers: [.authorization: header])
            #expect(response.status == .unauthorized)
            #expect(try ErrorBody(response.body).error.code == code)
        }
    }

    @Test func aRevokedTokenGets401OnItsNextRequest() async throws {
        let token = try fixture.makeAppToken(name: "laptop")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let before = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(token))
            #expect(before.status == .ok)
            _ = try fixture.catalog.revokeToken(named: "laptop", at: Date())
            let after = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(token))
            #expect(after.status == .unauthorized)
            let body = try ErrorBody(after.body)
            #expect(body.error.code == "token_revoked")
            #expect(body.error.type == "authentication_error")
        }
    }

    @Test func statusReportsVersionOwnerAndUptime() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/haven/status", method: .get, headers: .bearer(fixture.ownerToken))
            #expect(response.status == .ok)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let status = try decoder.decode(StatusResponse.self, from: Data(buffer: response.body))
            #expect(status.version == HavenServer.version)
            #expect(status.owner == fixture.ownerKey.did)
            #expect(status.uptimeSeconds >= 0)
        }
    }

    @Test func whoamiNamesTheCallersPrincipal() async throws {
        let token = try fixture.makeAppToken(name: "phone")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let owner = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(fixture.ownerToken))
            let ownerAnswer = try JSONDecoder().decode(WhoAmIResponse.self, from: Data(buffer: owner.body))
            #expect(ownerAnswer.principal == .owner)
            #expect(ownerAnswer.owner == fixture.ownerKey.did)
            let app = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(token))
            #expect(try JSONDecoder().decode(WhoAmIResponse.self, from: Data(buffer: app.body)).principal == .app("phone"))
        }
    }

    @Test(arguments: ["/v1/nothing", "/api/nothing", "/exchange/x", "/nowhere"])
    func unbuiltRoutesAnswer404InTheJSONShape(path: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: path, method: .get, headers: .bearer(fixture.ownerToken))
            #expect(response.status == .notFound)
            let body = try ErrorBody(response.body)
            #expect(body.error.type == "not_found_error")
            #expect(body.error.code == "not_found")
        }
    }
}

import Foundation
import HavenIdentity
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

@Suite struct TokenRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    @Test func aCreatedTokenWorksUntilRevoked() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let owner = HTTPFields.bearer(fixture.ownerToken)
            let created = try await client.execute(
                uri: "/haven/tokens", method: .post, headers: owner, body: ByteBuffer(string: #"{"name":"laptop"}"#))
            #expect(created.status == .created)
            let answer = try created.body.json(CreatedTokenResponse.self)
            #expect(answer.info.principal == .app("laptop"))
            #expect(answer.info.revokedAt == nil)

            let whoami = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(answer.token))
            #expect(whoami.status == .ok)
            #expect(try whoami.body.json(WhoAmIResponse.self).principal == .app("laptop"))

            let list = try await client.execute(uri: "/haven/tokens", method: .get, headers: owner)
            let tokens = try list.body.json(TokenListResponse.self).tokens
            #expect(tokens.map(\.name) == ["owner", "laptop"])
            #expect(!String(buffer: list.body).contains(answer.token), "a listing must not reveal secrets")

            let revoked = try await client.execute(uri: "/haven/tokens/laptop", method: .delete, headers: owner)
            #expect(revoked.status == .ok)
            #expect(try revoked.body.json(TokenInfo.self).revokedAt != nil)

            let after = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(answer.token))
            #expect(after.status == .unauthorized)
            #expect(try ErrorBody(after.body).error.code == "token_revoked")

            let active = try await client.execute(uri: "/haven/tokens", method: .get, headers: owner)
            #expect(try active.body.json(TokenListResponse.self).tokens.map(\.name) == ["owner"])
            let all = try await client.execute(uri: "/haven/tokens?all=true", method: .get, headers: owner)
            #expect(try all.body.json(TokenListResponse.self).tokens.map(\.name) == ["owner", "laptop"])
        }
    }

    @Test func onlyTheOwnerManagesTokens() async throws {
        let app = HTTPFields.bearer(try fixture.makeAppToken(name: "laptop"))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let requests: [(String, HTTPRequest.Method, ByteBuffer?)] = [
                ("/haven/tokens", .get, nil),
                ("/haven/tokens", .post, ByteBuffer(string: #"{"name":"sneaky"}"#)),
                ("/haven/tokens/laptop", .delete, nil),
            ]
            for (uri, method, body) in requests {
                let response = try await client.execute(uri: uri, method: method, headers: app, body: body)
                #expect(response.status == .forbidden, "\(method) \(uri)")
                let error = try ErrorBody(response.body).error
                #expect(error.type == "permission_error")
                #expect(error.code == "owner_only")
            }
        }
        #expect(try fixture.catalog.tokens().map(\.name) == ["owner", "laptop"])
    }

    @Test(arguments: [
        (#"{"name":"Bad Name"}"#, HTTPResponse.Status.badRequest, "invalid_name"),
        (#"{"name":"owner"}"#, .conflict, "token_name_taken"),
        (#"{"name":"#, .badRequest, "bad_request"),
        (#"{"nom":"x"}"#, .badRequest, "bad_request"),
        (#"[]"#, .badRequest, "bad_request"),
    ])
    func badCreateRequestsAreRefusedAndChangeNothing(body: String, status: HTTPResponse.Status, code: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/haven/tokens", method: .post, headers: .bearer(fixture.ownerToken), body: ByteBuffer(string: body))
            #expect(response.status == status)
            #expect(try ErrorBody(response.body).error.code == code)
        }
        #expect(try fixture.catalog.tokens(includeRevoked: true).map(\.name) == ["owner"])
    }

    @Test func anOversizedBodyGets413() async throws {
        var configuration = Configuration()
        configuration.maxRequestBodyBytes = 64
        let fixture = try ServerFixture(configuration: configuration)
        let name = String(repeating: "a", count: 100)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/haven/tokens", method: .post, headers: .bearer(fixture.ownerToken),
                body: ByteBuffer(string: #"{"name":"\#(name)"}"#))
            #expect(response.status == .contentTooLarge)
            #expect(try ErrorBody(response.body).error.code == "request_too_large")
        }
    }

    @Test func revokingAnUnknownOrTheOwnerTokenIsRefused() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let owner = HTTPFields.bearer(fixture.ownerToken)
            let unknown = try await client.execute(uri: "/haven/tokens/ghost", method: .delete, headers: owner)
            #expect(unknown.status == .notFound)
            #expect(try ErrorBody(unknown.body).error.code == "token_not_found")
            let ownerToken = try await client.execute(uri: "/haven/tokens/owner", method: .delete, headers: owner)
            #expect(ownerToken.status == .badRequest)
            #expect(try ErrorBody(ownerToken.body).error.code == "owner_token_protected")
            let still = try await client.execute(uri: "/haven/status", method: .get, headers: owner)
            #expect(still.status == .ok)
        }
    }
}

import Foundation
import HTTPTypes
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// `/v1/messages` before any model runs: `x-api-key` is a token like a bearer one, and every
/// refusal comes in Anthropic's error shape.
@Suite struct AnthropicRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    struct AnthropicErrorBody: Decodable {
        struct Detail: Decodable {
            let type: String
            let message: String
        }
        let type: String
        let error: Detail
    }

    static let apiKey = HTTPField.Name("x-api-key")!
    static let hello = #"{"model": "nowhere", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}"#

    func error(_ response: TestResponse) throws -> AnthropicErrorBody {
        let body = try JSONDecoder().decode(AnthropicErrorBody.self, from: Data(buffer: response.body))
        #expect(body.type == "error")
        return body
    }

    @Test func theKeyInXAPIKeyIsTheCallersToken() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let whoami = try await client.execute(uri: "/haven/whoami", method: .get, headers: [Self.apiKey: fixture.ownerToken])
            #expect(whoami.status == .ok)
            // The owner's key gets as far as the model lookup; a wrong key no further than the door.
            let owner = try await client.execute(
                uri: "/v1/messages", method: .post, headers: [Self.apiKey: fixture.ownerToken], body: ByteBuffer(string: Self.hello))
            #expect(owner.status == .notFound)
            #expect(try error(owner).error.type == "not_found_error")
            let wrong = try await client.execute(
                uri: "/v1/messages", method: .post, headers: [Self.apiKey: "hvn_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
                body: ByteBuffer(string: Self.hello))
            #expect(wrong.status == .unauthorized)
            #expect(try error(wrong).error.type == "authentication_error")
            let none = try await client.execute(uri: "/v1/messages", method: .post, body: ByteBuffer(string: Self.hello))
            #expect(none.status == .unauthorized)
        }
    }

    @Test func aTokenWithoutInferIsRefusedAsAnthropicRefusesPermissions() async throws {
        let token = try fixture.makeAppToken(name: "agent")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages", method: .post, headers: [Self.apiKey: token], body: ByteBuffer(string: Self.hello))
            #expect(response.status == .forbidden)
            let body = try error(response)
            #expect(body.error.type == "permission_error" && body.error.message.contains("infer"))
        }
    }

    @Test func aBadRequestIsA400NamingTheField() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages", method: .post, headers: .bearer(fixture.ownerToken),
                body: ByteBuffer(string: #"{"model": "nowhere", "messages": [{"role": "user", "content": "hi"}]}"#))
            #expect(response.status == .badRequest)
            let body = try error(response)
            #expect(body.error.type == "invalid_request_error" && body.error.message.contains("max_tokens"))
            let broken = try await client.execute(
                uri: "/v1/messages/count_tokens", method: .post, headers: .bearer(fixture.ownerToken), body: ByteBuffer(string: "{"))
            #expect(broken.status == .badRequest)
            #expect(try error(broken).error.type == "invalid_request_error")
        }
    }

    @Test func otherRoutesKeepHavensErrorShape() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/models/nowhere", method: .get, headers: [Self.apiKey: "wrong"])
            #expect(response.status == .unauthorized)
            #expect(try ErrorBody(response.body).error.type == "authentication_error")
        }
    }
}

import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// Query parameters the OpenAPI document gives as `true`/`1`/`false`/`0` or a bounded whole
/// number: other values are a 400 naming the parameter, not read as absent (schemathesis sent
/// `?all=AAA` and `?limit=null` and got 200s).
@Suite struct QueryFlagRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    @Test(arguments: [
        "/haven/tokens?all", "/haven/grants?all", "/haven/shares?all", "/haven/market/offers?peers",
        "/haven/market/listings?peers", "/haven/market/listings?all",
    ])
    func aFlagTakesTrueFalseOneOrZero(path: String) async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            for value in ["true", "1", "false", "0"] {
                let answer = try await client.execute(uri: "\(path)=\(value)", method: .get, headers: owner)
                #expect(answer.status == .ok, "\(path)=\(value): \(String(buffer: answer.body))")
            }
            let refused = try await client.execute(uri: "\(path)=AAA", method: .get, headers: owner)
            #expect(refused.status == .badRequest)
            let error = try ErrorBody(refused.body).error
            #expect(error.code == "invalid_request")
            #expect(error.message.hasSuffix("takes true or false (or 1 or 0), not 'AAA'"))
        }
    }

    @Test func aChallengeLimitIsAWholeNumberInRange() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let listed = try await client.execute(uri: "/haven/market/challenges?limit=5", method: .get, headers: owner)
            #expect(listed.status == .ok)
            for limit in ["null", "0", "100001", "2.5"] {
                let refused = try await client.execute(uri: "/haven/market/challenges?limit=\(limit)", method: .get, headers: owner)
                #expect(refused.status == .badRequest, "limit=\(limit)")
                #expect(try ErrorBody(refused.body).error.message == "limit takes a whole number from 1 to 100000")
            }
        }
    }
}

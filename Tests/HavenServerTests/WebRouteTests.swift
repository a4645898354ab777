import Foundation
import HavenTestSupport
import HavenWebAssets
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// The web app over HTTP: its page and assets, signing in and out, the session cookie standing
/// in for a token, and the cross-site refusals.
@Suite struct WebRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    static let sameOrigin: HTTPFields = [.secFetchSite: "same-origin", .contentType: "application/json"]

    /// Signs in with `token` and returns the `Cookie` header the browser would send.
    func signIn(_ client: some TestClientProtocol, token: String) async throws -> HTTPFields {
        let response = try await client.execute(
            uri: "/haven/session", method: .post, headers: Self.sameOrigin,
            body: ByteBuffer(string: #"{"token":"\#(token)"}"#))
        #expect(response.status == .created)
        let setCookie = try #require(response.headers[.setCookie])
        let pair = try #require(setCookie.split(separator: ";").first)
        return [.cookie: String(pair), .secFetchSite: "same-origin"]
    }

    @Test func thePageIsServedWithAStrictPolicyAndRevalidatesWithItsETag() async throws {
        let index = try #require(WebAssets.embedded["index.html"])
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(Array(buffer: page.body) == index.bytes)
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[.referrerPolicy] == "no-referrer")
            let tag = try #require(page.headers[.eTag])
            let again = try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: tag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
        }
    }

    @Test func assetsAreGzippedForBrowsersThatTakeIt() async throws {
        let (path, asset) = try #require(WebAssets.embedded.first { $0.value.gzipped != nil })
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let zipped = try await client.execute(uri: "/app/\(path)", method: .get, headers: [.acceptEncoding: "gzip, br"])
            #expect(zipped.status == .ok)
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(Array(buffer: zipped.body) == asset.gzipped)
            let plain = try await client.execute(uri: "/app/\(path)", method: .get, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(Array(buffer: plain.body) == asset.bytes)
            #expect(plain.headers[.eTag] != zipped.headers[.eTag])
        }
    }

    @Test(arguments: ["/app/nothing.js", "/app/../Package.swift", "/app/.hidden", "/app/views/../../x"])
    func unknownOrEscapingAssetPathsAre404(path: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentSecurityPolicy] == SecurityHeadersMiddleware.lockedDown)
        }
    }

    @Test func apiResponsesAreLockedDownForBrowsers() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(fixture.ownerToken))
            #expect(response.status == .ok)
            #expect(response.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            #expect(response.headers[.xFrameOptions] == "DENY")
        }
    }

    @Test func aTokenSignsInAndTheCookieActsAsThatPrincipalUntilSignOut() async throws {
        let token = try fixture.makeAppToken(name: "phone")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let cookie = try await signIn(client, token: token)
            let whoami = try await client.execute(uri: "/haven/whoami", method: .get, headers: cookie)
            #expect(whoami.status == .ok)
            #expect(String(buffer: whoami.body).contains(#""principal":"app:phone""#))
            // The app's session may do only what the app may: the token list is the owner's.
            let tokens = try await client.execute(uri: "/haven/tokens", method: .get, headers: cookie)
            #expect(tokens.status == .forbidden)
            let session = try await client.execute(uri: "/haven/session", method: .get, headers: cookie)
            #expect(session.status == .ok)
            #expect(String(buffer: session.body).contains(#""principal":"app:phone""#))
            #expect(String(buffer: session.body).contains(#""idle_expires_at":"#))

            let signOut = try await client.execute(uri: "/haven/session", method: .delete, headers: cookie)
            #expect(signOut.status == .noContent)
            #expect(signOut.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/haven/whoami", method: .get, headers: cookie)
            #expect(after.status == .unauthorized)
            #expect(try ErrorBody(after.body).error.code == "session_ended")
        }
    }

    @Test func underTLSTheCookieIsSecure() async throws {
        var configuration = Configuration()
        configuration.tlsCertificate = "/etc/haven/cert.pem"
        configuration.tlsKey = "/etc/haven/key.pem"
        let fixture = try ServerFixture(configuration: configuration)
        defer { fixture.remove() }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/haven/session", method: .post, headers: Self.sameOrigin,
                body: ByteBuffer(string: #"{"token":"\#(fixture.ownerToken)"}"#))
            #expect(response.status == .created)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasSuffix("; Secure"))
            // Under TLS the server's own origin is https.
            var byOrigin: HTTPFields = [.cookie: String(cookie.split(separator: ";")[0]), .origin: "https://localhost"]
            byOrigin[.contentType] = "application/json"
            let made = try await client.execute(
                uri: "/haven/tokens", method: .post, headers: byOrigin, body: ByteBuffer(string: #"{"name":"tls"}"#))
            #expect(made.status == .created)
            byOrigin[.origin] = "http://localhost"
            let plain = try await client.execute(
                uri: "/haven/tokens", method: .post, headers: byOrigin, body: ByteBuffer(string: #"{"name":"plain"}"#))
            #expect(plain.status == .forbidden)
        }
    }

    @Test func aWrongTokenDoesNotSignIn() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/haven/session", method: .post, headers: Self.sameOrigin,
                body: ByteBuffer(string: #"{"token":"hvn_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}"#))
            #expect(response.status == .unauthorized)
            #expect(response.headers[.setCookie] == nil)
            let neither = try await client.execute(
                uri: "/haven/session", method: .post, headers: Self.sameOrigin, body: ByteBuffer(string: "{}"))
            #expect(neither.status == .badRequest)
        }
    }

    @Test func aCrossSiteRequestWithTheCookieIsRefusedAndChangesNothing() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let cookie = try await signIn(client, token: fixture.ownerToken)
            let body = ByteBuffer(string: #"{"name":"forged"}"#)
            for headers: HTTPFields in [
                [.secFetchSite: "cross-site"], [.secFetchSite: "same-site"], [.origin: "http://127.0.0.1:9999"], [:],
            ] {
                var forged = headers
                forged[.cookie] = cookie[.cookie]
                forged[.contentType] = "application/json"
                let response = try await client.execute(uri: "/haven/tokens", method: .post, headers: forged, body: body)
                #expect(response.status == .forbidden)
                #expect(try ErrorBody(response.body).error.code == "cross_site_request")
            }
            #expect(try fixture.catalog.tokens().map(\.name) == ["owner"])
            // The same request from the page itself succeeds.
            var own = cookie
            own[.contentType] = "application/json"
            let made = try await client.execute(uri: "/haven/tokens", method: .post, headers: own, body: body)
            #expect(made.status == .created)
            var byOrigin: HTTPFields = [.cookie: cookie[.cookie]!, .origin: "http://localhost"]
            byOrigin[.contentType] = "application/json"
            let second = try await client.execute(
                uri: "/haven/tokens", method: .post, headers: byOrigin, body: ByteBuffer(string: #"{"name":"second"}"#))
            #expect(second.status == .created)
        }
    }

    @Test func signingInFromAnotherSiteIsRefused() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/haven/session", method: .post, headers: [.secFetchSite: "cross-site", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"token":"\#(fixture.ownerToken)"}"#))
            #expect(response.status == .forbidden)
            #expect(response.headers[.setCookie] == nil)
        }
    }

    @Test func aLoginLinkSignsInOnceAsItsMaker() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let made = try await client.execute(
                uri: "/haven/login-links", method: .post, headers: .bearer(fixture.ownerToken))
            #expect(made.status == .created)
            let link = try JSONDecoder.iso8601.decode(LoginLinkResponse.self, from: Data(buffer: made.body))
            // The test framework's requests name the authority "localhost".
            #expect(link.url == "http://localhost/#login=\(link.code)")
            let body = ByteBuffer(string: #"{"code":"\#(link.code)"}"#)
            let first = try await client.execute(uri: "/haven/session", method: .post, headers: Self.sameOrigin, body: body)
            #expect(first.status == .created)
            #expect(String(buffer: first.body).contains(#""principal":"owner""#))
            let second = try await client.execute(uri: "/haven/session", method: .post, headers: Self.sameOrigin, body: body)
            #expect(second.status == .unauthorized)
            #expect(try ErrorBody(second.body).error.code == "invalid_login_code")
        }
    }

    @Test func sessionsAreListedAndTheOwnerRevokesOneThatIsThenRefused() async throws {
        let token = try fixture.makeAppToken(name: "tablet")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let app = try await signIn(client, token: token)
            let owner = try await signIn(client, token: fixture.ownerToken)
            let mine = try await client.execute(uri: "/haven/sessions", method: .get, headers: app)
            let list = try JSONDecoder.iso8601.decode(SessionList.self, from: Data(buffer: mine.body))
            #expect(list.sessions.map(\.session.principal) == [.app("tablet")])
            #expect(list.sessions.map(\.current) == [true])
            let all = try JSONDecoder.iso8601.decode(
                SessionList.self,
                from: Data(buffer: try await client.execute(uri: "/haven/sessions", method: .get, headers: owner).body))
            #expect(all.sessions.count == 2)
            let id = list.sessions[0].session.id
            let revoked = try await client.execute(uri: "/haven/sessions/\(id)", method: .delete, headers: owner)
            #expect(revoked.status == .noContent)
            let refused = try await client.execute(uri: "/haven/whoami", method: .get, headers: app)
            #expect(refused.status == .unauthorized)
        }
    }

    @Test func aModelConversationIsStartedContinuedListedAndDeleted() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let owner = HTTPFields.bearer(fixture.ownerToken).merging([.contentType: "application/json"])
            let made = try await client.execute(
                uri: "/haven/conversations", method: .post, headers: owner,
                body: ByteBuffer(string: #"{"model":"smollm2","title":"Hello there"}"#))
            #expect(made.status == .created)
            let id = try #require(try JSONSerialization.jsonObject(with: Data(buffer: made.body)) as? [String: Any])["id"] as! String
            let appended = try await client.execute(
                uri: "/haven/conversations/\(id)/messages", method: .post, headers: owner,
                body: ByteBuffer(string: #"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"<b>Hello</b>"}]}"#))
            #expect(appended.status == .noContent)
            let shown = try await client.execute(uri: "/haven/conversations/\(id)", method: .get, headers: owner)
            let conversation = try JSONSerialization.jsonObject(with: Data(buffer: shown.body)) as! [String: Any]
            #expect(conversation["model"] as? String == "smollm2")
            #expect(conversation["agent"] == nil)
            #expect((conversation["messages"] as? [[String: Any]])?.map { $0["content"] as? String } == ["Hi", "<b>Hello</b>"])
            // Another principal neither sees nor adds to it.
            let other = HTTPFields.bearer(try fixture.makeAppToken(name: "other")).merging([.contentType: "application/json"])
            let foreign = try await client.execute(
                uri: "/haven/conversations/\(id)/messages", method: .post, headers: other,
                body: ByteBuffer(string: #"{"messages":[{"role":"user","content":"x"}]}"#))
            #expect(foreign.status == .notFound)
            let deleted = try await client.execute(uri: "/haven/conversations/\(id)", method: .delete, headers: owner)
            #expect(deleted.status == .noContent)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

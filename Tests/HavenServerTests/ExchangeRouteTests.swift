import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenStore
import HavenTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// `/exchange/v1/` through the real router: servers authenticate by signing each request, and
/// a capability works only in a request signed by its audience.
@Suite struct ExchangeRouteTests {
    let fixture: ServerFixture
    let bob = IdentityKey()
    let carol = IdentityKey()

    init() async throws {
        fixture = try ServerFixture()
        try await fixture.environment.store.put(Array("beach".utf8), at: DataPath(parsing: "/photos/trip/beach.txt"), author: "owner")
    }

    /// The owner's token for `holder` on /photos/trip/.
    func token(for holder: DID) throws -> String {
        try CapabilityToken.mint(
            issuer: fixture.ownerKey, audience: holder, capabilities: [Capability(resource: "/photos/trip/", right: .read)],
            expiresAt: nil)
    }

    /// Headers for `GET target` signed by `key`, with `token` as bearer.
    func signed(_ target: String, by key: IdentityKey, token: String?, at now: Date = Date()) throws -> HTTPFields {
        var fields = HTTPFields()
        let uri = fixture.environment.exchange.publicURL + target
        for (name, value) in try RequestSigner(key: key).sign(method: "GET", targetURI: uri, body: nil, at: now) {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        if let token { fields[.authorization] = "Bearer \(token)" }
        return fields
    }

    @Test func theWellKnownDocumentNeedsNoToken() async throws {
        defer { fixture.remove() }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/.well-known/haven?challenge=abc", method: .get)
            #expect(response.status == .ok)
            let info = try JSONDecoder().decode(ServerInfo.self, from: Data(buffer: response.body))
            #expect(info.did == fixture.ownerKey.did)
            try info.verifyProof(of: "abc")
        }
    }

    @Test func aSignedRequestWithItsOwnCapabilityListsTheTree() async throws {
        defer { fixture.remove() }
        let token = try token(for: bob.did)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let target = "/exchange/v1/tree/photos/trip/"
            let response = try await client.execute(uri: target, method: .get, headers: try signed(target, by: bob, token: token))
            #expect(response.status == .ok)
            let listing = try JSONDecoder().decode(TreeListing.self, from: Data(buffer: response.body))
            #expect(listing.entries.map(\.path) == ["/photos/trip/beach.txt"])
            let entry = try #require(try fixture.environment.audit.entries(limit: 1).first)
            #expect(entry.principal == "peer:\(bob.did)" && entry.action == "exchange.tree" && entry.allowed)
            #expect(entry.basis == CapabilityToken.id(of: token))
        }
    }

    @Test func theSameTokenSignedByAnotherServerIsRefused() async throws {
        defer { fixture.remove() }
        let token = try token(for: bob.did)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let target = "/exchange/v1/tree/photos/trip/"
            let response = try await client.execute(uri: target, method: .get, headers: try signed(target, by: carol, token: token))
            #expect(response.status == .unauthorized)
            #expect(try ErrorBody(response.body).error.code == "capability_not_bound")
            let entry = try #require(try fixture.environment.audit.entries(limit: 1).first)
            #expect(entry.principal == "peer:\(carol.did)" && !entry.allowed)
        }
    }

    @Test func aBareTokenOrAnAPITokenWithoutASignatureIsRefused() async throws {
        defer { fixture.remove() }
        let token = try token(for: bob.did)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            for bearer in [token, fixture.ownerToken] {
                let response = try await client.execute(
                    uri: "/exchange/v1/tree/photos/trip/", method: .get, headers: .bearer(bearer))
                #expect(response.status == .unauthorized)
                #expect(try ErrorBody(response.body).error.code == "invalid_signature")
            }
        }
    }

    @Test func aReplayedRequestIsRefused() async throws {
        defer { fixture.remove() }
        let token = try token(for: bob.did)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let target = "/exchange/v1/tree/photos/trip/"
            let headers = try signed(target, by: bob, token: token)
            #expect(try await client.execute(uri: target, method: .get, headers: headers).status == .ok)
            let again = try await client.execute(uri: target, method: .get, headers: headers)
            #expect(again.status == .unauthorized)
            #expect(try ErrorBody(again.body).error.code == "replayed_request")
        }
    }

    @Test func aSignatureForAnotherTargetIsRefused() async throws {
        defer { fixture.remove() }
        let token = try token(for: bob.did)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let headers = try signed("/exchange/v1/tree/photos/", by: bob, token: token)
            let response = try await client.execute(uri: "/exchange/v1/tree/photos/trip/", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
            #expect(try ErrorBody(response.body).error.code == "invalid_signature")
        }
    }

    @Test func withoutACapabilityContentIsRefusedAndAnUncoveredChunkIsNotFound() async throws {
        defer { fixture.remove() }
        let version = try #require(try fixture.environment.store.version(of: DataPath(parsing: "/photos/trip/beach.txt")))
        let chunk = try #require(try fixture.environment.store.manifest(version.id!)?.chunks.first?.id)
        let elsewhere = try CapabilityToken.mint(
            issuer: fixture.ownerKey, audience: bob.did, capabilities: [Capability(resource: "/other/", right: .read)],
            expiresAt: nil)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let target = "/exchange/v1/chunk/\(chunk)"
            let bare = try await client.execute(uri: target, method: .get, headers: try signed(target, by: bob, token: nil))
            #expect(bare.status == .unauthorized)
            #expect(try ErrorBody(bare.body).error.code == "capability_required")
            let uncovered = try await client.execute(uri: target, method: .get, headers: try signed(target, by: bob, token: elsewhere))
            let unknownTarget = "/exchange/v1/chunk/\(ContentID.hashing(Array("nothing".utf8), codec: .raw))"
            let unknown = try await client.execute(
                uri: unknownTarget, method: .get, headers: try signed(unknownTarget, by: bob, token: elsewhere))
            #expect(uncovered.status == .notFound && unknown.status == .notFound)
            #expect(try ErrorBody(uncovered.body).error.code == ErrorBody(unknown.body).error.code)
            let covered = try await client.execute(uri: target, method: .get, headers: try signed(target, by: bob, token: try token(for: bob.did)))
            #expect(covered.status == .ok)
            #expect(String(buffer: covered.body) == "beach")
            #expect(covered.headers[.contentType] == "application/vnd.ipld.raw")
        }
    }
}

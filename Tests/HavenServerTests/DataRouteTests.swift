import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

@Suite struct DataRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    private func grant(_ rights: [Right], on path: String, to principal: Principal = .app("laptop")) throws {
        try fixture.catalog.insertGrant(
            Grant(id: "g-\(path)-\(principal)", principal: principal, rights: rights, resource: path, purpose: nil,
                  createdAt: Date(), expiresAt: nil, revokedAt: nil))
    }

    @Test func aFileGoesInAndComesOutWithItsVersionAndETag() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            var headers = owner
            headers[.contentType] = "text/plain"
            let put = try await client.execute(
                uri: "/data/notes/todo.txt", method: .put, headers: headers, body: ByteBuffer(string: "buy milk"))
            #expect(put.status == .created)
            let version = try put.body.json(FileVersion.self)
            #expect(version.path.string == "/notes/todo.txt")
            #expect(version.version == 1)
            #expect(version.size == 8)
            let id = try #require(version.id)
            #expect(put.headers[.eTag] == "\"\(id)\"")

            let get = try await client.execute(uri: "/data/notes/todo.txt", method: .get, headers: owner)
            #expect(get.status == .ok)
            #expect(String(buffer: get.body) == "buy milk")
            #expect(get.headers[.eTag] == "\"\(id)\"")
            #expect(get.headers[.contentType] == "text/plain")
            #expect(get.headers[.acceptRanges] == "bytes")

            var conditional = owner
            conditional[.ifNoneMatch] = "\"\(id)\""
            let notModified = try await client.execute(uri: "/data/notes/todo.txt", method: .get, headers: conditional)
            #expect(notModified.status == .notModified)

            var ranged = owner
            ranged[.range] = "bytes=4-"
            let partial = try await client.execute(uri: "/data/notes/todo.txt", method: .get, headers: ranged)
            #expect(partial.status == .partialContent)
            #expect(String(buffer: partial.body) == "milk")
            #expect(partial.headers[.contentRange] == "bytes 4-7/8")

            ranged[.range] = "bytes=8-"
            let unsatisfiable = try await client.execute(uri: "/data/notes/todo.txt", method: .get, headers: ranged)
            #expect(unsatisfiable.status == .rangeNotSatisfiable)
            #expect(unsatisfiable.headers[.contentRange] == "bytes */8")

            let head = try await client.execute(uri: "/data/notes/todo.txt", method: .head, headers: owner)
            #expect(head.status == .ok)
            #expect(head.headers[.contentLength] == "8")
            #expect(head.body.readableBytes == 0)

            let listing = try await client.execute(uri: "/data/notes/", method: .get, headers: owner)
            #expect(try listing.body.json(DirectoryListing.self).entries.map(\.name) == ["todo.txt"])
            let root = try await client.execute(uri: "/data/", method: .get, headers: owner)
            #expect(try root.body.json(DirectoryListing.self).entries.map(\.name) == ["notes"])
        }
    }

    @Test func ifMatchRefusesALostUpdate() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let first = try await client.execute(uri: "/data/doc", method: .put, headers: owner, body: ByteBuffer(string: "v1"))
            let firstTag = try #require(first.headers[.eTag])
            var headers = owner
            headers[.ifMatch] = firstTag
            let second = try await client.execute(uri: "/data/doc", method: .put, headers: headers, body: ByteBuffer(string: "v2"))
            #expect(second.status == .created)
            let stale = try await client.execute(uri: "/data/doc", method: .put, headers: headers, body: ByteBuffer(string: "v3"))
            #expect(stale.status == .preconditionFailed)
            #expect(try ErrorBody(stale.body).error.code == "precondition_failed")
            let current = try await client.execute(uri: "/data/doc", method: .get, headers: owner)
            #expect(String(buffer: current.body) == "v2")
            let versions = try await client.execute(uri: "/data/doc?versions", method: .get, headers: owner)
            #expect(try versions.body.json(VersionListing.self).versions.map(\.version) == [1, 2])
            let old = try await client.execute(uri: "/data/doc?version=1", method: .get, headers: owner)
            #expect(String(buffer: old.body) == "v1")
        }
    }

    @Test func everyDecisionIsAuditedAndDeniedRequestsChangeNothing() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        let app = HTTPFields.bearer(try fixture.makeAppToken(name: "laptop"))
        try grant([.read, .list], on: "/notes/")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            _ = try await client.execute(uri: "/data/notes/a.txt", method: .put, headers: owner, body: ByteBuffer(string: "a"))
            _ = try await client.execute(uri: "/data/notes2/b.txt", method: .put, headers: owner, body: ByteBuffer(string: "b"))

            let read = try await client.execute(uri: "/data/notes/a.txt", method: .get, headers: app)
            #expect(read.status == .ok)
            let sibling = try await client.execute(uri: "/data/notes2/b.txt", method: .get, headers: app)
            #expect(sibling.status == .forbidden)
            #expect(try ErrorBody(sibling.body).error.code == "access_denied")
            let write = try await client.execute(uri: "/data/notes/a.txt", method: .put, headers: app, body: ByteBuffer(string: "x"))
            #expect(write.status == .forbidden)
            let missing = try await client.execute(uri: "/data/secret/none", method: .get, headers: app)
            #expect(missing.status == .forbidden, "a denial must not reveal whether the file exists")

            let trick = try await client.execute(uri: "/data/notes/%2e%2e/notes2/b.txt", method: .get, headers: app)
            #expect(trick.status == .badRequest)
            #expect(try ErrorBody(trick.body).error.code == "invalid_path")

            let content = try await client.execute(uri: "/data/notes/a.txt", method: .get, headers: owner)
            #expect(String(buffer: content.body) == "a")

            let entries = try fixture.environment.audit.entries().reversed().map { ($0.principal, $0.action, $0.resource, $0.allowed) }
            #expect(entries.map(\.0) == ["owner", "owner", "app:laptop", "app:laptop", "app:laptop", "app:laptop", "app:laptop", "owner"])
            #expect(entries.map(\.1) == ["write", "write", "read", "read", "write", "read", "read", "read"])
            #expect(entries.map(\.2) == [
                "/notes/a.txt", "/notes2/b.txt", "/notes/a.txt", "/notes2/b.txt", "/notes/a.txt", "/secret/none",
                "/notes/%2e%2e/notes2/b.txt", "/notes/a.txt",
            ])
            #expect(entries.map(\.3) == [true, true, true, false, false, false, false, true])
            #expect(try fixture.environment.audit.verify().isIntact)
        }
    }

    @Test func appendCreatesButNeverReplaces() async throws {
        defer { fixture.remove() }
        let app = HTTPFields.bearer(try fixture.makeAppToken(name: "laptop"))
        try grant([.append], on: "/inbox/")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let created = try await client.execute(uri: "/data/inbox/1.txt", method: .put, headers: app, body: ByteBuffer(string: "hi"))
            #expect(created.status == .created)
            let replaced = try await client.execute(uri: "/data/inbox/1.txt", method: .put, headers: app, body: ByteBuffer(string: "no"))
            #expect(replaced.status == .forbidden)
            #expect(try ErrorBody(replaced.body).error.message.contains("creates new files only"))
        }
    }

    @Test func aCapabilityTokenOpensItsPathOnly() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        let friend = IdentityKey()
        let token = try CapabilityToken.mint(
            issuer: fixture.ownerKey, audience: friend.did,
            capabilities: [Capability(resource: "/photos/trip/", right: .read)], expiresAt: Date() + 3600)
        let forged = try CapabilityToken.mint(
            issuer: friend, audience: friend.did, capabilities: [Capability(resource: "/", right: .read)],
            expiresAt: Date() + 3600)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            _ = try await client.execute(uri: "/data/photos/trip/a.jpg", method: .put, headers: owner, body: ByteBuffer(string: "jpg"))
            let read = try await client.execute(uri: "/data/photos/trip/a.jpg", method: .get, headers: .bearer(token))
            #expect(read.status == .ok)
            #expect(String(buffer: read.body) == "jpg")
            let outside = try await client.execute(uri: "/data/photos/other.jpg", method: .get, headers: .bearer(token))
            #expect(outside.status == .forbidden)
            let elsewhere = try await client.execute(uri: "/haven/whoami", method: .get, headers: .bearer(token))
            #expect(elsewhere.status == .unauthorized)
            let rejected = try await client.execute(uri: "/data/photos/trip/a.jpg", method: .get, headers: .bearer(forged))
            #expect(rejected.status == .unauthorized)
            #expect(try ErrorBody(rejected.body).error.code == "invalid_capability")

            try fixture.catalog.revokeToken(id: CapabilityToken.id(of: token), at: Date())
            let revoked = try await client.execute(uri: "/data/photos/trip/a.jpg", method: .get, headers: .bearer(token))
            #expect(revoked.status == .unauthorized)

            let entries = try fixture.environment.audit.entries(limit: 4).reversed()
            #expect(entries.map(\.principal) == [
                "peer:\(friend.did)", "peer:\(friend.did)", "capability:\(CapabilityToken.id(of: forged))",
                "capability:\(CapabilityToken.id(of: token))",
            ])
            #expect(entries.map(\.allowed) == [true, false, false, false])
        }
    }

    @Test func uploadsPastTheLimitAre413AndStoreNothing() async throws {
        var configuration = Configuration()
        configuration.maxUploadBytes = 1000
        let fixture = try ServerFixture(configuration: configuration)
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let big = try await client.execute(
                uri: "/data/big", method: .put, headers: owner, body: ByteBuffer(repeating: 1, count: 1001))
            #expect(big.status == .contentTooLarge)
            let small = try await client.execute(
                uri: "/data/small", method: .put, headers: owner, body: ByteBuffer(repeating: 1, count: 1000))
            #expect(small.status == .created)
            #expect(try fixture.environment.store.statistics().files == 1)
        }
    }
}

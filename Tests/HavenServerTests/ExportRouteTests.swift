import Foundation
import HavenExchange
import HavenIdentity
import HavenStore
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

@Suite struct ExportRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    private func request(_ body: String, token: String) -> (HTTPFields, ByteBuffer) {
        var headers = HTTPFields.bearer(token)
        headers[.contentType] = "application/json"
        return (headers, ByteBuffer(string: body))
    }

    @Test func theOwnerGetsASignedArchiveAndTheExportIsAudited() async throws {
        defer { fixture.remove() }
        try await fixture.environment.store.put(Array("hello".utf8), at: DataPath(parsing: "/a.txt"), author: "owner")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let (headers, body) = request(#"{"passphrase":"moving day 2026"}"#, token: fixture.ownerToken)
            let response = try await client.execute(uri: "/haven/export", method: .post, headers: headers, body: body)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/vnd.ipld.car; version=1")
            var reader = ArchiveReader()
            reader.append(response.body.readableBytesView)
            var chunks = 0
            while let item = try reader.next() {
                if case .chunk = item { chunks += 1 }
            }
            try reader.finish()
            let manifest = try #require(reader.manifest)
            #expect(manifest.owner == fixture.ownerKey.did)
            #expect(chunks == 1 && manifest.chunks.count == 1)
            let seed = try manifest.identity.open(
                passphrase: "moving day 2026", context: ExportManifest.identityContext(owner: manifest.owner))
            #expect(try IdentityKey(seed: seed).did == fixture.ownerKey.did)
            let last = try #require(try fixture.environment.audit.entries(limit: 1).first)
            #expect(last.action == "export" && last.principal == "owner" && last.allowed)
        }
    }

    @Test func anAppAndAWeakPassphraseAreRefused() async throws {
        defer { fixture.remove() }
        let app = try fixture.makeAppToken(name: "laptop")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let (appHeaders, appBody) = request(#"{"passphrase":"moving day 2026"}"#, token: app)
            let refused = try await client.execute(uri: "/haven/export", method: .post, headers: appHeaders, body: appBody)
            #expect(refused.status == .forbidden)
            #expect(try refused.body.json(ErrorBody.self).error.code == "owner_only")

            let (headers, body) = request(#"{"passphrase":"short"}"#, token: fixture.ownerToken)
            let weak = try await client.execute(uri: "/haven/export", method: .post, headers: headers, body: body)
            #expect(weak.status == .badRequest)
            #expect(try weak.body.json(ErrorBody.self).error.code == "weak_passphrase")
            #expect(try fixture.environment.audit.entries(limit: 10).allSatisfy { $0.action != "export" })
        }
    }

    @Test func aHomeHalfWayThroughEncryptionIsRefusedUntilItIsFinished() async throws {
        defer { fixture.remove() }
        let pending = fixture.directory.path + "/keyring.pending.json"
        #expect(FileManager.default.createFile(atPath: pending, contents: Data("{}".utf8)))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let (headers, body) = request(#"{"passphrase":"moving day 2026","scrypt_log_n":10}"#, token: fixture.ownerToken)
            let refused = try await client.execute(uri: "/haven/export", method: .post, headers: headers, body: body)
            #expect(refused.status == .conflict)
            #expect(try refused.body.json(ErrorBody.self).error.code == "encryption_unfinished")
            #expect(try fixture.environment.audit.entries(limit: 10).allSatisfy { $0.action != "export" })
            try FileManager.default.removeItem(atPath: pending)
            let exported = try await client.execute(uri: "/haven/export", method: .post, headers: headers, body: body)
            #expect(exported.status == .ok)
        }
    }

    @Test func anEncryptedHomesArchiveCarriesItsDataKeyAndNoPlaintext() async throws {
        let encrypted = try ServerFixture(dataKey: .generate())
        defer { encrypted.remove() }
        let secret = "a line only the owner wrote, 0f3a9c"
        try await encrypted.environment.store.put(Array(secret.utf8), at: DataPath(parsing: "/diary.txt"), author: "owner")
        try await Application(router: encrypted.makeRouter()).test(.router) { client in
            let (headers, body) = request(#"{"passphrase":"moving day 2026","scrypt_log_n":10}"#, token: encrypted.ownerToken)
            let response = try await client.execute(uri: "/haven/export", method: .post, headers: headers, body: body)
            #expect(response.status == .ok)
            let archive = Array(response.body.readableBytesView)
            #expect(archive.count > 0 && !archive.contains(sequence: Array(secret.utf8)))
            var reader = ArchiveReader()
            reader.append(archive)
            var sealed = 0
            while let item = try reader.next() {
                if case .sealedChunk = item { sealed += 1 }
                if case .chunk = item { Issue.record("an encrypted home's archive holds a plain chunk") }
            }
            try reader.finish()
            let manifest = try #require(reader.manifest)
            #expect(sealed == 1 && manifest.isEncrypted)
            let key = try #require(manifest.dataKey).open(
                passphrase: "moving day 2026", context: ExportManifest.dataKeyContext(owner: manifest.owner))
            let dataKey = try #require(encrypted.catalog.dataKey)
            #expect(key == dataKey.withUnsafeBytes { Array($0) })
        }
    }
}

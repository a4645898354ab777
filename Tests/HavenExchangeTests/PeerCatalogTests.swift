import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenExchange

@Suite struct PeerCatalogTests {
    @Test func peersAreFoundByNameOrDIDAndBlockedOnRequest() throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let did = IdentityKey().did
        _ = try fixture.catalog.savePeer(Peer(did: did, name: "alice", url: "http://127.0.0.1:1", addedAt: Date()))
        #expect(try fixture.catalog.peer(named: "alice")?.did == did)
        #expect(try fixture.catalog.peer(named: "peer:\(did)")?.name == "alice")
        #expect(try !fixture.catalog.isPeerBlocked(did))
        #expect(try fixture.catalog.setPeerBlocked(did: did, true))
        #expect(try fixture.catalog.isPeerBlocked(did))
        #expect(try fixture.catalog.removePeer(did: did))
        #expect(try fixture.catalog.peer(named: "alice") == nil)
    }

    @Test func aNameBelongsToOnePeer() throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        _ = try fixture.catalog.savePeer(Peer(did: IdentityKey().did, name: "alice", url: "http://a", addedAt: Date()))
        #expect(throws: ExchangeError.peerNameTaken("alice")) {
            try fixture.catalog.savePeer(Peer(did: IdentityKey().did, name: "alice", url: "http://b", addedAt: Date()))
        }
    }

    @Test(arguments: ["ftp://a.example", "https://", "https://u:p@a.example", "https://a.example/?q=1", "not a url"])
    func refusesUnusableURLs(url: String) {
        #expect(throws: ExchangeError.self) { try Peer.normalizeURL(url) }
    }

    @Test func normalisesAURLWithoutItsTrailingSlash() throws {
        #expect(try Peer.normalizeURL("https://a.example:8420/") == "https://a.example:8420")
    }

    @Test func aMirrorWritesToALocalFolderOnlyOnce() throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let now = Date()
        let mirror = Mirror(
            id: "m1", peer: IdentityKey().did, remotePath: try DataPath(parsing: "/photos/"),
            localPath: try DataPath(parsing: "/from/alice/"), createdAt: now, updatedAt: now)
        try fixture.catalog.insertMirror(mirror)
        var second = mirror
        second = Mirror(
            id: "m2", peer: mirror.peer, remotePath: mirror.remotePath, localPath: mirror.localPath, createdAt: now,
            updatedAt: now)
        #expect(throws: ExchangeError.mirrorExists("/from/alice/")) { try fixture.catalog.insertMirror(second) }
        try fixture.catalog.advanceMirror(id: "m1", feedID: "f", cursor: 7)
        #expect(try fixture.catalog.mirror(id: "m1")?.cursor == 7)
        try fixture.catalog.stopMirror(id: "m1", reason: "revoked")
        #expect(try fixture.catalog.mirror(id: "m1")?.state == .stopped)
    }

    @Test func remotePathsLandUnderTheDestinationAsTheyWereUnderTheSource() throws {
        let remote = try DataPath(parsing: "/photos/trip/")
        let destination = try DataPath(parsing: "/from/alice/trip/")
        #expect(try Puller.localPath(of: "/photos/trip/day1/a.jpg", remote: remote, destination: destination).string
            == "/from/alice/trip/day1/a.jpg")
        #expect(throws: ExchangeError.self) {
            try Puller.localPath(of: "/photos/other/a.jpg", remote: remote, destination: destination)
        }
        #expect(try Puller.localPath(of: "/a.jpg", remote: DataPath(parsing: "/a.jpg"), destination: DataPath(parsing: "/in/")).string
            == "/in/a.jpg")
    }
}

import Foundation
import Testing

@testable import HavenStore

@Suite struct ChangeFeedTests {
    @Test func everyVersionGetsTheNextSequenceInCommitOrder() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.put(Array("a".utf8), at: DataPath(parsing: "/photos/a"), author: "owner")
        try await store.put(Array("b".utf8), at: DataPath(parsing: "/notes/b"), author: "owner")
        try await store.put(Array("a2".utf8), at: DataPath(parsing: "/photos/a"), author: "owner")
        try store.delete(DataPath(parsing: "/photos/a"), author: "owner")

        let all = try store.changes(after: 0, under: .root, limit: 100)
        #expect(all.changes.map(\.sequence) == [1, 2, 3, 4])
        #expect(all.changes.map(\.version.path.string) == ["/photos/a", "/notes/b", "/photos/a", "/photos/a"])
        #expect(all.changes.map(\.version.isDeletion) == [false, false, false, true])
        #expect(all.next == 4 && all.latest == 4)
        #expect(!all.feedID.isEmpty)
    }

    @Test func aFollowerOfAFolderSkipsOtherPathsButItsCursorMovesPastThem() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.put(Array("1".utf8), at: DataPath(parsing: "/photos/1"), author: "owner")
        try await store.put(Array("x".utf8), at: DataPath(parsing: "/photos2/x"), author: "owner")
        try await store.put(Array("y".utf8), at: DataPath(parsing: "/notes/y"), author: "owner")

        let page = try store.changes(after: 0, under: DataPath(parsing: "/photos/"), limit: 100)
        #expect(page.changes.map(\.version.path.string) == ["/photos/1"])
        #expect(page.next == 3)
        let filtered = try store.changes(after: 0, under: .root, limit: 100) { $0.path.string != "/photos2/x" }
        #expect(filtered.changes.map(\.sequence) == [1, 3])
    }

    @Test func aPageStopsAtItsLimitAndTheNextOneGoesOn() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        for index in 0..<5 {
            try await fixture.store.put(Array("\(index)".utf8), at: DataPath(parsing: "/f/\(index)"), author: "owner")
        }
        let first = try fixture.store.changes(after: 0, under: .root, limit: 2)
        #expect(first.changes.map(\.sequence) == [1, 2] && first.next == 2)
        let second = try fixture.store.changes(after: first.next, under: .root, limit: 10)
        #expect(second.changes.map(\.sequence) == [3, 4, 5] && second.next == 5)
    }

    @Test func waitingForAChangeWakesOnTheCommit() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        let waiter = Task { try await store.waitForChange(after: 0, timeout: .seconds(30)) }
        try await store.put(Array("x".utf8), at: DataPath(parsing: "/x"), author: "owner")
        #expect(try await waiter.value == 1)
    }

    @Test func waitingWithNothingNewEndsAtTheTimeout() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.put(Array("x".utf8), at: DataPath(parsing: "/x"), author: "owner")
        #expect(try await fixture.store.waitForChange(after: 1, timeout: .milliseconds(50)) == 1)
    }
}

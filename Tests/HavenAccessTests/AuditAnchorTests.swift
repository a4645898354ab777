import Foundation
import HavenStore
import Testing

@testable import HavenAccess

/// The audit log checked against the head anchored in the ledger: removing its newest entries,
/// which the hash chain alone cannot show, is found.
@Suite struct AuditAnchorTests {
    let catalog: Catalog
    let log: AuditLog

    init() throws {
        catalog = try Catalog.inMemory(schema: CatalogSchema([.audit]))
        log = AuditLog(catalog: catalog)
    }

    func fill(_ count: Int) throws {
        for index in 0..<count {
            try log.record(
                AccessRequest(principal: .app("app"), right: .read, resource: "/notes/\(index).txt"), .deny("no grant"))
        }
    }

    @Test func anAnchorIsALedgerEntryThatReadsBack() throws {
        try fill(3)
        let head = try #require(try log.head())
        #expect(head.sequence == 3)
        #expect(String(decoding: head.entry, as: UTF8.self) == "haven-audit-head/v1 3 \(head.hash)")
        #expect(AuditAnchor(entry: head.entry) == head)
    }

    @Test(arguments: [
        "bafkreiffjqkg5bxyz2q527tuqtatuxx3cv6xi5bxwdiypbpi2mrgkmhhke", "haven-audit-head/v1 3", "haven-audit-head/v1 0 abcd",
        "haven-audit-head/v1 -1 abcd", "haven-audit-head/v1 3 ABCD", "haven-audit-head/v1 3 abcd extra", "haven-audit-head/v1 x abcd",
    ])
    func otherEntriesAreNotAnchors(entry: String) {
        #expect(AuditAnchor(entry: Array(entry.utf8)) == nil)
    }

    @Test func theLogVerifiesAgainstItsAnchor() throws {
        try fill(5)
        let anchor = try #require(try log.head())
        try fill(2)
        #expect(try log.verify(anchor: anchor) == AuditVerification(entries: 7, anchored: 5, problem: nil))
    }

    @Test func removingTheNewestEntriesIsFoundOnlyWithTheAnchor() throws {
        try fill(5)
        let anchor = try #require(try log.head())
        try catalog.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq >= 4") }
        // The chain alone still checks out: that is the gap the anchor closes.
        #expect(try log.verify().isIntact)
        let result = try log.verify(anchor: anchor)
        #expect(!result.isIntact)
        #expect(result.problem?.sequence == 4)
        #expect(result.problem?.reason.contains("were removed") == true)
    }

    @Test func aRewrittenTailIsFoundAtTheAnchoredEntry() throws {
        try fill(5)
        let anchor = try #require(try log.head())
        try catalog.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq >= 4") }
        try fill(2)
        let result = try log.verify(anchor: anchor)
        #expect(result.problem?.sequence == 5)
        #expect(result.problem?.reason.contains("not the one the ledger anchored") == true)
    }
}

import Foundation
import GRDB
import HavenIdentity
import HavenStore
import Testing

@testable import HavenAccess

@Suite struct AuditLogTests {
    let catalog: Catalog
    let log: AuditLog
    let start = Date(timeIntervalSince1970: 1_800_000_000.123)

    init() throws {
        catalog = try Catalog.inMemory(schema: CatalogSchema([.audit]))
        log = AuditLog(catalog: catalog)
    }

    func fill(_ count: Int) throws {
        for index in 0..<count {
            let request = AccessRequest(principal: .app("app\(index % 3)"), right: .read, resource: "/notes/\(index).txt")
            let decision: AccessDecision = index.isMultiple(of: 2) ? .allow("grant g1", basis: "g1") : .deny("no grant")
            try log.record(request, decision, at: start + Double(index))
        }
    }

    @Test func entriesAreChainedInOrder() throws {
        try fill(5)
        let entries = try log.entries().reversed()
        #expect(entries.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(entries.first?.previousHash == AuditEntry.genesisHash)
        for (previous, next) in zip(entries, entries.dropFirst()) {
            #expect(next.previousHash == previous.hash)
        }
        #expect(entries.allSatisfy { $0.isIntact })
        #expect(try log.verify() == AuditVerification(entries: 5, problem: nil))
    }

    @Test func entriesFilterByPathAndPrincipal() throws {
        try fill(6)
        try log.record(AccessRequest(principal: .owner, right: .list, resource: "/notes2/"), .allow("owner", basis: nil))
        #expect(try log.entries(principal: "app:app1").map(\.resource) == ["/notes/4.txt", "/notes/1.txt"])
        #expect(try log.entries(resource: "/notes/").count == 6)
        #expect(try log.entries(resource: "/notes").count == 6)
        #expect(try log.entries(resource: "/notes/3.txt").map(\.sequence) == [4])
        #expect(try log.entries(limit: 2).map(\.sequence) == [7, 6])
        // Even indexes were allowed: /notes/0, 2, 4 and the owner's listing.
        #expect(try log.entries(allowed: false).map(\.resource) == ["/notes/5.txt", "/notes/3.txt", "/notes/1.txt"])
        #expect(try log.entries(resource: "/notes/", allowed: true).map(\.sequence) == [5, 3, 1])
        #expect(try log.entries(principal: "app:app1", allowed: false).map(\.resource) == ["/notes/1.txt"])
    }

    @Test(arguments: [
        "UPDATE audit SET reason = 'nothing to see' WHERE seq = 3",
        "UPDATE audit SET allowed = 1 - allowed WHERE seq = 3",
        "UPDATE audit SET principal = 'owner' WHERE seq = 3",
        "UPDATE audit SET time_ms = time_ms + 1 WHERE seq = 3",
    ])
    func anEditedEntryIsFound(edit: String) throws {
        try fill(6)
        try catalog.writer.write { db in try db.execute(sql: edit) }
        let result = try log.verify()
        #expect(result.problem == .init(sequence: 3, reason: "entry 3 was altered"))
        #expect(result.entries == 2)
    }

    @Test func aRemovedEntryIsFound() throws {
        try fill(6)
        try catalog.writer.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq = 4") }
        #expect(try log.verify().problem == .init(sequence: 4, reason: "entry 4 is missing (the next one is 5)"))
    }

    @Test func aRehashedEditIsFoundAtTheNextEntry() throws {
        try fill(6)
        // Rewriting an entry and its own hash still breaks the link from the entry after it.
        let forged = AuditEntry(
            sequence: 3, time: start, principal: "owner", action: "read", resource: "/x", allowed: true, reason: "forged",
            basis: nil, previousHash: try #require(try log.entries(limit: 10).first { $0.sequence == 2 }).hash)
        try catalog.writer.write { db in
            try db.execute(
                sql: "UPDATE audit SET principal = ?, resource = ?, allowed = 1, reason = ?, basis = NULL, hash = ?, time_ms = ? WHERE seq = 3",
                arguments: [forged.principal, forged.resource, forged.reason, forged.hash, AuditEntry.milliseconds(forged.time)])
        }
        #expect(try log.verify().problem == .init(sequence: 4, reason: "entry 4 does not follow the one before it"))
    }

    @Test func anEmptyLogIsIntact() throws {
        #expect(try log.verify() == AuditVerification(entries: 0, problem: nil))
    }
}

/// The audit log of an encrypted home: reasons sealed, hashes and checks unchanged.
@Suite struct SealedAuditLogTests {
    let key = DataKey.generate()

    func record(_ log: AuditLog, _ count: Int) throws {
        for index in 0..<count {
            try log.record(
                principal: "owner", action: "read", resource: "/n/\(index)", allowed: true,
                reason: "search for \"marmalade \(index)\" returned 1 passage(s); owner")
        }
    }

    @Test func reasonsAreSealedAndTheChainStillVerifies() throws {
        let catalog = try Catalog.inMemory(schema: CatalogSchema([.audit]), dataKey: key)
        let log = AuditLog(catalog: catalog)
        try record(log, 3)
        let stored = try catalog.read { db in try String.fetchAll(db, sql: "SELECT typeof(reason) FROM audit") }
        #expect(stored == ["blob", "blob", "blob"])
        #expect(try log.entries().first?.reason == "search for \"marmalade 2\" returned 1 passage(s); owner")
        #expect(try log.verify() == AuditVerification(entries: 3, problem: nil))
    }

    @Test func sealingAPlainLogKeepsEveryHash() throws {
        let file = NSTemporaryDirectory() + "haven-audit-\(UUID().uuidString).sqlite"
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        let plain = try Catalog.open(at: file, schema: CatalogSchema([.audit]))
        try record(AuditLog(catalog: plain), 4)
        let before = try AuditLog(catalog: plain).entries()
        try plain.close()
        let sealed = try Catalog.open(at: file, schema: CatalogSchema([.audit]), dataKey: key)
        #expect(try sealed.sealExistingRows([.auditReasons]).map(\.rows) == [4])
        let log = AuditLog(catalog: sealed)
        #expect(try log.entries() == before)
        #expect(try log.verify() == AuditVerification(entries: 4, problem: nil))
        let plainReasons = try sealed.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE typeof(reason) = 'text'") }
        #expect(plainReasons == 0)
    }

    @Test func aDamagedSealedReasonIsReportedByVerify() throws {
        let catalog = try Catalog.inMemory(schema: CatalogSchema([.audit]), dataKey: key)
        let log = AuditLog(catalog: catalog)
        try record(log, 3)
        try catalog.write { db in
            try db.execute(sql: "UPDATE audit SET reason = zeroblob(40) WHERE seq = 2")
        }
        #expect(try log.verify().problem?.sequence == 2)
    }
}

import Foundation
import Testing

@testable import HavenLedger

/// The log's files: written whole, immutable once full, readable back.
@Suite struct LedgerFilesTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-files-\(UUID().uuidString)")

    @Test func filesAreWrittenWholeAndReadBack() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try LedgerFiles(root: root)
        try files.writeImmutable([1, 2, 3], to: "tile/0/000")
        #expect(try files.read("tile/0/000") == [1, 2, 3])
        #expect(try files.read("tile/0/001") == nil)
        try files.writeCheckpoint(Array("origin\n1\nroot\n".utf8))
        try files.writeCheckpoint(Array("origin\n2\nroot\n".utf8))
        #expect(try files.read("checkpoint") == Array("origin\n2\nroot\n".utf8))
        // No temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tile/0").path)
        #expect(leftovers == ["000"])
    }

    @Test func aFullTileNeverChangesButAPartialOneMay() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try LedgerFiles(root: root)
        try files.writeImmutable([1], to: "tile/0/000")
        try files.writeImmutable([1], to: "tile/0/000")
        #expect(throws: LedgerLogError.tileChanged("tile/0/000")) { try files.writeImmutable([2], to: "tile/0/000") }
        #expect(try files.read("tile/0/000") == [1])
        try files.writeImmutable([1], to: "tile/0/001.p/1")
        try files.writeImmutable([2], to: "tile/0/001.p/1")
        #expect(try files.read("tile/0/001.p/1") == [2])
    }

    @Test(arguments: ["", "/etc/passwd", "../x", "tile/../../x", "tile//0", "./checkpoint"])
    func pathsOutsideTheLogAreRefused(path: String) throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try LedgerFiles(root: root)
        #expect(throws: LedgerLogError.self) { try files.writeImmutable([1], to: path) }
        #expect(throws: LedgerLogError.self) { try files.read(path) }
    }
}

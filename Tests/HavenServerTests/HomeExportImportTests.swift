import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import HavenTestSupport
import Testing

@testable import HavenServer

/// An export of a populated server, imported into a new home: the whole round trip in
/// process, and the archives import must refuse.
@Suite struct HomeExportImportTests {
    let fixture: ServerFixture
    let passphrase = "moving day, 2026"
    let big = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    init() throws { fixture = try ServerFixture() }

    private var store: DataStore { fixture.environment.store }

    private func populate() async throws {
        try await populate(fixture)
    }

    private func populate(_ fixture: ServerFixture) async throws {
        let store = fixture.environment.store
        let author = "owner"
        try await store.put(Array("first".utf8), at: DataPath(parsing: "/notes/todo.txt"), mediaType: "text/plain", author: author)
        try await store.put(Array("second".utf8), at: DataPath(parsing: "/notes/todo.txt"), mediaType: "text/plain", author: author)
        try await store.put(big, at: DataPath(parsing: "/photos/big.raw"), author: author)
        try await store.put(Array("soon gone".utf8), at: DataPath(parsing: "/notes/gone.txt"), author: author)
        try store.delete(DataPath(parsing: "/notes/gone.txt"), author: author)
        try fixture.catalog.insertGrant(
            Grant(
                id: "g-1", principal: .app("laptop"), rights: [.read, .list], resource: "/notes/", purpose: "sync",
                createdAt: Date(), expiresAt: nil, revokedAt: nil))
        _ = try fixture.makeAppToken(name: "laptop")
        try fixture.environment.audit.record(
            principal: "app:laptop", action: "read", resource: "/notes/todo.txt", allowed: true, reason: "grant g-1")
        try FileManager.default.createDirectory(atPath: fixture.directory.path + "/agents", withIntermediateDirectories: true)
        try Data("name = \"helper\"\n".utf8).write(to: URL(fileURLWithPath: fixture.directory.path + "/agents/helper.toml"))
        _ = try await fixture.environment.ledgerAppender.append(Array("an entry".utf8))
    }

    private func export() async throws -> [UInt8] {
        try await export(fixture)
    }

    /// The archive of `fixture`'s home, its data key sealed too if it is encrypted.
    private func export(_ fixture: ServerFixture) async throws -> [UInt8] {
        let identity = try SealedKey.seal(
            Array(fixture.ownerKey.privateKey.rawRepresentation), passphrase: passphrase,
            context: ExportManifest.identityContext(owner: fixture.ownerKey.did), parameters: .minimum)
        let dataKey = try fixture.catalog.dataKey.map { key in
            try SealedKey.seal(
                key.withUnsafeBytes { Array($0) }, passphrase: passphrase,
                context: ExportManifest.dataKeyContext(owner: fixture.ownerKey.did), parameters: .minimum)
        }
        var archive: [UInt8] = []
        _ = try await HomeExporter(environment: fixture.environment, identity: identity, dataKey: dataKey, includeModels: false).write {
            archive += $0.readableBytesView
        }
        return archive
    }

    /// Imports `archive`, read in uneven pieces as from a pipe.
    private func importing(
        _ archive: [UInt8], into path: String, passphrase: String? = nil, unlock: UnlockSecret? = nil
    ) throws -> HomeImporter.Imported {
        var offset = 0
        return try HomeImporter.importArchive(
            into: path, passphrase: passphrase ?? self.passphrase, unlock: unlock, scrypt: ScryptParameters(log2n: 10, r: 8, p: 1)
        ) {
            let piece = Array(archive[offset..<min(offset + 65_521, archive.count)])
            offset += piece.count
            return piece
        }
    }

    /// Nothing of a refused import is left: no home, no staging directory.
    private func leftovers(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["(unreadable)"]
    }

    @Test func theImportedHomeHoldsWhatTheExportedOneHeld() async throws {
        defer { fixture.remove() }
        try await populate()
        let archive = try await export()
        try await TemporaryDirectory.with { directory in
            let imported = try importing(archive, into: directory.path + "/home")
            #expect(imported.owner == fixture.ownerKey.did)
            #expect(try imported.home.loadOwnerKey().did == fixture.ownerKey.did)
            #expect(try imported.home.readOwnerToken() == imported.ownerToken.stringValue)

            let catalog = try Catalog.open(at: imported.home.catalogFile)
            defer { try? catalog.close() }
            let copy = try DataStore(catalog: catalog, objectsDirectory: imported.home.objectsDirectory)
            for path in ["/notes/todo.txt", "/photos/big.raw", "/notes/gone.txt"] {
                let versions = try store.versions(of: DataPath(parsing: path))
                #expect(try copy.versions(of: DataPath(parsing: path)) == versions)
                for version in versions where version.id != nil {
                    #expect(try await copy.contents(of: version) == store.contents(of: version))
                }
            }
            let bigVersion = try #require(try copy.version(of: DataPath(parsing: "/photos/big.raw")))
            #expect(try await copy.contents(of: bigVersion) == big)
            #expect(try catalog.grants() == fixture.catalog.grants())
            let tokens = try catalog.tokens()
            for token in try fixture.catalog.tokens() { #expect(tokens.contains(token)) }
            #expect(tokens.count == (try fixture.catalog.tokens().count) + 1)
            let audit = AuditLog(catalog: catalog)
            #expect(try audit.verify().isIntact)
            #expect(try audit.entries(limit: 1000) == fixture.environment.audit.entries(limit: 1000))
            let ledger = directory.path + "/home/ledger/checkpoint"
            #expect(FileManager.default.contents(atPath: ledger) == FileManager.default.contents(atPath: fixture.directory.path + "/ledger/checkpoint"))
            #expect(FileManager.default.contents(atPath: directory.path + "/home/agents/helper.toml") == Data("name = \"helper\"\n".utf8))
            #expect(leftovers(in: directory.path) == ["home"])
        }
    }

    @Test func aWrongPassphraseLeavesNothingBehind() async throws {
        defer { fixture.remove() }
        try await populate()
        let archive = try await export()
        try await TemporaryDirectory.with { directory in
            #expect(throws: ArchiveError.wrongPassphrase) {
                try importing(archive, into: directory.path + "/home", passphrase: "moving day, 2025")
            }
            #expect(leftovers(in: directory.path) == [])
            _ = try importing(archive, into: directory.path + "/home")
            #expect(leftovers(in: directory.path) == ["home"])
        }
    }

    @Test func aCutOffArchiveIsRefused() async throws {
        defer { fixture.remove() }
        try await populate()
        let archive = try await export()
        try await TemporaryDirectory.with { directory in
            for length in [0, 40, archive.count / 2, archive.count - 1] {
                #expect(throws: ArchiveError.self) { try importing(Array(archive.prefix(length)), into: directory.path + "/home") }
                #expect(leftovers(in: directory.path) == [])
            }
        }
    }

    @Test(arguments: [false, true])
    func aChangedByteInAChunkIsRefused(encrypted: Bool) async throws {
        defer { fixture.remove() }
        // A plain home's chunk, or an encrypted home's sealed one.
        let home = encrypted ? try ServerFixture(dataKey: .generate()) : fixture
        defer { home.remove() }
        try await populate(home)
        var archive = try await export(home)
        // The archive ends with the chunks (no models): the last bytes are a chunk's.
        archive[archive.count - 100] ^= 0x40
        try await TemporaryDirectory.with { directory in
            #expect {
                try importing(archive, into: directory.path + "/home")
            } throws: { error in
                guard case .damagedBlock = error as? ArchiveError else { return false }
                return true
            }
            #expect(leftovers(in: directory.path) == [])
        }
    }

    @Test func extraBytesAfterTheLastBlockAreRefused() async throws {
        defer { fixture.remove() }
        try await populate()
        let archive = try await export()
        try await TemporaryDirectory.with { directory in
            #expect(throws: ArchiveError.self) { try importing(archive + archive.suffix(300), into: directory.path + "/home") }
            #expect(leftovers(in: directory.path) == [])
        }
    }

    @Test func anExistingHomeIsNotTouched() async throws {
        defer { fixture.remove() }
        try await populate()
        let archive = try await export()
        try await TemporaryDirectory.with { directory in
            let initialised = try HavenHome.initialise(at: directory.path + "/home")
            #expect(throws: HomeError.alreadyInitialised(path: directory.path + "/home")) {
                try importing(archive, into: directory.path + "/home")
            }
            #expect(try initialised.home.loadOwnerKey().did == initialised.owner)
            #expect(leftovers(in: directory.path) == ["home"])
        }
    }

    // MARK: An encrypted home

    /// Every regular file under `directory`, by path.
    private func files(under directory: String) -> [String] {
        ExportSnapshot.listTree(directory, prefix: "").map(\.absolute)
    }

    @Test func anEncryptedHomeArrivesEncryptedWithTheSameDataAndNoPlaintext() async throws {
        defer { fixture.remove() }
        let encrypted = try ServerFixture(dataKey: .generate())
        defer { encrypted.remove() }
        try await populate(encrypted)
        let secret = "the combination is 31-7-22, 9c1e"
        try await encrypted.environment.store.put(Array(secret.utf8), at: DataPath(parsing: "/notes/safe.txt"), author: "owner")
        let archive = try await export(encrypted)
        #expect(!archive.contains(sequence: Array(secret.utf8)) && !archive.contains(sequence: Array(big[1000..<1064])))
        try await TemporaryDirectory.with { directory in
            let imported = try importing(archive, into: directory.path + "/home")
            #expect(imported.encrypted && imported.home.encryptionState == .encrypted)
            // The keyring opens with the archive's passphrase, to the same data key.
            let dataKey = try imported.home.unlock(with: .passphrase(Array(passphrase.utf8)))
            #expect(dataKey.withUnsafeBytes { Array($0) } == encrypted.catalog.dataKey?.withUnsafeBytes { Array($0) })
            #expect(throws: HomeError.self) { try imported.home.unlock(with: .passphrase(Array("moving day, 2025".utf8))) }

            let catalog = try Catalog.open(at: imported.home.catalogFile, dataKey: dataKey)
            defer { try? catalog.close() }
            let copy = try DataStore(catalog: catalog, objectsDirectory: imported.home.objectsDirectory)
            let store = encrypted.environment.store
            for path in ["/notes/todo.txt", "/photos/big.raw", "/notes/gone.txt", "/notes/safe.txt"] {
                let versions = try store.versions(of: DataPath(parsing: path))
                #expect(try copy.versions(of: DataPath(parsing: path)) == versions)
                for version in versions where version.id != nil {
                    #expect(try await copy.contents(of: version) == store.contents(of: version))
                }
            }
            #expect(try AuditLog(catalog: catalog).verify().isIntact)
            #expect(try catalog.grants() == encrypted.catalog.grants())
            // A stolen disk: no file of the new home holds what was stored.
            for file in files(under: imported.home.path) {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
                #expect(!bytes.contains(sequence: Array(secret.utf8)), "\(file) holds a stored file's text")
                #expect(!bytes.contains(sequence: Array(big[1000..<1064])), "\(file) holds a stored file's bytes")
            }
        }
    }

    @Test func anEncryptedHomeCanBeUnlockedByAKeyFileAfterTheMove() async throws {
        defer { fixture.remove() }
        let encrypted = try ServerFixture(dataKey: .generate())
        defer { encrypted.remove() }
        try await populate(encrypted)
        let archive = try await export(encrypted)
        let keyFile = Array("b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184".utf8)
        try await TemporaryDirectory.with { directory in
            // A key file too short to seal a keyring is refused, and nothing is left.
            #expect(throws: HomeError.self) {
                try importing(archive, into: directory.path + "/home", unlock: .keyFile(Array(keyFile.prefix(16))))
            }
            #expect(leftovers(in: directory.path) == [])
            let imported = try importing(archive, into: directory.path + "/home", unlock: .keyFile(keyFile))
            #expect(throws: HomeError.self) { try imported.home.unlock(with: .passphrase(Array(passphrase.utf8))) }
            let dataKey = try imported.home.unlock(with: .keyFile(keyFile))
            #expect(dataKey.withUnsafeBytes { Array($0) } == encrypted.catalog.dataKey?.withUnsafeBytes { Array($0) })
        }
    }

    @Test func aPlainHomesArchiveMakesAPlainHomeWhateverUnlockIsGiven() async throws {
        defer { fixture.remove() }
        try await populate()
        let archive = try await export()
        try await TemporaryDirectory.with { directory in
            let imported = try importing(archive, into: directory.path + "/home", unlock: .keyFile(Array(repeating: 7, count: 32)))
            #expect(!imported.encrypted && imported.home.encryptionState == .plain)
        }
    }
}

import Foundation
import HavenAccess
import HavenStore
import HavenTestSupport
import Testing

@testable import HavenServer

/// An encrypted home's life on disk: made encrypted, or encrypted later (resumably), and never
/// opened without its key or under `haven encrypt`.
@Suite struct HomeEncryptionTests {
    static let cheap = ScryptParameters(log2n: 10, r: 8, p: 1)
    let passphrase = UnlockSecret.passphrase("a passphrase for unit tests")

    func put(_ text: String, at path: String, in home: HavenHome, dataKey: DataKey?) async throws {
        let catalog = try home.openCatalog(dataKey: dataKey)
        defer { try? catalog.close() }
        let store = try DataStore(catalog: catalog, objectsDirectory: home.objectsDirectory)
        try await store.put(Array(text.utf8), at: try DataPath(parsing: path), author: "owner")
        try AuditLog(catalog: catalog).record(
            principal: "owner", action: "read", resource: path, allowed: true, reason: "search for \"\(text)\"")
    }

    func read(_ path: String, in home: HavenHome, dataKey: DataKey?) async throws -> String {
        let catalog = try home.openCatalog(dataKey: dataKey)
        defer { try? catalog.close() }
        let store = try DataStore(catalog: catalog, objectsDirectory: home.objectsDirectory)
        let version = try #require(try store.version(of: try DataPath(parsing: path)))
        return String(decoding: try await store.contents(of: version), as: UTF8.self)
    }

    func chunkFiles(_ home: HavenHome) throws -> [[UInt8]] {
        let objects = try ObjectStore(root: home.objectsDirectory)
        return try objects.files!.allChunks().map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: objects.files!.file(of: $0)))) }
    }

    @Test func anEncryptedHomeIsMadeWithAPrivateKeyringAndUnlocksOnlyWithItsPassphrase() async throws {
        try await TemporaryDirectory.with { directory in
            let result = try HavenHome.initialise(
                at: directory.path + "/home", encryption: .init(secret: passphrase, scrypt: Self.cheap))
            let home = result.home
            #expect(result.encrypted)
            #expect(home.encryptionState == .encrypted)
            #expect(SecretFile.mode(of: home.keyringFile) == 0o600)
            #expect(try HomeKeyring.read(from: home.keyringFile).home == result.owner.description)
            #expect(throws: HomeError.keyring(.doesNotUnlock(.passphrase))) {
                try home.unlock(with: .passphrase("not the passphrase"))
            }
            let key = try home.unlock(with: passphrase)
            try await put("the quince harvest", at: "/n.txt", in: home, dataKey: key)
            #expect(try await read("/n.txt", in: home, dataKey: key) == "the quince harvest")
            #expect(try chunkFiles(home).allSatisfy(ChunkSealer.isSealed))
            // The owner token was written through the sealed catalog like any other row.
            let catalog = try home.openCatalog(dataKey: key)
            #expect(try catalog.storedToken(id: result.ownerToken.id)?.info.principal == .owner)
            try catalog.close()
        }
    }

    @Test func theServerRefusesAHomeItCannotOrMustNotOpen() async throws {
        try await TemporaryDirectory.with { directory in
            let encrypted = try HavenHome.initialise(
                at: directory.path + "/encrypted", encryption: .init(secret: passphrase, scrypt: Self.cheap)).home
            let plain = try HavenHome.initialise(at: directory.path + "/plain").home
            let configuration = try Configuration.resolve(overrides: .init(), environment: [:], file: nil)
            await #expect(throws: HomeError.locked(path: encrypted.path)) {
                try await HavenServer(home: encrypted, configuration: configuration).run()
            }
            await #expect(throws: HomeError.notEncrypted(path: plain.path)) {
                try await HavenServer(home: plain, configuration: configuration, dataKey: .generate()).run()
            }
            FileManager.default.createFile(atPath: plain.pendingKeyringFile, contents: Data("{}".utf8))
            await #expect(throws: HomeError.encryptionUnfinished(path: plain.path)) {
                try await HavenServer(home: plain, configuration: configuration).run()
            }
        }
    }

    @Test func encryptingAPlainHomeSealsItsChunksAndColumnsAndKeepsItsData() async throws {
        try await TemporaryDirectory.with { directory in
            let home = try HavenHome.initialise(at: directory.path + "/home").home
            try await put("the apricot orchard", at: "/a.txt", in: home, dataKey: nil)
            #expect(try chunkFiles(home).allSatisfy { !ChunkSealer.isSealed($0) })

            let encryption = try HomeEncryption(home: home)
            #expect(!encryption.resuming)
            let report = try encryption.run(secret: passphrase, scrypt: Self.cheap)
            #expect(report.chunks == ObjectStore.SealingReport(sealed: 1, alreadySealed: 0))
            #expect(report.rows.first { $0.step == "audit reasons" }?.rows == 1)
            #expect(home.encryptionState == .encrypted)
            #expect(!FileManager.default.fileExists(atPath: home.pendingKeyringFile))

            let key = try home.unlock(with: passphrase)
            #expect(try await read("/a.txt", in: home, dataKey: key) == "the apricot orchard")
            #expect(try chunkFiles(home).allSatisfy(ChunkSealer.isSealed))
            let catalog = try Data(contentsOf: URL(fileURLWithPath: home.catalogFile))
            #expect(catalog.range(of: Data("apricot".utf8)) == nil)
            #expect(throws: HomeError.alreadyEncrypted(path: home.path)) { try HomeEncryption(home: home) }
        }
    }

    @Test func anInterruptedEncryptionIsFinishedWithTheSameSecretOnly() async throws {
        try await TemporaryDirectory.with { directory in
            let home = try HavenHome.initialise(at: directory.path + "/home").home
            try await put("the medlar tree", at: "/m.txt", in: home, dataKey: nil)
            // A run that stopped right after writing its pending keyring.
            let key = DataKey.generate()
            try HomeKeyring.create(for: key, home: try home.loadOwnerKey().did.description, secret: passphrase, scrypt: Self.cheap)
                .write(to: home.pendingKeyringFile)
            #expect(home.encryptionState == .unfinished)

            let encryption = try HomeEncryption(home: home)
            #expect(encryption.resuming)
            #expect(throws: HomeError.keyring(.doesNotUnlock(.passphrase))) {
                try encryption.run(secret: .passphrase("another passphrase"))
            }
            #expect(home.encryptionState == .unfinished)
            let report = try encryption.run(secret: passphrase)
            #expect(report.resumed)
            #expect(home.encryptionState == .encrypted)
            // The key the interrupted run chose is the one the home keeps.
            #expect(try await read("/m.txt", in: home, dataKey: key) == "the medlar tree")
        }
    }

    @Test func aRunningServerAndAnEncryptionExcludeEachOther() async throws {
        try await TemporaryDirectory.with { directory in
            let home = try HavenHome.initialise(at: directory.path + "/home").home
            do {
                let serving = try HomeLock.acquire(home, .shared)
                let another = try HomeLock.acquire(home, .shared)
                #expect(throws: HomeError.inUse(path: home.path)) { try HomeEncryption(home: home) }
                withExtendedLifetime((serving, another)) {}
            }
            do {
                let encryption = try HomeEncryption(home: home)
                #expect(throws: HomeError.beingEncrypted(path: home.path)) { try HomeLock.acquire(home, .shared) }
                withExtendedLifetime(encryption) {}
            }
            #expect(home.encryptionState == .plain)
        }
    }
}

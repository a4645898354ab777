import Foundation
import HavenStore
import HavenIdentity
import HavenTestSupport
import Testing

@testable import HavenServer

@Suite struct HavenHomeTests {
    @Test func initCreatesTheLayoutWithPrivateModes() async throws {
        try await TemporaryDirectory.with { directory in
            let result = try HavenHome.initialise(at: directory.path + "/home")
            let home = result.home
            for file in [home.configurationFile, home.ownerKeyFile, home.ownerTokenFile, home.catalogFile] {
                #expect(FileManager.default.fileExists(atPath: file), "\(file) is missing")
                #expect(SecretFile.mode(of: file) == 0o600, "\(file) is not 0600")
            }
            #expect(SecretFile.mode(of: home.path) == 0o700)
            for name in HavenHome.directories {
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: home.path + "/" + name, isDirectory: &isDirectory))
                #expect(isDirectory.boolValue)
            }
            // Nothing but the home is left beside it (no staging directory).
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["home"])
        }
    }

    @Test func initStoresTheOwnerKeyAndOnlyAHashOfTheToken() async throws {
        try await TemporaryDirectory.with { directory in
            let result = try HavenHome.initialise(at: directory.path + "/home")
            #expect(try result.home.loadOwnerKey().did == result.owner)
            #expect(try result.home.readOwnerToken() == result.ownerToken.stringValue)
            let catalogBytes = try Data(contentsOf: URL(fileURLWithPath: result.home.catalogFile))
            let secret = Data(result.ownerToken.stringValue.split(separator: "_").last!.utf8)
            #expect(catalogBytes.range(of: secret) == nil, "the token's secret is in the catalog")
            let catalog = try result.home.openCatalog()
            let stored = try catalog.storedToken(id: result.ownerToken.id)
            #expect(stored?.info.principal == .owner)
            #expect(stored?.secretHash == result.ownerToken.secretHash)
            try catalog.close()
        }
    }

    @Test func initRefusesAnExistingHomeAndChangesNothing() async throws {
        try await TemporaryDirectory.with { directory in
            let path = directory.path + "/home"
            let first = try HavenHome.initialise(at: path)
            let before = try snapshot(of: path)
            #expect(throws: HomeError.alreadyInitialised(path: first.home.path)) {
                try HavenHome.initialise(at: path)
            }
            #expect(try snapshot(of: path) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["home"])
        }
    }

    @Test func initTakesAnEmptyDirectoryButRefusesOtherContents() async throws {
        try await TemporaryDirectory.with { directory in
            let empty = directory.path + "/empty"
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
            _ = try HavenHome.initialise(at: empty)

            let busy = directory.path + "/busy"
            try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: false)
            _ = FileManager.default.createFile(atPath: busy + "/notes.txt", contents: Data("mine".utf8))
            #expect(throws: HomeError.notEmpty(path: busy)) { try HavenHome.initialise(at: busy) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: busy) == ["notes.txt"])

            let file = directory.path + "/file"
            _ = FileManager.default.createFile(atPath: file, contents: Data())
            #expect(throws: HomeError.notADirectory(path: file)) { try HavenHome.initialise(at: file) }
        }
    }

    @Test func aMissingHomeSaysToRunInit() async throws {
        try await TemporaryDirectory.with { directory in
            let home = HavenHome(path: directory.path + "/nowhere")
            #expect(throws: HomeError.notInitialised(path: home.path)) { try home.validate() }
        }
    }

    @Test func aKeyReadableByOthersIsRefused() async throws {
        try await TemporaryDirectory.with { directory in
            let home = try HavenHome.initialise(at: directory.path + "/home").home
            chmod(home.ownerKeyFile, 0o644)
            #expect(throws: HomeError.insecurePermissions(path: home.ownerKeyFile, mode: 0o644)) {
                try home.loadOwnerKey()
            }
        }
    }

    @Test func aDamagedKeyOrCatalogIsReportedAsSuch() async throws {
        try await TemporaryDirectory.with { directory in
            let home = try HavenHome.initialise(at: directory.path + "/home").home
            try Data("not a key".utf8).write(to: URL(fileURLWithPath: home.ownerKeyFile))
            #expect { try home.loadOwnerKey() } throws: { error in
                if case .corrupt(let path, _) = error as? HomeError { return path == home.ownerKeyFile }
                return false
            }
            try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: home.catalogFile))
            #expect { try home.openCatalog() } throws: { error in
                if case .corrupt(let path, _) = error as? HomeError { return path == home.catalogFile }
                return false
            }
        }
    }

    @Test func closingTheCatalogLeavesNoPendingWriteAheadLog() async throws {
        try await TemporaryDirectory.with { directory in
            let home = try HavenHome.initialise(at: directory.path + "/home").home
            let catalog = try home.openCatalog()
            _ = try catalog.insertToken(APIToken.generate(), name: "laptop", principal: .app("laptop"), createdAt: Date())
            try catalog.close()
            let walSize = (try? FileManager.default.attributesOfItem(atPath: home.catalogFile + "-wal")[.size] as? Int) ?? 0
            #expect(walSize == 0)
            let reopened = try home.openCatalog()
            #expect(try reopened.tokens().map(\.name) == ["owner", "laptop"])
            try reopened.close()
        }
    }

    /// Every file under `path` with its size, mode and modification time.
    private func snapshot(of path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + relative)
            result[relative] =
                "\(attributes[.size] ?? "") \(attributes[.posixPermissions] ?? "") \(attributes[.modificationDate] ?? "")"
        }
        return result
    }
}

import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenServer

@Suite struct ExportManifestTests {
    let owner = IdentityKey()

    private func manifest(files: [ExportManifest.File]? = nil, models: [ExportManifest.File] = []) throws -> ExportManifest {
        let identity = try SealedKey.seal(
            Array(owner.privateKey.rawRepresentation), passphrase: "moving day", context: ExportManifest.identityContext(owner: owner.did),
            parameters: .minimum)
        return ExportManifest(
            createdAt: Date(timeIntervalSince1970: 1_780_000_000), owner: owner.did, identity: identity,
            files: files ?? [file("catalog.sqlite", "SQLite"), file("ledger/tile/0/000", "tile"), file("haven.toml", "")],
            chunks: ExportManifest.Chunks(count: 2, bytes: 70_000), models: models)
    }

    private func file(_ path: String, _ text: String) -> ExportManifest.File {
        ExportManifest.File(path: path, size: Int64(text.utf8.count), id: .hashing(Array(text.utf8), codec: .raw))
    }

    @Test func aSignedBlockOpensToTheSameManifest() throws {
        let manifest = try manifest()
        let block = try manifest.signedBlock(by: owner)
        #expect(try ExportManifest.open(signedBlock: block) == manifest)
        let text = String(decoding: block, as: UTF8.self)
        #expect(text.hasPrefix(#"{"manifest":{"block_size":1048576,"chunks":{"bytes":70000,"count":2},"created_at":"2026-05-28T20:26:40Z""#))
        #expect(text.contains(#""format":"haven-export/1""#))
        #expect(!text.contains(" "))
    }

    @Test func everyAlteredByteIsRefused() throws {
        let block = try manifest().signedBlock(by: owner)
        #expect(try ExportManifest.open(signedBlock: block).owner == owner.did)
        // Every position of the manifest's text, changed to a character that keeps it JSON
        // where it can: none opens.
        for index in stride(from: 0, to: block.count, by: 7) {
            var altered = block
            altered[index] = altered[index] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            #expect(throws: ArchiveError.self) { try ExportManifest.open(signedBlock: altered) }
        }
    }

    @Test func aManifestSignedByAnotherKeyIsRefused() throws {
        let manifest = try manifest()
        #expect(throws: ArchiveError.keyMismatch(owner: owner.did.description)) { try manifest.signedBlock(by: IdentityKey()) }
        // A forger re-signs the canonical bytes with their own key, keeping the owner's DID.
        let forger = IdentityKey()
        let signature = try forger.signature(for: ExportManifest.signatureDomain + ExportManifest.canonical(manifest))
        let honest = String(decoding: try manifest.signedBlock(by: owner), as: UTF8.self)
        let signatureStart = try #require(honest.range(of: #","signature":""#))
        let forged = Array((honest[..<signatureStart.upperBound] + Base64URL.encode(signature) + "\"}").utf8)
        #expect(throws: ArchiveError.badSignature(owner: owner.did.description)) { try ExportManifest.open(signedBlock: forged) }
    }

    @Test func anotherSpellingOfTheSameManifestIsRefused() throws {
        let block = try manifest().signedBlock(by: owner)
        let spaced = Array(String(decoding: block, as: UTF8.self).replacingOccurrences(of: #"{"manifest":"#, with: #"{ "manifest":"#).utf8)
        #expect(throws: ArchiveError.invalidManifest(reason: "it is not in canonical form (sorted keys, no whitespace)")) {
            try ExportManifest.open(signedBlock: spaced)
        }
    }

    @Test func aNewerFormatAsksForANewerHaven() throws {
        let text = String(decoding: try manifest().signedBlock(by: owner), as: UTF8.self)
            .replacingOccurrences(of: "haven-export/1", with: "haven-export/2")
        #expect(throws: ArchiveError.unsupportedFormat("haven-export/2")) { try ExportManifest.open(signedBlock: Array(text.utf8)) }
    }

    @Test(arguments: [
        "../outside", "owner.key", "owner.token", "ledger/../../x", "/etc/passwd", "ledger//x", "agents/.hidden",
        "objects/3f/3fa4", "models/x.gguf", "ledger", "ledger/a\u{0}b",
    ])
    func pathsThatCouldEscapeOrOverwriteAreRefused(path: String) throws {
        let manifest = try manifest(files: [file("catalog.sqlite", "x"), file(path, "y")])
        #expect(throws: ArchiveError.unsafePath(path)) { try ExportManifest.open(signedBlock: manifest.signedBlock(by: owner)) }
    }

    @Test func modelsLiveOnlyUnderModels() throws {
        let fine = try manifest(models: [file("models/smol.gguf", "GGUF")])
        #expect(try ExportManifest.open(signedBlock: fine.signedBlock(by: owner)).models.count == 1)
        let escaping = try manifest(models: [file("agents/evil.toml", "x")])
        #expect(throws: ArchiveError.unsafePath("agents/evil.toml")) {
            try ExportManifest.open(signedBlock: escaping.signedBlock(by: owner))
        }
    }

    @Test func theCatalogMustComeFirst() throws {
        let manifest = try manifest(files: [file("haven.toml", ""), file("catalog.sqlite", "x")])
        #expect(throws: ArchiveError.invalidManifest(reason: "the first file must be catalog.sqlite")) {
            try ExportManifest.open(signedBlock: manifest.signedBlock(by: owner))
        }
    }
}

import Crypto
import Foundation
import GRDB
import HavenLedger
import HavenStore

/// Everything an export sends, taken at one instant of a running server: the catalog's
/// snapshot (a temporary file), the ledger's files as they were at that instant, the agent
/// definitions and `haven.toml`, and the files that never change once written (market
/// shards, models), each named by its hash.
///
/// Take it while every chunk is held against collection (``DataStore/holdingAllChunks(isolation:_:)``),
/// so that every chunk the snapshot's catalog names is on disk until the export has sent it;
/// ``discard()`` removes the temporary file.
struct ExportSnapshot: Sendable {
    /// Where a file's bytes come from: read at the snapshot, or a file that does not change.
    enum Source: Sendable {
        case bytes([UInt8])
        case file(String)
    }

    struct Entry: Sendable {
        let file: ExportManifest.File
        let source: Source
    }

    /// The catalog's snapshot: also the first of ``files``.
    let catalogFile: String
    let files: [Entry]
    let chunks: ExportManifest.Chunks
    let models: [Entry]

    /// The catalog's snapshot, with the ledger held still while it is taken: the ledger can
    /// then hold nothing the catalog does not know (an audit head anchored in the log is
    /// always one the snapshot has). What a crash at that instant would leave, and no less.
    static func take(
        environment: ServerEnvironment, homeDirectory: String, includeModels: Bool
    ) async throws -> ExportSnapshot {
        let catalogFile = environment.store.objects.root + "/tmp/export-\(UUID().uuidString).sqlite"
        let catalog = environment.catalog
        do {
            let ledgerFiles = try await environment.ledger.withFilesUnchanged { files in
                try catalog.snapshot(to: catalogFile)
                return try readTree(files.root.path, prefix: "ledger/")
            }
            var files = [Entry(file: try describe(file: catalogFile, as: ExportManifest.catalogPath), source: .file(catalogFile))]
            let configuration = homeDirectory + "/haven.toml"
            if let bytes = FileManager.default.contents(atPath: configuration) {
                files.append(entry("haven.toml", [UInt8](bytes)))
            }
            let agentsDirectory = environment.agents.directory
            files += try readTree(agentsDirectory, prefix: "agents/").map { entry($0.path, $0.bytes) }
            files += ledgerFiles.map { entry($0.path, $0.bytes) }
            // Shards are written once under their contract's name and never change.
            for path in listTree(homeDirectory + "/market", prefix: "market/") {
                files.append(Entry(file: try describe(file: path.absolute, as: path.relative), source: .file(path.absolute)))
            }
            let (chunks, modelFiles) = try readCatalog(catalogFile)
            var models: [Entry] = []
            if includeModels {
                for name in modelFiles {
                    let absolute = environment.modelsDirectory + "/" + name
                    models.append(Entry(file: try describe(file: absolute, as: "models/" + name), source: .file(absolute)))
                }
            }
            return ExportSnapshot(catalogFile: catalogFile, files: files, chunks: chunks, models: models)
        } catch {
            try? FileManager.default.removeItem(atPath: catalogFile)
            throw error
        }
    }

    /// Removes the catalog's snapshot.
    func discard() {
        try? FileManager.default.removeItem(atPath: catalogFile)
    }

    // MARK: Reading the home

    private static func entry(_ path: String, _ bytes: [UInt8]) -> Entry {
        Entry(
            file: ExportManifest.File(path: path, size: Int64(bytes.count), id: .hashing(bytes, codec: .raw)),
            source: .bytes(bytes))
    }

    /// The size and hash of a file on disk, read through once.
    private static func describe(file path: String, as relative: String) throws -> ExportManifest.File {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ArchiveError.io(path: path, reason: "it cannot be opened")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let data = try handle.read(upToCount: ExportManifest.standardBlockSize), !data.isEmpty {
            hasher.update(data: data)
            size += Int64(data.count)
        }
        return ExportManifest.File(path: relative, size: size, id: ContentID(codec: .raw, digest: Array(hasher.finalize())))
    }

    /// Every regular file under `directory` (none if it is missing), hidden ones (temporary
    /// files of writes in progress) left out, by relative path in sorted order.
    static func listTree(_ directory: String, prefix: String) -> [(relative: String, absolute: String)] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [(String, String)] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            let absolute = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), !isDirectory.boolValue,
                (try? FileManager.default.destinationOfSymbolicLink(atPath: absolute)) == nil
            else { continue }
            found.append((prefix + relative, absolute))
        }
        return found.sorted { $0.0 < $1.0 }
    }

    private static func readTree(_ directory: String, prefix: String) throws -> [(path: String, bytes: [UInt8])] {
        try listTree(directory, prefix: prefix).map { file in
            guard let data = FileManager.default.contents(atPath: file.absolute) else {
                throw ArchiveError.io(path: file.absolute, reason: "it cannot be read")
            }
            return (file.relative, [UInt8](data))
        }
    }

    /// The chunk totals and the model files the snapshot's catalog names.
    private static func readCatalog(_ path: String) throws -> (ExportManifest.Chunks, [String]) {
        let queue = try openReadOnly(path)
        defer { try? queue.close() }
        return try queue.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM chunk")
            let chunks = ExportManifest.Chunks(count: row?["count"] ?? 0, bytes: row?["bytes"] ?? 0)
            let models = try String.fetchAll(db, sql: "SELECT DISTINCT file FROM model ORDER BY file")
            return (chunks, models.filter { (try? ExportManifest.checkPath("models/" + $0, models: true)) != nil })
        }
    }

    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}

import Foundation
import GRDB
import HavenIdentity
import HavenStore

/// Builds a new home from an export archive, offline, as `haven init` builds one: everything
/// is written into a hidden staging directory beside the home, which is renamed into place
/// only once the whole archive has been read and checked, so a bad archive (cut off, altered,
/// forged, or opened with the wrong passphrase) leaves nothing behind.
///
/// The archive is read once, front to back. The manifest's signature is checked first, then
/// the identity key is unsealed and must be the manifest's owner's — all before any file is
/// written. Every block is checked against its id before it is written; every file against
/// the hash the manifest signed; every chunk against the next row of the catalog received
/// (so the chunks are exactly the catalog's, once each).
///
/// The catalog is then opened (migrating it if the archive came from an older Haven), and
/// what belonged to the old machine is fixed: models whose files did not come along are
/// forgotten (with the profiles made from them), to be added again here. A new owner token is
/// made for this machine's `owner.token`; the old one, and every other token, grant,
/// capability and share, keep working, since the catalog holds them.
public enum HomeImporter {
    /// What an import made.
    public struct Imported: Sendable {
        public let home: HavenHome
        public let owner: DID
        /// The new owner token, written to `owner.token` (the old one works too).
        public let ownerToken: APIToken
        /// When the archive's snapshot was taken.
        public let exportedAt: String
        public let files: Int
        public let chunks: Int
        public let bytes: Int64
        /// Models whose files came in the archive.
        public let models: [String]
        /// Models the old home had whose files did not come along: add them again.
        public let modelsLeftOut: [String]
    }

    /// Imports the archive whose bytes `read` returns piece by piece (an empty piece at the
    /// end) into a new home at `path`.
    ///
    /// - Throws: ``HomeError`` when `path` is taken or cannot be written; ``ArchiveError`` for
    ///   an archive that is not whole, not authentic, or not opened by `passphrase`.
    public static func importArchive(
        into path: String, passphrase: String, now: Date = Date(), read: () throws -> [UInt8]
    ) throws -> Imported {
        let home = HavenHome(path: path)
        try checkAvailable(home)
        let parent = (home.path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw HomeError.unreadable(path: parent, reason: "cannot create the parent directory")
        }
        let staging = HavenHome(path: parent + "/.haven-import-" + UUID().uuidString)
        do {
            var filling = Staging(home: staging, passphrase: passphrase, now: now)
            let made = try filling.build(read: read)
            guard rename(staging.path, home.path) == 0 else {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST { throw HomeError.alreadyInitialised(path: home.path) }
                throw HomeError.unreadable(path: home.path, reason: String(cString: strerror(code)))
            }
            return Imported(
                home: home, owner: made.owner, ownerToken: made.token, exportedAt: made.exportedAt, files: made.files,
                chunks: made.chunks, bytes: made.bytes, models: made.models, modelsLeftOut: made.modelsLeftOut)
        } catch {
            try? FileManager.default.removeItem(atPath: staging.path)
            if error is ArchiveError || error is HomeError { throw error }
            // SQLite, the store, the file system: said in one sentence, with where.
            throw ArchiveError.io(path: home.path, reason: "\(error)")
        }
    }

    /// Refuses a path that is a file, a non-empty directory or an existing home, as
    /// `haven init` does.
    private static func checkAvailable(_ home: HavenHome) throws(HomeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: home.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw .notADirectory(path: home.path) }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: home.path) else {
            throw .unreadable(path: home.path, reason: "cannot list the directory")
        }
        if entries.contains(where: { ["haven.toml", "catalog.sqlite", "owner.key"].contains($0) }) {
            throw .alreadyInitialised(path: home.path)
        }
        guard entries.isEmpty else { throw .notEmpty(path: home.path) }
    }

    /// The staging directory being filled from the archive.
    private struct Staging {
        let home: HavenHome
        let passphrase: String
        let now: Date

        var reader = ArchiveReader()
        var key: IdentityKey?
        var manifest: ExportManifest?
        /// The file being written, and its path.
        var open: (path: String, handle: FileHandle)?
        var objects: ObjectStore?
        var expectedChunks: ChunkCursor?
        var pending: [PendingChunk] = []
        var pendingBytes = 0
        var files = 0
        var chunks = 0
        var bytes: Int64 = 0

        /// Chunks are made durable in batches of about this many bytes.
        static let publishBytes = 32 << 20

        init(home: HavenHome, passphrase: String, now: Date) {
            self.home = home
            self.passphrase = passphrase
            self.now = now
        }

        struct Made {
            let owner: DID
            let token: APIToken
            let exportedAt: String
            let files: Int
            let chunks: Int
            let bytes: Int64
            let models: [String]
            let modelsLeftOut: [String]
        }

        mutating func build(read: () throws -> [UInt8]) throws -> Made {
            try makeDirectories()
            defer {
                try? open?.handle.close()
                expectedChunks?.close()
                objects?.discard(pending)
            }
            while true {
                let piece = try read()
                if piece.isEmpty { break }
                reader.append(piece)
                while let item = try reader.next() { try accept(item) }
            }
            try reader.finish()
            guard let manifest, let key else { throw ArchiveError.truncated(reason: "it has no manifest") }
            if let extra = try expectedChunks?.next() {
                throw ArchiveError.chunksMismatch(reason: "chunk \(extra.id) of the catalog is not in the archive")
            }
            // The catalog is opened for writing next: its read-only reader goes first.
            expectedChunks?.close()
            expectedChunks = nil
            try publishPending()
            let (token, models, leftOut) = try finishCatalog()
            try SecretFile.create(home.ownerKeyFile, contents: key.pemRepresentation)
            try SecretFile.create(home.ownerTokenFile, contents: token.stringValue + "\n")
            return Made(
                owner: manifest.owner, token: token, exportedAt: manifest.createdAt, files: files, chunks: chunks,
                bytes: bytes, models: models, modelsLeftOut: leftOut)
        }

        private func makeDirectories() throws {
            do {
                try FileManager.default.createDirectory(
                    atPath: home.path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                for directory in HavenHome.directories {
                    try FileManager.default.createDirectory(
                        atPath: home.path + "/" + directory, withIntermediateDirectories: false,
                        attributes: [.posixPermissions: 0o700])
                }
            } catch {
                throw HomeError.unreadable(path: home.path, reason: "cannot create the directory")
            }
        }

        private mutating func accept(_ item: ArchiveReader.Item) throws {
            switch item {
            case .manifest(let manifest):
                // The passphrase is checked before anything is written.
                let seed: [UInt8]
                do {
                    seed = try manifest.identity.open(
                        passphrase: passphrase, context: ExportManifest.identityContext(owner: manifest.owner))
                } catch .wrongPassphrase {
                    throw ArchiveError.wrongPassphrase
                } catch {
                    throw ArchiveError.invalidManifest(reason: "\(error)")
                }
                let key = try IdentityKey(seed: seed)
                guard key.did == manifest.owner else { throw ArchiveError.keyMismatch(owner: manifest.owner.description) }
                self.manifest = manifest
                self.key = key
            case .file(let file, _, let piece, let isLast):
                try write(piece, to: file.path, isLast: isLast)
                if isLast {
                    files += 1
                    bytes += file.size
                    if file.path == ExportManifest.catalogPath {
                        expectedChunks = try ChunkCursor(catalogFile: home.catalogFile)
                    }
                }
            case .chunk(let id, let piece):
                guard let expected = try expectedChunks?.next() else {
                    throw ArchiveError.chunksMismatch(reason: "chunk \(id) is not in the archive's catalog")
                }
                guard expected.id == id else {
                    throw ArchiveError.chunksMismatch(
                        reason: expected.id < id
                            ? "chunk \(expected.id) of the catalog is not in the archive"
                            : "chunk \(id) is not in the archive's catalog")
                }
                guard expected.size == Int64(piece.count) else {
                    throw ArchiveError.chunksMismatch(reason: "chunk \(id) has \(piece.count) bytes; the catalog says \(expected.size)")
                }
                if objects == nil { objects = try ObjectStore(root: home.objectsDirectory) }
                let written = try piece.withUnsafeBytes { bytes throws(StoreError) in
                    try objects!.writeTemporary(bytes, as: id)
                }
                pending.append(written)
                pendingBytes += piece.count
                chunks += 1
                bytes += Int64(piece.count)
                if pendingBytes >= Self.publishBytes { try publishPending() }
            }
        }

        private mutating func publishPending() throws {
            guard let objects, !pending.isEmpty else { return }
            try objects.publish(pending)
            pending = []
            pendingBytes = 0
        }

        /// Appends `piece` to the file at `path` (made, with its directories, on its first
        /// piece); the last piece makes it durable and closes it.
        private mutating func write(_ piece: [UInt8], to path: String, isLast: Bool) throws {
            let absolute = home.path + "/" + path
            if open?.path != path {
                let directory = (absolute as NSString).deletingLastPathComponent
                do {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw ArchiveError.io(path: directory, reason: "cannot create the directory")
                }
                let descriptor = Foundation.open(absolute, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    throw ArchiveError.io(path: absolute, reason: String(cString: strerror(errno)))
                }
                open = (path, FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
            }
            guard let handle = open?.handle else { return }
            do {
                try handle.write(contentsOf: piece)
                if isLast {
                    try handle.synchronize()
                    try handle.close()
                    open = nil
                }
            } catch {
                throw ArchiveError.io(path: absolute, reason: "\(error)")
            }
        }

        /// Opens the received catalog (migrating it), forgets the models whose files did not
        /// come, and adds this machine's owner token.
        private func finishCatalog() throws -> (token: APIToken, models: [String], leftOut: [String]) {
            let catalog: Catalog
            do {
                catalog = try Catalog.open(at: home.catalogFile)
            } catch {
                throw HomeError.corrupt(path: ExportManifest.catalogPath, reason: error.description)
            }
            defer { try? catalog.close() }
            var present: [String] = []
            var leftOut: [String] = []
            for model in try catalog.models() {
                if FileManager.default.fileExists(atPath: home.modelsDirectory + "/" + model.file) {
                    present.append(model.name)
                } else {
                    leftOut.append(model.name)
                }
            }
            if !leftOut.isEmpty {
                try catalog.write { db in
                    for name in leftOut {
                        try db.execute(sql: "DELETE FROM model_profile WHERE model = ?", arguments: [name])
                        try db.execute(sql: "DELETE FROM model WHERE name = ?", arguments: [name])
                    }
                }
            }
            let token = APIToken.generate()
            let stamp = ExportManifest.format(now).filter { $0.isNumber }
            _ = try catalog.insertToken(token, name: "owner-imported-" + stamp, principal: .owner, createdAt: now)
            return (token, present, leftOut)
        }
    }
}

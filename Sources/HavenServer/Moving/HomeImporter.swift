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
///
/// An encrypted home's archive makes an encrypted home: its data key, unsealed with the
/// passphrase, opens each sealed chunk (checked against the catalog's next id), which is
/// sealed again for the new home, and a new keyring wraps the same data key under the
/// archive's passphrase or a key file of this machine.
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
        /// Whether the new home is encrypted at rest (as the exported one was), with a keyring
        /// sealed under the secret given to the import.
        public let encrypted: Bool
    }

    /// Imports the archive whose bytes `read` returns piece by piece (an empty piece at the
    /// end) into a new home at `path`.
    ///
    /// - Parameters:
    ///   - unlock: for an encrypted home's archive, what the new home's keyring is sealed
    ///     under; by default the archive's passphrase. Ignored for a plain home's.
    ///   - scrypt: the cost of that keyring, for a passphrase.
    /// - Throws: ``HomeError`` when `path` is taken or cannot be written, or the keyring cannot
    ///   be made with `unlock`; ``ArchiveError`` for an archive that is not whole, not
    ///   authentic, or not opened by `passphrase`.
    public static func importArchive(
        into path: String, passphrase: String, unlock: UnlockSecret? = nil, scrypt: ScryptParameters = .standard,
        now: Date = Date(), read: () throws -> [UInt8]
    ) throws -> Imported {
        let home = HavenHome(path: path)
        try checkAvailable(home)
        let keyringSecret = unlock ?? .passphrase(Array(passphrase.utf8))
        let parent = (home.path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw HomeError.unreadable(path: parent, reason: "cannot create the parent directory")
        }
        let staging = HavenHome(path: parent + "/.haven-import-" + UUID().uuidString)
        do {
            var filling = Staging(home: staging, passphrase: passphrase, keyringSecret: keyringSecret, scrypt: scrypt, now: now)
            let made = try filling.build(read: read)
            guard rename(staging.path, home.path) == 0 else {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST { throw HomeError.alreadyInitialised(path: home.path) }
                throw HomeError.unreadable(path: home.path, reason: String(cString: strerror(code)))
            }
            return Imported(
                home: home, owner: made.owner, ownerToken: made.token, exportedAt: made.exportedAt, files: made.files,
                chunks: made.chunks, bytes: made.bytes, models: made.models, modelsLeftOut: made.modelsLeftOut,
                encrypted: made.encrypted)
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
        /// What an encrypted home's new keyring is sealed under.
        let keyringSecret: UnlockSecret
        let scrypt: ScryptParameters
        let now: Date

        var reader = ArchiveReader()
        var key: IdentityKey?
        /// An encrypted home's data key, from the manifest.
        var dataKey: DataKey?
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

        init(home: HavenHome, passphrase: String, keyringSecret: UnlockSecret, scrypt: ScryptParameters, now: Date) {
            self.home = home
            self.passphrase = passphrase
            self.keyringSecret = keyringSecret
            self.scrypt = scrypt
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
            let encrypted: Bool
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
            if let dataKey {
                do {
                    try HomeKeyring.create(for: dataKey, home: manifest.owner.description, secret: keyringSecret, scrypt: scrypt)
                        .write(to: home.keyringFile)
                } catch {
                    throw HomeError.keyring(error)
                }
            }
            try SecretFile.create(home.ownerKeyFile, contents: key.pemRepresentation)
            try SecretFile.create(home.ownerTokenFile, contents: token.stringValue + "\n")
            return Made(
                owner: manifest.owner, token: token, exportedAt: manifest.createdAt, files: files, chunks: chunks,
                bytes: bytes, models: models, modelsLeftOut: leftOut, encrypted: dataKey != nil)
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
                if let sealed = manifest.dataKey {
                    // A secret that cannot seal the new keyring is refused before anything is written.
                    if let problem = keyringSecret.problem { throw HomeError.keyring(.unusableSecret(reason: problem)) }
                    if keyringSecret.kind == .passphrase, let problem = scrypt.problem {
                        throw HomeError.keyring(.unusableSecret(reason: problem))
                    }
                    // Sealed under the same passphrase, which opened the identity key.
                    let bytes: [UInt8]
                    do {
                        bytes = try sealed.open(passphrase: passphrase, context: ExportManifest.dataKeyContext(owner: manifest.owner))
                    } catch {
                        throw ArchiveError.invalidManifest(reason: "its data key does not open with the passphrase that opens its identity key")
                    }
                    guard let dataKey = DataKey(bytes: bytes) else {
                        throw ArchiveError.invalidManifest(reason: "its data key has \(bytes.count) bytes, not \(DataKey.byteCount)")
                    }
                    self.dataKey = dataKey
                }
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
            case .sealedChunk(let sealed):
                guard let dataKey, let expected = try expectedChunks?.next() else {
                    throw ArchiveError.chunksMismatch(reason: "a chunk comes that is not in the archive's catalog")
                }
                // Only the chunk the catalog names next opens: the id is the seal's associated data.
                guard let piece = ChunkSealer(dataKey: dataKey).open(sealed, as: expected.id),
                    ContentID.hashing(piece, codec: .raw) == expected.id
                else {
                    throw ArchiveError.chunksMismatch(
                        reason: "the sealed chunk in place of \(expected.id) is another chunk, out of order, or damaged")
                }
                try receive(piece, as: expected)
            case .chunk(let id, let piece):
                guard dataKey == nil else {
                    throw ArchiveError.chunksMismatch(reason: "chunk \(id) is not sealed, in an encrypted home's archive")
                }
                guard let expected = try expectedChunks?.next() else {
                    throw ArchiveError.chunksMismatch(reason: "chunk \(id) is not in the archive's catalog")
                }
                guard expected.id == id else {
                    throw ArchiveError.chunksMismatch(
                        reason: expected.id < id
                            ? "chunk \(expected.id) of the catalog is not in the archive"
                            : "chunk \(id) is not in the archive's catalog")
                }
                try receive(piece, as: expected)
            }
        }

        /// Writes the chunk the catalog names next (sealed again under the data key, for an
        /// encrypted home), made durable with its batch.
        private mutating func receive(_ piece: [UInt8], as expected: (id: ContentID, size: Int64)) throws {
            guard expected.size == Int64(piece.count) else {
                throw ArchiveError.chunksMismatch(
                    reason: "chunk \(expected.id) has \(piece.count) bytes; the catalog says \(expected.size)")
            }
            if objects == nil { objects = try ObjectStore(root: home.objectsDirectory, sealer: dataKey.map(ChunkSealer.init)) }
            let written = try piece.withUnsafeBytes { bytes throws(StoreError) in
                try objects!.writeTemporary(bytes, as: expected.id)
            }
            pending.append(written)
            pendingBytes += piece.count
            chunks += 1
            bytes += Int64(piece.count)
            if pendingBytes >= Self.publishBytes { try publishPending() }
        }

        private mutating func publishPending() throws {
            guard let objects, !pending.isEmpty else { return }
            try FileChunkStorage(root: objects.root).publish(pending)
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
                catalog = try Catalog.open(at: home.catalogFile, dataKey: dataKey)
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

import Crypto
import Foundation
import HavenExchange
import HavenIdentity
import HavenStore
import NIOCore

/// Writes the export archive of a running server (``ExportManifest`` describes the format):
/// takes the snapshot with every chunk held against collection, signs the manifest, and
/// sends the blocks in the manifest's order, about a megabyte at a time.
///
/// The server keeps serving meanwhile: writes go on and land after the snapshot. Chunks are
/// read (and checked against their ids) as they are sent; a file that is not what it was when
/// the manifest was made, or a chunk that cannot be read, ends the stream with an error, so a
/// finished archive is always a whole one.
///
/// An encrypted home's chunks are sealed again for the archive (a fresh nonce each) under its
/// data key, which travels sealed under the export's passphrase: no plaintext of the home
/// leaves it.
struct HomeExporter: Sendable {
    let environment: ServerEnvironment
    /// The owner's key sealed under the export's passphrase.
    let identity: SealedKey
    /// An encrypted home's data key sealed under the export's passphrase; `nil` for a plain home.
    var dataKey: SealedKey? = nil
    let includeModels: Bool
    var now: @Sendable () -> Date = { Date() }

    /// What was sent, for the log.
    struct Summary: Sendable {
        var files = 0
        var chunks = 0
        var models = 0
        var bytes: Int64 = 0
    }

    /// The home: the parent of `objects/`.
    static func homeDirectory(of environment: ServerEnvironment) -> String {
        (environment.store.objects.root as NSString).deletingLastPathComponent
    }

    /// Sends the whole archive through `send`, piece by piece.
    func write(isolation: isolated (any Actor)? = #isolation, _ send: (ByteBuffer) async throws -> Void) async throws -> Summary {
        let sealer = environment.store.objects.sealer
        guard (sealer == nil) == (dataKey == nil) else {
            throw ArchiveError.exportFailed(
                reason: sealer == nil ? "a plain home's archive carries no data key" : "an encrypted home's archive needs its data key")
        }
        return try await environment.store.holdingAllChunks {
            let snapshot = try await ExportSnapshot.take(
                environment: environment, homeDirectory: Self.homeDirectory(of: environment), includeModels: includeModels)
            defer { snapshot.discard() }
            let manifest = ExportManifest(
                createdAt: now(), owner: environment.owner, identity: identity, files: snapshot.files.map(\.file),
                chunks: snapshot.chunks, models: snapshot.models.map(\.file), dataKey: dataKey)
            let block = try manifest.signedBlock(by: environment.ownerKey)
            var output = Output()
            var summary = Summary()
            output.append(CARWriter.header(roots: [ContentID.hashing(block, codec: .raw)]))
            output.append(CARWriter.block(ContentID.hashing(block, codec: .raw), bytes: block))
            for entry in snapshot.files {
                try await Self.send(entry, blockSize: manifest.blockSize, through: &output, send)
                summary.files += 1
            }
            var chunks = try ChunkCursor(catalogFile: snapshot.catalogFile)
            defer { chunks.close() }
            while let (id, _) = try chunks.next() {
                // Read (and checked against its id) as plaintext; sealed again if the home is.
                let bytes = try await environment.store.objects.read(id)
                if let sealer {
                    let sealed = bytes.withUnsafeBytes { sealer.seal($0, as: id) }
                    output.append(CARWriter.block(ContentID.hashing(sealed, codec: .raw), bytes: sealed))
                } else {
                    output.append(CARWriter.block(id, bytes: bytes))
                }
                summary.chunks += 1
                if let full = output.takeIfFull() { try await send(full) }
            }
            guard summary.chunks == manifest.chunks.count else {
                throw ArchiveError.exportFailed(reason: "the snapshot's chunks changed while they were sent")
            }
            for entry in snapshot.models {
                try await Self.send(entry, blockSize: manifest.blockSize, through: &output, send)
                summary.models += 1
            }
            if let rest = output.takeAll() { try await send(rest) }
            summary.bytes = output.sent
            return summary
        }
    }

    /// Sends one file as blocks of `blockSize`, checking that what is sent is the file the
    /// manifest names.
    private static func send(
        _ entry: ExportSnapshot.Entry, blockSize: Int, through output: inout Output,
        _ send: (ByteBuffer) async throws -> Void
    ) async throws {
        switch entry.source {
        case .bytes(let bytes):
            var offset = 0
            while offset < bytes.count {
                let piece = bytes[offset..<min(offset + blockSize, bytes.count)]
                output.append(CARWriter.block(ContentID.hashing(Array(piece), codec: .raw), bytes: piece))
                offset += piece.count
                if let full = output.takeIfFull() { try await send(full) }
            }
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ArchiveError.io(path: path, reason: "it cannot be opened")
            }
            defer { try? handle.close() }
            var hasher = SHA256()
            var size: Int64 = 0
            while let data = try handle.read(upToCount: blockSize), !data.isEmpty {
                let piece = [UInt8](data)
                hasher.update(data: piece)
                size += Int64(piece.count)
                guard size <= entry.file.size else { break }
                output.append(CARWriter.block(ContentID.hashing(piece, codec: .raw), bytes: piece))
                if let full = output.takeIfFull() { try await send(full) }
            }
            guard size == entry.file.size, ContentID(codec: .raw, digest: Array(hasher.finalize())) == entry.file.id else {
                throw ArchiveError.exportFailed(reason: "\(entry.file.path) changed while it was exported")
            }
        }
    }

    /// The bytes waiting to be sent, handed over about a megabyte at a time.
    private struct Output {
        var buffer = ByteBuffer()
        var sent: Int64 = 0

        mutating func append(_ bytes: some Collection<UInt8>) {
            buffer.writeBytes(bytes)
        }

        mutating func takeIfFull() -> ByteBuffer? {
            buffer.readableBytes >= 1 << 20 ? takeAll() : nil
        }

        mutating func takeAll() -> ByteBuffer? {
            guard buffer.readableBytes > 0 else { return nil }
            defer { buffer = ByteBuffer() }
            sent += Int64(buffer.readableBytes)
            return buffer
        }
    }
}

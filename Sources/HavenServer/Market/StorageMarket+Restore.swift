import Foundation
import HavenMarket
import HavenStore
import Hummingbird

extension StorageMarket {
    /// The backup a restore rebuilds: the one named, or the newest of `path`.
    func backupToRestore(_ request: RestoreRequest) throws -> (BackupRecord, DataPath) {
        let path: DataPath
        let target: DataPath
        do {
            path = try DataPath(parsing: request.path).asDirectory
            target = try DataPath(parsing: request.to ?? request.path).asDirectory
        } catch {
            throw APIError(.badRequest, code: "invalid_path", message: "not a data path: \(error)")
        }
        let candidates = try catalog.backups(path: path.string)
        let chosen = request.backup.map { id in candidates.first { $0.id == id } } ?? candidates.first
        guard let backup = chosen else {
            throw APIError(
                .notFound, code: "not_found",
                message: request.backup.map { "no backup \($0) of \(path) is kept here" }
                    ?? "\(path) has no backup here; make one with 'haven backup add \(path) --copies K-of-N'")
        }
        return (backup, target)
    }

    /// Rebuilds `backup` into `target` from any K of its providers, verifying every byte: each
    /// shard against its contract's Merkle root and its own authentication, the archive against
    /// each file's SHA-256 and its digest. Nothing is written unless all of it checks out.
    /// `progress` hears of each shard and each file.
    func restore(
        _ backup: BackupRecord, into target: DataPath, progress: @Sendable (RestoreEvent) async -> Void
    ) async throws -> Int {
        let code = try ErasureCode(dataShards: backup.dataShards, totalShards: backup.totalShards)
        var opened: [Int: [UInt8]] = [:]
        for stored in try currentShards(of: backup) {
            guard opened.count < code.dataShards, let index = stored.shardIndex else { continue }
            do {
                let bytes = try await fetchShard(stored, backup: backup)
                opened[index] = bytes
                await progress(RestoreEvent(event: "shard", index: index, provider: stored.peer.description, ok: true, bytes: bytes.count))
            } catch {
                await progress(
                    RestoreEvent(event: "shard", index: index, provider: stored.peer.description, ok: false, message: Self.describe(error)))
            }
        }
        guard opened.count >= code.dataShards else {
            throw APIError(
                .badGateway, code: "restore_failed",
                message: "only \(opened.count) of the \(code.dataShards) shards needed could be fetched and verified")
        }
        let archive: [UInt8]
        let entries: [BackupArchive.Entry]
        do {
            archive = try code.decode(opened, originalLength: backup.archiveBytes)
            entries = try BackupArchive.unpack(archive)
        } catch {
            throw APIError(.badGateway, code: "restore_failed", message: "the shards do not rebuild the backup: \(error)")
        }
        let digest = SHA256Digest(archive)
        guard digest == backup.digest else {
            throw APIError(.badGateway, code: "restore_failed", message: "the rebuilt archive's SHA-256 is not the backup's")
        }
        for entry in entries {
            let path = try DataPath(parsing: target.string + entry.path)
            try await environment.store.put(
                entry.bytes, at: path, mediaType: entry.mediaType ?? "application/octet-stream",
                author: owner.did.description)
            await progress(RestoreEvent(event: "file", bytes: entry.bytes.count, path: path.string))
        }
        audit(
            owner.did.description, "backup.restore", backup.path, allowed: true,
            "backup \(backup.id): \(entries.count) files into \(target) from shards \(opened.keys.sorted())")
        return entries.count
    }
}

import Foundation
import HavenMarket
import HavenStore
import Hummingbird
import NIOCore

/// `/haven/backups`: the owner's backups through the storage market.
///
/// - `POST /haven/backups`: back a folder up K-of-N with providers among the known peers
///   (``StorageMarket/backup(_:)``); 201 with where each shard went.
/// - `GET /haven/backups`: the backups kept here, with their contracts.
/// - `POST /haven/backups/restore`: rebuild the newest backup of a folder (or a named one) from
///   any K providers, into the folder or `to`. The answer is NDJSON progress (``RestoreEvent``):
///   one line per shard and per file, then `done`, or `error` with why.
struct BackupController {
    let environment: ServerEnvironment

    var market: StorageMarket { StorageMarket(environment: environment) }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("", use: create)
        group.get("", use: list)
        group.post("restore", use: restore)
    }

    private func decode<T: Decodable>(_ request: Request, as type: T.Type, shape: String) async throws -> T {
        let bytes = try await request.body.collect(upTo: 16 << 10)
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw APIError(.badRequest, code: "invalid_request", message: "the body must be \(shape)")
        }
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await decode(
            request, as: CreateBackupRequest.self, shape: "{\"path\": \"/photos/\", \"data_shards\": K, \"total_shards\": N}")
        let backup = try await market.backup(body)
        return try DataController.json(try view(backup), status: .created, context: context)
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> BackupListing {
        _ = try context.requireOwner()
        return BackupListing(backups: try environment.catalog.backups().map(view))
    }

    @Sendable func restore(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await decode(request, as: RestoreRequest.self, shape: "{\"path\": \"/photos/\", \"to\": \"/restored/\"}")
        let market = self.market
        // A missing backup or a bad path is refused before the stream starts.
        let (backup, target) = try market.backupToRestore(body)
        let (events, continuation) = AsyncStream.makeStream(of: RestoreEvent.self)
        let work = Task {
            do {
                let files = try await market.restore(backup, into: target) { continuation.yield($0) }
                continuation.yield(RestoreEvent(event: "done", bytes: backup.archiveBytes, path: target.string, files: files))
            } catch {
                continuation.yield(RestoreEvent(event: "error", message: StorageMarket.describe(error)))
            }
            continuation.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        let encoder = context.responseEncoder
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                for await event in events {
                    var line = try encoder.encode(event)
                    line.append(0x0A)
                    try await writer.write(ByteBuffer(bytes: line))
                }
                _ = await work.result
                try await writer.finish(nil)
            })
    }

    func view(_ backup: BackupRecord) throws -> BackupView {
        let contracts = try environment.catalog.storedContracts(backup: backup.id)
        let shards = try contracts.map { stored in
            BackupShardView(
                index: stored.shardIndex ?? -1, contract: stored.id.description, provider: stored.peer.description,
                peer: try environment.catalog.peer(did: stored.peer)?.name, status: stored.contract.status.rawValue,
                storedBytes: stored.contract.current.shard.byteCount)
        }
        return BackupView(
            id: backup.id, path: backup.path, createdAt: backup.createdAt, dataShards: backup.dataShards,
            totalShards: backup.totalShards, archiveBytes: backup.archiveBytes, files: backup.files, digest: backup.digest,
            shards: shards)
    }
}

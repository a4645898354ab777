import HavenLedger
import HavenStore
import Hummingbird

/// The ledger's log over HTTP, as C2SP tlog-tiles: `GET /ledger/checkpoint`, and
/// `GET /ledger/tile/<L>/<N>[.p/<W>]` and `GET /ledger/tile/entries/<N>[.p/<W>]`, public and
/// read straight from the files the log wrote (entries hold record ids, never file contents).
/// `GET /haven/ledger` (any token) says the log's origin, verifier key and size;
/// `GET /haven/ledger/proof/{record}` (owner) is a `.tlog-proof` of a record kept here.
struct LedgerController {
    let ledger: LedgerLog
    let catalog: Catalog

    static let prefix = "/ledger/"

    /// Whether `path` is one of the log's public paths.
    static func handles(_ path: String) -> Bool {
        path.hasPrefix(prefix)
    }

    func addRoutes(public router: Router<HavenRequestContext>, api group: RouterGroup<HavenRequestContext>) {
        router.get("ledger/checkpoint") { _, _ in
            guard let bytes = try ledger.files.read("checkpoint") else {
                throw APIError(.notFound, code: "no_checkpoint", message: "the ledger is empty: nothing has been recorded yet")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("ledger/tile/**") { request, context in
            let path = "tile/" + context.parameters.getCatchAll().joined(separator: "/")
            // Only what the tile geometry names is served: hash tiles and entry bundles.
            guard (try? TileCoordinate(path: path)) != nil || (try? EntryBundleCoordinate(path: path)) != nil,
                let bytes = try ledger.files.read(path)
            else {
                throw APIError(.notFound, code: "no_tile", message: "the ledger has no \(path)")
            }
            let partial = path.contains(".p/")
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/octet-stream",
                    // A full tile never changes; a partial one is replaced by a wider one.
                    .cacheControl: partial ? "no-cache" : "public, max-age=31536000, immutable",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        group.get("proof/:record") { _, context in
            _ = try context.requireOwner()
            let text = try context.parameters.require("record")
            guard let id = try? ContentID(parsing: text), let kept = try catalog.ledgerRecord(id: id),
                let index = kept.logIndex
            else {
                throw APIError(.notFound, code: "not_found", message: "no record '\(text)' is in this server's log")
            }
            guard let note = await ledger.checkpoint else {
                throw APIError(.notFound, code: "no_checkpoint", message: "the ledger is empty")
            }
            let size = try Checkpoint(parsing: note.text).size
            let proof = try RecordProof.make(
                record: kept.record, index: index,
                inclusionProof: try await ledger.inclusionProof(index: index, treeSize: size), note: note)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: proof.serialized)))
        }
        group.get { _, context in
            _ = try context.requireAuthentication()
            let checkpoint = await ledger.checkpoint
            return LedgerDescription(
                origin: ledger.origin, verifierKey: ledger.verifierKey.serialized, size: await ledger.size,
                checkpoint: checkpoint?.serialized)
        }
    }
}

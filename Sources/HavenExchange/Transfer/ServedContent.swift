import Foundation
import GRDB
import HavenAccess
import HavenStore

/// What a verified capability lets its holder fetch from this server: the current files it
/// covers, their manifests, and the chunks those manifests reference — and nothing else.
///
/// A manifest or chunk is served only when a *current* version of a path the capability covers
/// (with `read`) references it. Anything else — unknown, someone else's, an old version's —
/// gets the same answer (`nil`, a 404 at the edge), so a peer learns nothing about CIDs it
/// was not given.
public struct ServedContent: Sendable {
    let store: DataStore

    public init(store: DataStore) {
        self.store = store
    }

    /// The current files at or under `path` that `capability` allows reading, in path order.
    public func tree(under path: DataPath, for capability: VerifiedCapability) throws -> [TreeEntry] {
        let files: [FileVersion]
        if path.isDirectory {
            files = try store.currentFiles(under: path)
        } else {
            files = try store.version(of: path).map { [$0] } ?? []
        }
        return files.compactMap { file in
            guard let id = file.id, Self.allows(capability, file.path.string) else { return nil }
            return TreeEntry(path: file.path.string, version: file.version, manifest: id, size: file.size, mediaType: file.mediaType)
        }
    }

    /// The canonical bytes of manifest `id`, with the path that allowed it, if the capability
    /// covers a current version pointing at it.
    public func manifest(_ id: ContentID, for capability: VerifiedCapability) throws -> (bytes: [UInt8], path: String)? {
        guard id.codec == .dagJSON else { return nil }
        let paths = try store.catalog.currentPaths(withManifest: id)
        guard let path = paths.first(where: { Self.allows(capability, $0) }),
            let manifest = try store.manifest(id)
        else { return nil }
        return (manifest.encoded(), path)
    }

    /// The chunks among `ids` that the capability may fetch, in the order asked (each once),
    /// with a path that allowed the first of them.
    public func servableChunks(_ ids: [ContentID], for capability: VerifiedCapability) throws -> (ids: [ContentID], path: String?) {
        var served: [ContentID] = []
        var seen: Set<ContentID> = []
        var firstPath: String?
        for id in ids where id.codec == .raw && seen.insert(id).inserted {
            let paths = try store.catalog.currentPaths(withChunk: id)
            if let path = paths.first(where: { Self.allows(capability, $0) }) {
                served.append(id)
                if firstPath == nil { firstPath = path }
            }
        }
        return (served, firstPath)
    }

    /// Whether the capability grants `read` on `path`, by the same pure decision as `/data`.
    static func allows(_ capability: VerifiedCapability, _ path: String) -> Bool {
        let request = AccessRequest(principal: .peer(capability.audience), right: .read, resource: path)
        return AccessPolicy.decide(request, capability: capability).allowed
    }
}

extension Catalog {
    /// The live paths whose current version is manifest `id`.
    public func currentPaths(withManifest id: ContentID) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT path FROM file_head WHERE manifest_id = ? ORDER BY path", arguments: [id.description])
        }
    }

    /// The live paths whose current version references chunk `id`.
    func currentPaths(withChunk id: ContentID) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT h.path FROM manifest_chunk mc JOIN file_head h ON h.manifest_id = mc.manifest_id
                    WHERE mc.chunk_id = ? ORDER BY h.path
                    """, arguments: [id.hex])
        }
    }
}

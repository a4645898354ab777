import GRDB
import HavenStore

/// Walks the `chunk` table of a catalog file (an export's snapshot, or the catalog an import
/// received) in id order, a page at a time, so a store of millions of chunks is never listed
/// in memory at once.
struct ChunkCursor {
    private let queue: DatabaseQueue
    private var page: [(id: ContentID, size: Int64)] = []
    private var index = 0
    private var last: String = ""
    private var exhausted = false
    static let pageSize = 512

    /// Opens `catalogFile` read-only.
    init(catalogFile: String) throws {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: catalogFile, configuration: configuration)
    }

    /// The next chunk's id and size, or `nil` after the last.
    mutating func next() throws -> (id: ContentID, size: Int64)? {
        if index == page.count {
            guard !exhausted else { return nil }
            let after = last
            let rows = try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT id, size FROM chunk WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, Self.pageSize])
            }
            page = try rows.map { row in
                let hex: String = row["id"]
                guard let id = ContentID(hex: hex, codec: .raw) else {
                    throw ArchiveError.chunksMismatch(reason: "the catalog has a chunk row '\(hex)' that is not a chunk id")
                }
                return (id, row["size"])
            }
            index = 0
            exhausted = page.count < Self.pageSize
            guard let final = page.last else { return nil }
            last = final.id.hex
        }
        defer { index += 1 }
        return page[index]
    }

    /// Closes the file.
    func close() {
        try? queue.close()
    }
}

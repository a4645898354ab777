import Foundation
import GRDB

extension Catalog {
    /// Writes a copy of the whole catalog as it is at one instant to a new file at `path`:
    /// SQLite's online backup, page for page, inside one read transaction, so writers carry on
    /// meanwhile and the copy holds every table, index and row id exactly as they were.
    ///
    /// The copy is a self-contained database in rollback-journal mode (no `-wal` file); it is
    /// closed when this returns. An existing file at `path` is refused.
    public func snapshot(to path: String) throws(CatalogError) {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw .cannotOpen(path: path, reason: "a file is already there")
        }
        do {
            let copy = try DatabaseQueue(path: path)
            try writer.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
            try copy.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: path)
            throw .database(reason: "the snapshot to \(path) failed: \(error.message ?? "\(error.resultCode)")")
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .database(reason: "the snapshot to \(path) failed: \(error)")
        }
    }
}

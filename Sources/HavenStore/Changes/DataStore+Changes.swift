import Foundation
import GRDB

extension DataStore {
    /// The changes after `sequence` at or below `prefix` that pass `include`, at most `limit`.
    public func changes(
        after sequence: Int64, under prefix: DataPath, limit: Int, include: (FileVersion) -> Bool = { _ in true }
    ) throws -> ChangePage {
        try catalog.changes(after: sequence, under: prefix, limit: limit, include: include)
    }

    /// Waits until the feed has a change after `sequence`, or `timeout` passes; returns the
    /// newest sequence then (equal to `sequence` on a time-out). Woken by the commit itself
    /// (a GRDB observation of the `change` table), not by polling.
    public func waitForChange(after sequence: Int64, timeout: Duration) async throws -> Int64 {
        let observation = ValueObservation.tracking { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM change") ?? 0
        }
        let writer = catalog.writer
        return try await withThrowingTaskGroup(of: Int64?.self) { group in
            group.addTask {
                for try await latest in observation.values(in: writer) where latest > sequence { return latest }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? sequence
        }
    }
}

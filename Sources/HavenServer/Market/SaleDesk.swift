/// Runs one piece of sale work per key at a time: a purchase id presented twice at once (or a
/// delivery retried while the first attempt runs) waits for the running attempt and gets its
/// result, so an order is never charged or logged twice.
actor SaleDesk {
    private var running: [String: Task<[UInt8], any Error>] = [:]

    /// The result of `work` for `key`: the running attempt's, when one is running.
    func once(_ key: String, _ work: @escaping @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        if let task = running[key] { return try await task.value }
        let task = Task { try await work() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }

    /// Whether work for `key` is running now.
    func isBusy(_ key: String) -> Bool { running[key] != nil }
}

extension DataStore {
    /// Runs `body` while garbage collection removes no chunk at all (it still prunes versions
    /// and manifests; the chunks they freed go at the first collection after `body`).
    ///
    /// Take the catalog's snapshot inside `body`: every chunk a row of that snapshot names is
    /// on disk when it is taken (collection removes a row before the file, under the same
    /// lock as the hold), and stays there until `body` returns.
    public func holdingAllChunks<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async rethrows -> T {
        pins.holdAll()
        defer { pins.releaseAll() }
        return try await body()
    }
}

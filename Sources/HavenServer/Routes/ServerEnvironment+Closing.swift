import Logging

extension ServerEnvironment {
    /// The last step of a shutdown, once the services have stopped: the indexer (an unstructured
    /// worker no service waits for) is stopped first, then the catalog is checkpointed and
    /// closed. A read still running when the catalog closes would use a closed SQLite
    /// connection; the soak found the server dying of it on SIGTERM.
    public func close() async throws {
        await indexer.stop()
        do {
            try indexer.vectors.save()
        } catch {
            Logger(label: "haven.index").warning("cannot save the vector index; the next start rebuilds it", metadata: ["error": "\(error)"])
        }
        try catalog.close()
    }
}

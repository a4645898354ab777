extension LedgerLog {
    /// Runs `body` while no append or cosigned publication can change the log's files, so
    /// what it reads is one consistent state: the checkpoint and every file the checkpoint
    /// covers. `body` runs on the log's executor; keep it short (appends wait for it).
    public func withFilesUnchanged<T: Sendable>(_ body: @Sendable (LedgerFiles) throws -> T) throws -> T {
        try body(files)
    }
}

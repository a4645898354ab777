import ServiceLifecycle

/// Every `interval` (`ledger.witness_interval`), until the server shuts down: anchors the
/// audit log's head in the ledger, checks the logs this server witnesses, and pushes this log's
/// checkpoint to its witnesses.
struct WitnessLoop: Service {
    let witnesses: WitnessService
    let anchoring: AuditAnchoring
    let interval: Duration

    func run() async throws {
        // Ends quietly at graceful shutdown: the sleep is cancelled, and so is the loop.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                _ = try? await anchoring.anchor()
                _ = await witnesses.checkAll()
                await witnesses.push()
            }
        }
    }
}

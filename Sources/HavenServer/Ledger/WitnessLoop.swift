import ServiceLifecycle

/// Checks the logs this server witnesses, and retries pushing this log's checkpoint to its
/// witnesses, every `interval` (`ledger.witness_interval`), until the server shuts down.
struct WitnessLoop: Service {
    let witnesses: WitnessService
    let interval: Duration

    func run() async throws {
        // Ends quietly at graceful shutdown: the sleep is cancelled, and so is the loop.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                _ = await witnesses.checkAll()
                await witnesses.push()
            }
        }
    }
}

import ServiceLifecycle

/// Probes upstreams that failed (`GET …/models`) every few seconds until shutdown, so one that
/// is back is first in line again before its cooldown ends. (A service that returned early would
/// end the whole group, so it runs even without upstreams; a probe of none is nothing.)
struct UpstreamHealthCheck: Service {
    let upstreams: UpstreamModels
    var interval: Duration = .seconds(10)

    func run() async throws {
        // Ends quietly at graceful shutdown: the sleep is cancelled, and so is the loop.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await upstreams.probe()
            }
        }
    }
}

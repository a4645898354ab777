import HavenInference
import Logging
import ServiceLifecycle

/// Unloads models whose keep-alive has passed, checking every few seconds until shutdown.
struct ModelReaper: Service {
    let models: LoadedModels
    var interval: Duration = .seconds(5)

    func run() async throws {
        // Ends quietly at graceful shutdown: the sleep is cancelled, and so is the loop.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await models.unloadIdle()
            }
        }
    }
}

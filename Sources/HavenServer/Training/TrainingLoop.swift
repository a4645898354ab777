import ServiceLifecycle

/// Runs the training queue while the server runs; on shutdown the running trainer checkpoints
/// and its job stays queued, to resume at the next start.
struct TrainingLoop: Service {
    let jobs: TrainingJobs

    func run() async throws {
        await withGracefulShutdownHandler {
            await jobs.run()
        } onGracefulShutdown: {
            Task { await jobs.shutdown() }
        }
    }
}

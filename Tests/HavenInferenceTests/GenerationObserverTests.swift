import Foundation
import Logging
import Synchronization
import Testing

@testable import HavenInference

/// What an engine tells its observer (the server's metrics), with the real default model.
@Suite struct GenerationObserverTests {
    /// The reports received, shared with the observer closure.
    final class Reports: Sendable {
        let received = Mutex<[GenerationReport]>([])
        func withLock<T>(_ body: (inout [GenerationReport]) -> T) -> T { received.withLock { body(&$0) } }
    }

    @Test func eachFinishedGenerationIsReportedBeforeItsCallerHearsOfIt() async throws {
        let reports = Reports()
        var configuration = EngineConfiguration()
        configuration.parallel = 2
        configuration.contextPerSequence = 1024
        let engine = try InferenceEngine(
            name: "observed", path: InferenceEngineTests.modelPath(), configuration: configuration,
            logger: Logger(label: "test"), observer: { report in reports.withLock { $0.append(report) } })
        let request = try InferenceEngineTests.greedy(engine, "What is the capital of France?", maxTokens: 8)

        let clock = ContinuousClock()
        let start = clock.now
        let (_, first) = try await engine.generate(request).collect()
        let elapsed = clock.now - start
        #expect(reports.withLock { $0.count } == 1, "reported by the time the summary arrived")
        let report = try #require(reports.withLock { $0.first })
        #expect(report.model == "observed")
        #expect(report.summary == first)
        let firstToken = try #require(report.timeToFirstToken)
        #expect(firstToken > .zero && firstToken <= elapsed)

        // The same prompt again reuses its cached prefix, and says so.
        let (_, second) = try await engine.generate(request).collect()
        #expect(reports.withLock { $0.map(\.summary) } == [first, second])
        #expect(second.cachedPromptTokens > 0)

        let counters = engine.currentCounters
        #expect(counters.running == 0 && counters.waiting == 0)
        #expect(counters.kvCacheTokens >= request.prompt.count, "the prompt stays cached for the next request")
        #expect(counters.kvCacheTokens <= configuration.parallel * configuration.contextPerSequence)
    }
}

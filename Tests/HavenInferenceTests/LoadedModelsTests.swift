import Logging
import Testing

@testable import HavenInference

@Suite struct LoadedModelsTests {
    static func models(budget: Int64? = nil, keepAlive: Duration? = .seconds(300)) -> LoadedModels {
        var configuration = EngineConfiguration()
        configuration.parallel = 2
        configuration.contextPerSequence = 512
        return LoadedModels(configuration: configuration, memoryBudget: budget, keepAlive: keepAlive, logger: Logger(label: "test"))
    }

    @Test func anIdleModelIsUnloadedOnlyAfterItsKeepAlive() async throws {
        let models = Self.models()
        let start = ContinuousClock.now
        _ = try await models.engine(name: "a", path: InferenceEngineTests.modelPath(), now: start)
        #expect(await models.unloadIdle(now: start + .seconds(299)) == [])
        #expect(await models.loaded().map(\.name) == ["a"])
        #expect(await models.unloadIdle(now: start + .seconds(300)) == ["a"])
        #expect(await models.loaded().isEmpty)
    }

    @Test func aRequestsKeepAliveOverridesTheDefault() async throws {
        let models = Self.models()
        let start = ContinuousClock.now
        let path = try InferenceEngineTests.modelPath()
        _ = try await models.engine(name: "forever", path: path, keepAlive: .forever, now: start)
        _ = try await models.engine(name: "brief", path: path, keepAlive: .duration(.zero), now: start)
        #expect(await models.unloadIdle(now: start + .seconds(86_400)) == ["brief"])
        #expect(await models.loaded().map(\.name) == ["forever"])
    }

    @Test func aBusyModelStaysLoaded() async throws {
        let models = Self.models()
        let start = ContinuousClock.now
        let engine = try await models.engine(name: "a", path: InferenceEngineTests.modelPath(), now: start)
        let stream = try await engine.generate(InferenceEngineTests.greedy(engine, "Write a long poem.", maxTokens: 400))
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        #expect(await models.unloadIdle(now: start + .seconds(3_600)) == [])
        _ = consume iterator
    }

    @Test func theMemoryBudgetEvictsIdleModelsAndRefusesWhatCannotFit() async throws {
        let path = try InferenceEngineTests.modelPath()
        let size = try GGUFFile(path: path).estimatedMemory(contextTokens: 2 * 512)
        #expect(size > 98_000_000)
        // Room for one model: loading a second evicts the idle first.
        let models = Self.models(budget: size + size / 2)
        let first = try await models.engine(name: "first", path: path)
        _ = try await models.engine(name: "second", path: path)
        #expect(await models.loaded().map(\.name) == ["second"])
        _ = first
        // A budget smaller than one model refuses it with the figures.
        let tiny = Self.models(budget: size / 2)
        await #expect(throws: InferenceError.memoryBudgetExceeded(model: "x", needed: size, available: size / 2)) {
            try await tiny.engine(name: "x", path: path)
        }
    }
}

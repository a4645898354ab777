import Foundation
import Testing

@testable import HavenInference

/// Perplexity as the training jobs' evaluation computes it, on the real default model.
@Suite struct PerplexityTests {
    static let sentence = "The cat sat on the mat and looked out of the window at the rain falling on the garden."

    @Test func ordinaryTextIsLessSurprisingThanTheSameWordsReversed() async throws {
        let engine = try InferenceEngineTests.makeEngine(parallel: 1)
        let reversed = Self.sentence.split(separator: " ").reversed().joined(separator: " ")
        let plain = try await engine.perplexity(of: [engine.tokenize(Self.sentence)])
        let shuffled = try await engine.perplexity(of: [engine.tokenize(reversed)])
        // Every token after the first is scored.
        #expect(plain.tokens == engine.tokenize(Self.sentence).count - 1)
        let plainValue = try #require(plain.value)
        let shuffledValue = try #require(shuffled.value)
        #expect(plainValue > 1 && plainValue < shuffledValue)
    }

    @Test func windowsScoreEveryTokenButEachWindowsFirstAndTheSameTextScoresTheSame() async throws {
        let engine = try InferenceEngineTests.makeEngine(parallel: 1)
        let tokens = engine.tokenize(String(repeating: Self.sentence + " ", count: 6))
        let whole = try await engine.perplexity(of: [tokens], window: 256)
        let windowed = try await engine.perplexity(of: [tokens], window: 32)
        #expect(whole.tokens == tokens.count - 1)
        #expect(windowed.tokens == tokens.count - (tokens.count + 31) / 32)
        #expect(try await engine.perplexity(of: [tokens], window: 256) == whole)
        // Groups measured together are measured as each alone.
        #expect(try await engine.perplexities(of: [[tokens], [tokens]], window: 32) == [windowed, windowed])
        #expect(try await engine.perplexity(of: [[1]]) == Perplexity())
    }
}

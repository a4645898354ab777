import Foundation
import Testing

@testable import HavenInference

/// Perplexity as the training jobs' evaluation computes it, on the real default model.
@Suite struct PerplexityTests {
    static let sentence = "The cat sat on the mat and looked out of the window at the rain falling on the garden."

    @Test func ordinaryTextIsLessSurprisingThanTheSameWordsShuffled() async throws {
        let engine = try InferenceEngineTests.makeEngine(parallel: 1)
        var words = Self.sentence.split(separator: " ")
        var generator = SeededGenerator(seed: 3)
        words.shuffle(using: &generator)
        let plain = try await engine.perplexity(of: [engine.tokenize(Self.sentence)])
        let shuffled = try await engine.perplexity(of: [engine.tokenize(words.joined(separator: " "))])
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
        #expect(try await engine.perplexity(of: [[1]]) == Perplexity())
    }
}

/// A small deterministic generator (SplitMix64) for shuffles that are the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

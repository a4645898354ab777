import Foundation
import Testing

@testable import HavenInference

@Suite struct LogSoftmaxTests {
    static func summarize(_ logits: [Float], index: Int, top: Int) -> (logprob: Double, top: [(index: Int, logprob: Double)]) {
        logits.withUnsafeBufferPointer { LogSoftmax.summarize($0, index: index, top: top) }
    }

    @Test func probabilitiesSumToOneAndAreAtMostZero() {
        let logits: [Float] = [2, -1, 0.5, 7, 7, -30, 3]
        let all = Self.summarize(logits, index: 0, top: logits.count).top
        #expect(all.count == logits.count)
        #expect(all.allSatisfy { $0.logprob <= 0 })
        #expect(abs(all.map { exp($0.logprob) }.reduce(0, +) - 1) < 1e-6)
    }

    @Test func theTopIsSortedAndTiesKeepTheLowerIndex() {
        let logits: [Float] = [1, 5, 3, 5, -2, 4]
        let top = Self.summarize(logits, index: 2, top: 3).top
        #expect(top.map(\.index) == [1, 3, 5])
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
    }

    @Test func theChosenTokensLogprobEqualsItsEntryInTheTop() {
        let logits: [Float] = [0.3, 1.7, -0.4, 2.2]
        let summary = Self.summarize(logits, index: 1, top: 2)
        #expect(summary.top.first { $0.index == 1 }?.logprob == summary.logprob)
        let expected = 1.7 - log([0.3, 1.7, -0.4, 2.2].map { exp(Double($0)) }.reduce(0, +))
        #expect(abs(summary.logprob - expected) < 1e-5)
    }

    @Test func hugeLogitsDoNotOverflow() {
        let summary = Self.summarize([1000, 999, -1000], index: 0, top: 0)
        #expect(summary.top.isEmpty)
        #expect(abs(summary.logprob - (-log(1 + exp(-1.0)))) < 1e-5)
    }
}

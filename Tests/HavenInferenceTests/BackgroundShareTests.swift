import Testing

@testable import HavenInference

@Suite struct BackgroundShareTests {
    @Test func theFirstBackgroundInputRunsAtOnce() {
        #expect(BackgroundShare().backgroundMayRun)
    }

    @Test func aBackgroundInputWaitsUntilGenerationsHadThreeTimesItsTime() {
        var share = BackgroundShare(fraction: 0.25)
        share.ranBackground(.milliseconds(300))
        #expect(!share.backgroundMayRun)
        share.ranForeground(.milliseconds(600))
        #expect(!share.backgroundMayRun)
        share.ranForeground(.milliseconds(299))
        #expect(!share.backgroundMayRun)
        share.ranForeground(.milliseconds(1))
        #expect(share.backgroundMayRun)
    }

    @Test func overManyTurnsTheBackgroundGetsItsFractionAndNoMore() {
        var share = BackgroundShare(fraction: 0.25)
        var background = 0
        for _ in 0..<10_000 {
            if share.backgroundMayRun {
                share.ranBackground(.milliseconds(50))
                background += 50
            } else {
                share.ranForeground(.milliseconds(10))
            }
        }
        let fraction = share.background / (share.background + share.foreground)
        #expect(fraction <= 0.25 + 0.01 && fraction >= 0.24, "background got \(fraction)")
        #expect(abs(Double(background) / 1000 - share.background) < 1e-6)
    }
}

import HavenMarket
import Testing

@Suite("SplitMix64")
struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func drawsStayInRange() {
        var random = SplitMix64(seed: 7)
        for bound in [1, 2, 3, 10, 1_000, Int.max] {
            for _ in 0..<200 {
                #expect((0..<bound).contains(random.nextIndex(below: bound)))
            }
        }
        for _ in 0..<1_000 {
            #expect((0..<1).contains(random.nextUnit()))
        }
    }

    @Test func shuffleIsAPermutation() {
        var random = SplitMix64(seed: 9)
        var items = Array(0..<100)
        random.shuffle(&items)
        #expect(items.sorted() == Array(0..<100))
        #expect(items != Array(0..<100))
    }
}

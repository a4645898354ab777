import Testing
import Foundation
import HavenMarket

/// Prints encode/decode speed for a 64 MiB object under 3-of-4; informative only, never asserted,
/// since CI machines vary; best of three runs. Decode loses data shard 0, so it does real GF arithmetic.
@Suite("ErasureCode throughput")
struct ErasureCodeThroughputTests {
    @Test("3-of-4 at 64 MiB: report MB/s")
    func reportThroughput() throws {
        let code = try ErasureCode(dataShards: 3, totalShards: 4)
        let data = randomBytes(64 << 20, seed: 64)
        let clock = ContinuousClock()
        let survivors = Dictionary(
            uniqueKeysWithValues: code.encode(data).dropFirst().map { ($0.index, $0.bytes) })
        // Best of three: the first pass mostly measures the kernel faulting in fresh pages.
        var encode = Duration.seconds(1_000), decode = Duration.seconds(1_000)
        var decoded: [UInt8] = []
        for _ in 0..<3 {
            encode = min(encode, clock.measure { _ = code.encode(data) })
            decode = min(decode, try clock.measure { decoded = try code.decode(survivors, originalLength: data.count) })
        }
        #expect(decoded == data)
        let megabytes = Double(data.count) / 1_000_000
        func rate(_ d: Duration) -> String {
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            return String(format: "%.0f MB/s", megabytes / seconds)
        }
        print("ErasureCode 3-of-4, 64 MiB: encode \(rate(encode)), decode without shard 0 \(rate(decode))")
    }
}

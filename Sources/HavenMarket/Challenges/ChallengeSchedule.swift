import Crypto
import Foundation

/// When in a period the consumer challenges: `count` moments drawn from HMAC-SHA256 keyed by
/// the root of the first witnessed checkpoint of that period, so the provider cannot know them
/// before the period has started and that checkpoint exists — it cannot fetch a shard back
/// just in time. Moments fall in the first `periodSeconds − answerWindow` seconds, so every
/// answer is due within the period.
public enum ChallengeSchedule {
    static let domain = Array("haven-challenge-time/v1\n".utf8)

    /// The moments of `period`'s challenges, in order, each with its sequence number (the
    /// `sequence` that ``StorageChallenge`` derives the leaf from).
    public static func moments(
        contract: ContractID, period: UInt64, periodStart: Date, periodSeconds: UInt64, answerWindow: UInt64, count: UInt64,
        checkpointRoot: [UInt8]
    ) -> [(sequence: UInt64, at: Date)] {
        guard count > 0, periodSeconds > answerWindow else { return [] }
        let span = periodSeconds - answerWindow
        var moments: [(sequence: UInt64, at: Date)] = []
        moments.reserveCapacity(Int(min(count, 1 << 20)))
        for sequence in 0..<count {
            var message = domain
            message += Array(contract.description.utf8)
            message.append(0x0A)
            withUnsafeBytes(of: period.bigEndian) { message += $0 }
            withUnsafeBytes(of: sequence.bigEndian) { message += $0 }
            let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: checkpointRoot))
            let word = Array(mac).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            // Milliseconds, so many challenges in a short period still spread out.
            let offset = Double(word % (span * 1000)) / 1000
            moments.append((sequence, periodStart + offset))
        }
        return moments.sorted { $0.at < $1.at }
    }
}

import Crypto
import Foundation
import HavenLedger

/// One storage challenge: "send leaf N of the shard of this contract before the deadline",
/// where N is derived from a witnessed checkpoint the provider could not know in advance.
///
/// The leaf index is `HMAC-SHA256(key: checkpoint root hash, message: domain ‖ contract id ‖
/// period ‖ sequence)`, its first 8 bytes big-endian, modulo the leaf count. A provider cannot
/// predict it before the checkpoint exists: the root hash commits to log entries appended up to
/// that moment (other servers' records among them), so it is unknown until the log signs it,
/// and witnesses cosigning the checkpoint keep the log from showing a provider one tree and the
/// consumer another. Without the seed the HMAC output is unpredictable, so a provider that
/// dropped a fraction f of the leaves fails each challenge with probability f, and cannot keep
/// "just the leaves that will be asked". The consumer must pick a checkpoint newer than the
/// moment it committed to challenge (fresh), from a log the provider does not run, otherwise a
/// log operator colluding with the provider could grind entries for a convenient root. The modulo
/// bias is below leafCount / 2^64, negligible for any shard.
public struct StorageChallenge: Sendable, Hashable {
    /// Prefixes the HMAC message so the derivation cannot collide with another use of the root.
    public static let derivationDomain = Array("haven-storage-challenge/v1\n".utf8)

    public let contract: ContractID
    /// The contract period the challenge belongs to.
    public let period: UInt64
    /// The challenge's number within its period, from 0.
    public let sequence: UInt64
    /// The checkpoint whose root seeds the challenge (origin, size and root; extension lines
    /// play no part and are dropped).
    public let seed: Checkpoint
    /// The number of leaves of the challenged shard.
    public let leafCount: UInt64
    /// The latest moment an answer counts; whole seconds.
    public let deadline: Date
    /// The leaf the provider must produce.
    public let leafIndex: UInt64

    /// A challenge for a shard of `leafCount` leaves (at least one).
    public init(
        contract: ContractID, period: UInt64, sequence: UInt64, seed: Checkpoint, leafCount: UInt64, deadline: Date
    ) throws(ChallengeError) {
        guard leafCount > 0 else { throw .emptyShard }
        self.contract = contract
        self.period = period
        self.sequence = sequence
        // The origin and root were valid in `seed`, so the checkpoint without extensions is too.
        self.seed = try! Checkpoint(origin: seed.origin, size: seed.size, rootHash: seed.rootHash)
        self.leafCount = leafCount
        self.deadline = Date(timeIntervalSince1970: deadline.timeIntervalSince1970.rounded(.down))
        self.leafIndex = Self.derive(
            contract: contract, period: period, sequence: sequence, checkpointRoot: seed.rootHash, leafCount: leafCount)
    }

    /// The challenged leaf index for these inputs; `leafCount` must be positive.
    public static func derive(
        contract: ContractID, period: UInt64, sequence: UInt64, checkpointRoot: [UInt8], leafCount: UInt64
    ) -> UInt64 {
        precondition(leafCount > 0, "a challenge needs a shard of at least one leaf")
        var message = derivationDomain
        message += Array(contract.description.utf8)
        message.append(0x0A)
        withUnsafeBytes(of: period.bigEndian) { message += $0 }
        withUnsafeBytes(of: sequence.bigEndian) { message += $0 }
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: checkpointRoot))
        let word = Array(mac).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return word % leafCount
    }
}

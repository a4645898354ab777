import Foundation
import HavenIdentity
import Hummingbird

/// Body of `GET /haven/status`.
public struct StatusResponse: Codable, Sendable, ResponseEncodable {
    public let name: String
    public let version: String
    /// The owner's `did:key`.
    public let owner: DID
    public let startedAt: Date
    public let uptimeSeconds: Double
    /// Models in memory and what their engines are doing.
    public let models: [LoadedModel]
    /// The ledger: this log's size, witnessing both ways, and split views found.
    public let ledger: LedgerStatus

    /// The ledger at a glance.
    public struct LedgerStatus: Codable, Sendable {
        /// Entries in this server's log.
        public let entries: UInt64
        /// Logs this server witnesses.
        public let witnessing: Int
        /// Witnesses of this server's log.
        public let witnesses: Int
        /// Evidence kept of logs that contradicted themselves (split views and rollbacks).
        public let splitViews: Int

        enum CodingKeys: String, CodingKey {
            case entries, witnessing, witnesses
            case splitViews = "split_views"
        }
    }

    /// One loaded model's engine.
    public struct LoadedModel: Codable, Sendable {
        public let name: String
        /// Generations holding a sequence now.
        public let running: Int
        /// Generations waiting for a sequence.
        public let waiting: Int
        /// Tokens sampled since the model was loaded.
        public let sampledTokens: Int

        enum CodingKeys: String, CodingKey {
            case name, running, waiting
            case sampledTokens = "sampled_tokens"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, version, owner, models, ledger
        case startedAt = "started_at"
        case uptimeSeconds = "uptime_seconds"
    }
}

/// Body of `GET /haven/whoami`: the caller as the server sees it.
public struct WhoAmIResponse: Codable, Sendable, ResponseEncodable {
    public let principal: Principal
    /// Name of the token the request used.
    public let token: String
    /// The owner of this server.
    public let owner: DID
}

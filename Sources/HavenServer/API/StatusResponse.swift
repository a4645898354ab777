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
    /// Requests refused before authentication and clients throttled for them; shown to the
    /// owner only.
    public let authentication: AuthenticationStatus?

    public init(
        name: String, version: String, owner: DID, startedAt: Date, uptimeSeconds: Double, models: [LoadedModel],
        ledger: LedgerStatus, authentication: AuthenticationStatus? = nil
    ) {
        self.name = name
        self.version = version
        self.owner = owner
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.models = models
        self.ledger = ledger
        self.authentication = authentication
    }

    /// Requests refused before a caller was established, since the server started.
    public struct AuthenticationStatus: Codable, Sendable, Equatable {
        /// All of them, whatever the kind.
        public let denied: Int
        /// By kind: `missing`, `malformed`, `unknown`, `revoked`, `session`, `login_code`,
        /// `capability`, `signature`, `cross_site` (kinds not seen are left out).
        public let deniedByKind: [String: Int]
        /// Requests answered 429 because their client was throttled.
        public let throttledRequests: Int
        /// Client addresses throttled now.
        public let throttledClients: Int
        /// The latest throttlings, newest first (at most 10), ended or not.
        public let recentThrottles: [Throttle]

        /// One client throttled: from when, until when, after how many failures.
        public struct Throttle: Codable, Sendable, Equatable {
            /// An IPv4 address, or an IPv6 /64.
            public let client: String
            public let startedAt: Date
            public let until: Date
            public let failures: Int

            enum CodingKeys: String, CodingKey {
                case client, until, failures
                case startedAt = "started_at"
            }
        }

        /// One line for people: `denied before authentication: 8 (unknown 5, malformed 2,
        /// revoked 1); throttled clients: 1`, kinds by count, most first.
        public var summary: String {
            let kinds = deniedByKind.filter { $0.value > 0 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            let detail = kinds.isEmpty ? "" : " (" + kinds.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
            return "denied before authentication: \(denied)\(detail); throttled clients: \(throttledClients)"
        }

        enum CodingKeys: String, CodingKey {
            case denied
            case deniedByKind = "denied_by_kind"
            case throttledRequests = "throttled_requests"
            case throttledClients = "throttled_clients"
            case recentThrottles = "recent_throttles"
        }
    }

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
        case name, version, owner, models, ledger, authentication
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

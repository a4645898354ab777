/// The result of walking the audit log: how many entries checked out, and the first one that
/// did not, if any.
public struct AuditVerification: Sendable, Equatable, Codable {
    public let entries: Int64
    /// The newest entry anchored in the ledger, when an anchor was checked.
    public let anchored: Int64?
    /// The first altered, missing or misplaced entry.
    public let problem: Problem?

    public var isIntact: Bool { problem == nil }

    /// Where the chain breaks and how.
    public struct Problem: Sendable, Equatable, Codable {
        public let sequence: Int64
        public let reason: String
    }

    enum CodingKeys: String, CodingKey {
        case entries, problem, anchored
        case isIntact = "intact"
    }

    public init(entries: Int64, anchored: Int64? = nil, problem: Problem?) {
        self.entries = entries
        self.anchored = anchored
        self.problem = problem
    }

    /// The same result, noting the anchor checked.
    func anchored(_ sequence: Int64?) -> AuditVerification {
        AuditVerification(entries: entries, anchored: sequence, problem: problem)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries = try container.decode(Int64.self, forKey: .entries)
        problem = try container.decodeIfPresent(Problem.self, forKey: .problem)
        anchored = try container.decodeIfPresent(Int64.self, forKey: .anchored)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(problem, forKey: .problem)
        try container.encode(anchored, forKey: .anchored)
        try container.encode(isIntact, forKey: .isIntact)
    }
}

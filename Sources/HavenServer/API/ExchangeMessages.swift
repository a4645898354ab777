import HavenExchange

// Wire types of the exchange API, shared with the CLI.

/// Body of `POST /haven/peers`.
public struct AddPeerRequest: Codable, Sendable {
    public init(url: String, name: String? = nil, capabilities: [String]? = nil) {
        self.url = url
        self.name = name
        self.capabilities = capabilities
    }

    public let url: String
    public let name: String?
    /// Capability tokens this peer issued to this server.
    public let capabilities: [String]?
}

/// Body of `POST /haven/peers/{name}/capabilities`.
public struct AddCapabilityRequest: Codable, Sendable {
    public init(token: String) {
        self.token = token
    }

    public let token: String
}

/// Answer of `GET /haven/peers`.
public struct PeerList: Codable, Sendable {
    public let peers: [Peer]
}

/// Answer of `GET /haven/peers/{name}/capabilities`.
public struct HeldCapabilityList: Codable, Sendable {
    public let capabilities: [HeldCapability]
}

/// Body of `POST /haven/pulls`.
public struct StartPullRequest: Codable, Sendable {
    public init(source: String, destination: String, from: [String]? = nil, capability: String? = nil, purpose: String? = nil) {
        self.source = source
        self.destination = destination
        self.from = from
        self.capability = capability
        self.purpose = purpose
    }

    /// `PEER:/path`.
    public let source: String
    public let destination: String
    /// More sources: `PEER` (same path) or `PEER:/path`.
    public let from: [String]?
    /// A capability token the source peer issued to this server, kept for this and later pulls.
    public let capability: String?
    /// The purpose stated to the sources (a DPV term such as `dpv:ResearchAndDevelopment`), for
    /// content licensed for particular purposes.
    public let purpose: String?
}

/// A pull's id and progress.
public struct PullStatus: Codable, Sendable {
    public let id: String
    public let report: PullReport

    init(id: String, report: PullReport) {
        self.id = id
        self.report = report
    }

    public init(from decoder: any Decoder) throws {
        report = try PullReport(from: decoder)
        id = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .id)
    }

    public func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: .id)
    }

    enum Key: String, CodingKey { case id }
}

/// Body of `POST /haven/mirrors`.
public struct AddMirrorRequest: Codable, Sendable {
    public init(source: String, destination: String, capability: String? = nil) {
        self.source = source
        self.destination = destination
        self.capability = capability
    }

    public let source: String
    public let destination: String
    public let capability: String?
}

/// Answer of `GET /haven/mirrors`.
public struct MirrorList: Codable, Sendable {
    public let mirrors: [Mirror]
}

/// Body of `POST /haven/messages`.
public struct SendMessageRequest: Codable, Sendable {
    public init(to: String, subject: String? = nil, text: String? = nil, attach: [String]? = nil) {
        self.to = to
        self.subject = subject
        self.text = text
        self.attach = attach
    }

    public let to: String
    public let subject: String?
    public let text: String?
    /// Paths of files to attach.
    public let attach: [String]?
}

/// Answer of `POST /haven/messages`.
public struct SentMessage: Codable, Sendable {
    public let id: String
    public let to: String
    /// Where the peer stored it.
    public let path: String
    public let duplicate: Bool
}

/// Answer of `GET /haven/inbox`.
public struct InboxList: Codable, Sendable {
    public let messages: [ReceivedMessage]
}

/// Answer of `POST /exchange/v1/inbox` (202).
public struct InboxReceipt: Codable, Sendable {
    public let id: String
    public let path: String
    /// True when the same message had arrived before.
    public let duplicate: Bool
}

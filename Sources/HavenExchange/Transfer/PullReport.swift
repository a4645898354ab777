import Foundation
import HavenStore

/// How a pull is going, or how it went: what `GET /haven/pulls/{id}` and the CLI's progress
/// bar show.
public struct PullReport: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        case listing, fetching, done, failed
    }

    public var state: State = .listing
    public var filesTotal = 0
    /// Files made new versions here.
    public var filesReceived = 0
    /// Files whose current version here already was the peer's.
    public var filesUnchanged = 0
    public var bytesTotal: Int64 = 0
    /// Bytes of verified chunks received over the network.
    public var bytesFetched: Int64 = 0
    /// Chunks the files need that were not here yet.
    public var chunksNeeded = 0
    /// Chunks received and verified.
    public var chunksFetched = 0
    /// Chunks already here (earlier pulls, an interrupted attempt, other files).
    public var chunksPresent = 0
    /// Blocks thrown away because they did not hash to their CID, by source peer.
    public var rejectedBlocks: [String: Int] = [:]
    /// Why it failed, when it did.
    public var error: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case state, error
        case filesTotal = "files_total"
        case filesReceived = "files_received"
        case filesUnchanged = "files_unchanged"
        case bytesTotal = "bytes_total"
        case bytesFetched = "bytes_fetched"
        case chunksNeeded = "chunks_needed"
        case chunksFetched = "chunks_fetched"
        case chunksPresent = "chunks_present"
        case rejectedBlocks = "rejected_blocks"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encode(filesTotal, forKey: .filesTotal)
        try container.encode(filesReceived, forKey: .filesReceived)
        try container.encode(filesUnchanged, forKey: .filesUnchanged)
        try container.encode(bytesTotal, forKey: .bytesTotal)
        try container.encode(bytesFetched, forKey: .bytesFetched)
        try container.encode(chunksNeeded, forKey: .chunksNeeded)
        try container.encode(chunksFetched, forKey: .chunksFetched)
        try container.encode(chunksPresent, forKey: .chunksPresent)
        try container.encode(rejectedBlocks, forKey: .rejectedBlocks)
        try container.encode(error, forKey: .error)
    }
}

/// The live report of a running pull, updated by its workers and read by whoever watches.
public actor PullProgress {
    public private(set) var report = PullReport()

    public init() {}

    func update(_ change: (inout PullReport) -> Void) {
        change(&report)
    }
}

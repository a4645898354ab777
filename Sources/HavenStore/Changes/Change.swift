import Foundation

/// One entry of the store's change feed: a version of a path was made (a write or a deletion).
///
/// Sequence numbers grow by one with every version the store records, in commit order, and are
/// never reused; with the feed id (``ChangePage/feedID``) they let a follower resume exactly
/// where it stopped.
public struct Change: Sendable, Equatable {
    /// The position in the feed.
    public let sequence: Int64
    /// The version the change made.
    public let version: FileVersion

    public init(sequence: Int64, version: FileVersion) {
        self.sequence = sequence
        self.version = version
    }
}

/// A stretch of the change feed: the changes after a cursor, and where the next read starts.
public struct ChangePage: Sendable, Equatable {
    /// Identifies this store's sequence: it changes if the sequence is ever reset, so a follower
    /// holding a cursor of another feed knows to start over.
    public let feedID: String
    /// The changes in order (already filtered by the caller's predicate).
    public let changes: [Change]
    /// The sequence to ask after next time: the last one examined, filtered out or not.
    public let next: Int64
    /// The newest sequence the store has; `next == latest` means caught up.
    public let latest: Int64
}

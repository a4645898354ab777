import HavenStore

/// Why a CARv1 stream could not be read. After any of these the stream is unusable: ask the
/// sender again rather than reading on.
public enum CARError: Error, Equatable, Sendable {
    /// Which part of the stream a truncation cut.
    public enum Part: Sendable, Equatable {
        /// The header, with the roots.
        case header
        /// A block section.
        case block
    }

    /// A section length prefix runs past ten bytes or past 2⁶⁴ − 1.
    case lengthPrefixTooLong
    /// A section length prefix is not written in the fewest bytes (it ends in a zero byte).
    case lengthPrefixNotMinimal
    /// The header says it has `length` bytes, more than the reader's limit.
    case headerTooLarge(length: UInt64, limit: Int)
    /// A block section says it has `length` bytes (id and block), more than the reader's limit.
    case blockTooLarge(length: UInt64, limit: Int)
    /// A block section has length zero: no id, no block.
    case emptySection
    /// The header is not the DAG-CBOR map `{"roots": [links…], "version": 1}`.
    case malformedHeader(reason: String)
    /// The header names a CAR version other than 1.
    case unsupportedVersion(UInt64)
    /// A root in the header is not a content id Haven accepts.
    case invalidRoot(ContentError)
    /// A block section does not start with a content id Haven accepts.
    case invalidBlockID(ContentError)
    /// The stream ended inside `part`, after `received` of its `expected` bytes; `expected` is
    /// `nil` when it ended inside the section's length prefix (or, with nothing received,
    /// before the header).
    case truncated(Part, received: Int, expected: Int?)
    /// `finish()` found `byteCount` bytes that make up whole sections nobody read.
    case unreadData(byteCount: Int)
}

extension CARError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .lengthPrefixTooLong:
            "a CAR section length is longer than ten bytes; the stream is not a CAR or is corrupt"
        case .lengthPrefixNotMinimal:
            "a CAR section length is not written in the fewest bytes; the sender's CAR writer is not canonical"
        case .headerTooLarge(let length, let limit):
            "the CAR header says it has \(length) bytes, over the limit of \(limit); the stream is not a CAR or is corrupt"
        case .blockTooLarge(let length, let limit):
            "a CAR block section says it has \(length) bytes, over the limit of \(limit); ask for smaller blocks"
        case .emptySection:
            "a CAR block section has length zero (CARv2 padding is not supported); send a CARv1 stream"
        case .malformedHeader(let reason):
            "the CAR header is not {\"roots\": [...], \"version\": 1} in DAG-CBOR: \(reason)"
        case .unsupportedVersion(let version):
            "CAR version \(version) is not supported; send CARv1"
        case .invalidRoot(let error):
            "a root in the CAR header is not usable: \(error)"
        case .invalidBlockID(let error):
            "a CAR block has an id that is not usable: \(error)"
        case .truncated(let part, let received, let expected):
            Self.truncationMessage(part: part, received: received, expected: expected)
                + "; the sender stopped early or the connection dropped"
        case .unreadData(let byteCount):
            "\(byteCount) bytes of whole CAR sections were never read; call nextBlock() until it returns nil before finish()"
        }
    }

    private static func truncationMessage(part: Part, received: Int, expected: Int?) -> String {
        switch (part, expected) {
        case (.header, nil) where received == 0: "the CAR stream ended before its header"
        case (.header, nil): "the CAR stream ended inside the length of its header"
        case (.block, nil): "the CAR stream ended inside the length of a block section"
        case (.header, let expected?): "the CAR stream ended inside its header, after \(received) of \(expected) bytes"
        case (.block, let expected?): "the CAR stream ended inside a block, after \(received) of \(expected) bytes"
        }
    }
}

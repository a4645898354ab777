import HavenStore

/// One block of a CAR stream: the id it was sent under and its bytes, as received. Nothing
/// has checked that they agree; ask ``isValid`` before trusting them.
public struct CARBlock: Sendable, Equatable {
    /// The id the sender put in front of the bytes.
    public let id: ContentID
    /// The block's bytes.
    public let bytes: [UInt8]

    public init(id: ContentID, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }

    /// Whether the SHA-256 of ``bytes`` is the digest in ``id``; a sender that is wrong or
    /// malicious fails this.
    public var isValid: Bool {
        id.matches(bytes)
    }
}

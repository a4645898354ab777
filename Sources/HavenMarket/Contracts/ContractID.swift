import HavenIdentity
import HavenStore

/// The name of a storage contract, the same in every revision: the CID (dag-json) of the
/// canonical JSON `{"consumer":…,"nonce":…,"offer":…}`, so anyone holding a revision can check it
/// and a consumer taking the same offer twice gets two contracts by choosing a new nonce.
public struct ContractID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The content id of the contract's opening triple.
    public let cid: ContentID

    /// Wraps a CID that is known to name a contract.
    public init(_ cid: ContentID) {
        self.cid = cid
    }

    /// Parses the CID string form.
    public init(parsing string: String) throws(ContentError) {
        self.cid = try ContentID(parsing: string)
    }

    /// The id of the contract that `consumer` opens on `offer` with `nonce`.
    public static func deriving(offer: ContentID, consumer: DID, nonce: [UInt8]) -> ContractID {
        let bytes = CanonicalJSON.encode(Opening(consumer: consumer.description, nonce: Base64URL.encode(nonce), offer: offer.description))
        return ContractID(ContentID.hashing(bytes, codec: .dagJSON))
    }

    public var description: String { cid.description }

    public static func < (lhs: ContractID, rhs: ContractID) -> Bool { lhs.cid < rhs.cid }

    private struct Opening: Codable {
        var consumer: String
        var nonce: String
        var offer: String
    }
}

extension ContractID: StringCodable {}

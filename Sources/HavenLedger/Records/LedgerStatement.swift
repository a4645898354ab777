import HavenIdentity
import HavenStore

/// What a ledger record says: one of the four statements about a piece of content.
///
/// Content is named by the CID of its manifest; a policy by the CID of its canonical ODRL
/// JSON; an earlier record by its record id. Records hold ids and DIDs, never file contents.
public enum LedgerStatement: Sendable, Equatable {
    /// `creator` (the issuer) made `content` and owns it; `licence` names a policy it offers.
    case mint(content: ContentID, mediaType: String, title: String, licence: ContentID?)
    /// The current owner (the issuer) gives `content` to `to`; `previous` is the record (a mint
    /// or a transfer) that made the issuer the owner, so the chain can be followed back.
    case transfer(content: ContentID, to: DID, previous: ContentID)
    /// The owner grants `to` the use of `content` under `policy`.
    case licence(content: ContentID, to: DID, policy: ContentID)
    /// The issuer of licence `record` withdraws it.
    case revoke(record: ContentID)

    /// The record type as written: `mint`, `transfer`, `licence` or `revoke`.
    public var kind: String {
        switch self {
        case .mint: "mint"
        case .transfer: "transfer"
        case .licence: "licence"
        case .revoke: "revoke"
        }
    }

    /// The content the statement is about (`nil` for a revocation, which names a record).
    public var content: ContentID? {
        switch self {
        case .mint(let content, _, _, _), .transfer(let content, _, _), .licence(let content, _, _): content
        case .revoke: nil
        }
    }
}

import Foundation
import HavenIdentity
import HavenMarket
import Hummingbird

/// Body of `POST /haven/market/listings`: offer a licence to one file for sale.
public struct CreateListingRequest: Codable, Sendable {
    public let path: String
    /// In micro-credits.
    public let price: Int64
    /// The licence every use must meet: an ODRL policy document (JSON-LD text).
    public let policy: String
    /// `copy` (the default) or `ai` (compute-to-data).
    public let use: SaleUse?
    /// For `ai`: the agent buyers may ask (default `assistant`).
    public let agent: String?
    public let title: String?
    /// How long the seller has to deliver after a purchase (default 1 hour).
    public let deliverySeconds: UInt64?
    /// How long the listing stands (default 30 days).
    public let expiresInSeconds: UInt64?

    public init(
        path: String, price: Int64, policy: String, use: SaleUse? = nil, agent: String? = nil, title: String? = nil,
        deliverySeconds: UInt64? = nil, expiresInSeconds: UInt64? = nil
    ) {
        self.path = path
        self.price = price
        self.policy = policy
        self.use = use
        self.agent = agent
        self.title = title
        self.deliverySeconds = deliverySeconds
        self.expiresInSeconds = expiresInSeconds
    }

    enum CodingKeys: String, CodingKey {
        case path, price, policy, use, agent, title
        case deliverySeconds = "delivery_seconds"
        case expiresInSeconds = "expires_in_seconds"
    }
}

/// A listing, published here or a peer's.
public struct ListingView: Codable, Sendable, ResponseEncodable {
    public let id: String
    public let seller: String
    /// The peer's name, for a peer's listing.
    public let peer: String?
    /// The file sold, for a listing published here.
    public let path: String?
    public let content: String
    public let title: String
    public let price: Int64
    public let use: SaleUse
    public let agent: String?
    public let policyID: String
    /// The licence policy (canonical JSON-LD).
    public let policy: String
    public let deliverySeconds: UInt64
    public let expires: Date
    public let createdAt: Date?
    public let withdrawnAt: Date?
    public let logIndex: UInt64?
    /// The signed listing.
    public let document: String

    init(_ listing: DataListing, policy: [UInt8], peer: String? = nil, published: PublishedListing? = nil) {
        id = listing.id.description
        seller = listing.seller.description
        self.peer = peer
        path = published?.path
        content = listing.terms.content.description
        title = listing.terms.title
        price = listing.terms.price
        use = listing.terms.use
        agent = listing.terms.agent
        policyID = listing.terms.policy.description
        self.policy = String(decoding: policy, as: UTF8.self)
        deliverySeconds = listing.terms.deliverySeconds
        expires = listing.expires
        createdAt = published?.createdAt
        withdrawnAt = published?.withdrawnAt
        logIndex = published?.logIndex
        document = String(decoding: listing.encoded, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case id, seller, peer, path, content, title, price, use, agent, policy, expires, document
        case policyID = "policy_id"
        case deliverySeconds = "delivery_seconds"
        case createdAt = "created_at"
        case withdrawnAt = "withdrawn_at"
        case logIndex = "log_index"
    }
}

/// Body of `GET /haven/market/listings`.
public struct ListingListing: Codable, Sendable, ResponseEncodable {
    public let listings: [ListingView]
    /// With `?peers=true`: peers that could not be asked, with why.
    public let unreachable: [String: String]
}

/// Body of `POST /haven/market/purchases`: buy a peer's listing.
public struct BuyRequest: Codable, Sendable {
    /// The seller: a peer's name.
    public let peer: String
    /// The listing's id.
    public let listing: String
    /// Where the content is delivered here (default `/purchases/PEER/TITLE`).
    public let to: String?
    /// The purpose stated when fetching (a DPV term), for licences that require one.
    public let purpose: String?

    public init(peer: String, listing: String, to: String? = nil, purpose: String? = nil) {
        self.peer = peer
        self.listing = listing
        self.to = to
        self.purpose = purpose
    }
}

/// A purchase made here.
public struct PurchaseView: Codable, Sendable, ResponseEncodable {
    public let id: String
    public let seller: String
    public let peer: String?
    public let listing: String
    public let title: String
    public let content: String
    public let price: Int64
    public let use: SaleUse
    public let state: SaleState
    /// Where the content is delivered here (empty for compute-to-data).
    public let path: String
    public let licence: String?
    public let createdAt: Date
    public let deadline: Date
    public let settledAt: Date?
    public let error: String?
    /// The signed order: the payment and receipt.
    public let order: String

    init(_ record: PurchaseRecord, peer: String?) {
        id = record.purchase.value
        seller = record.listing.seller.description
        self.peer = peer
        listing = record.listing.id.description
        title = record.listing.terms.title
        content = record.listing.terms.content.description
        price = record.order.price
        use = record.listing.terms.use
        state = record.state
        path = record.path
        licence = record.licence?.description
        createdAt = record.createdAt
        deadline = record.deadline
        settledAt = record.settledAt
        error = record.lastError
        order = String(decoding: record.order.encoded, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case id, seller, peer, listing, title, content, price, use, state, path, licence, deadline, error, order
        case createdAt = "created_at"
        case settledAt = "settled_at"
    }
}

/// Body of `GET /haven/market/purchases`.
public struct PurchaseListing: Codable, Sendable, ResponseEncodable {
    public let purchases: [PurchaseView]
    /// Micro-credits paid for purchases not refunded.
    public let spent: Int64
}

/// A sale made here.
public struct SaleView: Codable, Sendable, ResponseEncodable {
    public let id: String
    public let buyer: String
    public let peer: String?
    public let listing: String
    public let content: String
    public let price: Int64
    public let state: SaleState
    public let licence: String
    public let createdAt: Date
    public let deadline: Date
    public let settledAt: Date?

    init(_ record: SaleRecord, peer: String?, content: String) {
        id = record.purchase.value
        buyer = record.order.buyer.description
        self.peer = peer
        listing = record.listing.description
        self.content = content
        price = record.order.price
        state = record.state
        licence = record.licence.description
        createdAt = record.createdAt
        deadline = record.deadline
        settledAt = record.settledAt
    }

    enum CodingKeys: String, CodingKey {
        case id, buyer, peer, listing, content, price, state, licence, deadline
        case createdAt = "created_at"
        case settledAt = "settled_at"
    }
}

/// Body of `GET /haven/market/sales`.
public struct SaleListing: Codable, Sendable, ResponseEncodable {
    public let sales: [SaleView]
    /// Micro-credits earned: sales not refunded.
    public let earned: Int64
    /// Micro-credits returned to buyers.
    public let refunded: Int64
}

/// Body of `POST /haven/market/purchases/{id}/ask`.
public struct AskRequest: Codable, Sendable {
    public let question: String

    public init(question: String) {
        self.question = question
    }
}

/// Answer of `POST /haven/market/purchases/{id}/ask`: the seller's agent's answer, alone.
public struct AskAnswer: Codable, Sendable, ResponseEncodable {
    public let purchase: String
    public let answer: String
}

// MARK: Between servers

/// `GET /exchange/v1/market/listings`: a seller's open listings, each with its policy.
struct PeerListings: Codable, Sendable {
    struct Entry: Codable, Sendable {
        /// The signed listing.
        let listing: String
        /// The policy's canonical JSON, whose CID the listing names.
        let policy: String
    }

    let listings: [Entry]
}

/// `POST /exchange/v1/market/purchases`: a buyer's signed order.
struct PurchaseMessage: Codable, Sendable {
    let order: String
}

/// The seller's answer to an order, the same every time the order is presented.
struct SaleReceipt: Codable, Sendable {
    let purchase: String
    /// The licence record (canonical JSON), in the seller's ledger.
    let licence: String
    /// The capability, bound to the buyer's key, carrying the policy.
    let token: String
    /// The file on the seller the capability covers.
    let path: String
    let state: SaleState
    let deadline: Date
    /// Whether this presentation charged the order (only the first does).
    let charged: Bool
}

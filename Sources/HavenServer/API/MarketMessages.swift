import Foundation
import HavenMarket
import Hummingbird

/// Body of `POST /haven/market/offers`: what storage to offer, at what price. The other terms
/// default to the market's derived parameters (`MarketParameters.default`, see docs/market.md).
public struct CreateOfferRequest: Codable, Sendable {
    public let capacityBytes: UInt64
    /// Micro-credits per GiB per period.
    public let pricePerGiBPerPeriod: Int64
    public let periodSeconds: UInt64?
    public let minimumTermPeriods: UInt64?
    public let collateralPerMille: UInt64?
    public let challengesPerPeriod: UInt64?
    public let holdBackPerMille: UInt64?
    /// How long the offer stands, in seconds (default 30 days).
    public let expiresInSeconds: UInt64?

    public init(
        capacityBytes: UInt64, pricePerGiBPerPeriod: Int64, periodSeconds: UInt64? = nil, minimumTermPeriods: UInt64? = nil,
        collateralPerMille: UInt64? = nil, challengesPerPeriod: UInt64? = nil, holdBackPerMille: UInt64? = nil,
        expiresInSeconds: UInt64? = nil
    ) {
        self.capacityBytes = capacityBytes
        self.pricePerGiBPerPeriod = pricePerGiBPerPeriod
        self.periodSeconds = periodSeconds
        self.minimumTermPeriods = minimumTermPeriods
        self.collateralPerMille = collateralPerMille
        self.challengesPerPeriod = challengesPerPeriod
        self.holdBackPerMille = holdBackPerMille
        self.expiresInSeconds = expiresInSeconds
    }

    enum CodingKeys: String, CodingKey {
        case capacityBytes = "capacity_bytes"
        case pricePerGiBPerPeriod = "price_per_gib_per_period"
        case periodSeconds = "period_seconds"
        case minimumTermPeriods = "minimum_term_periods"
        case collateralPerMille = "collateral_per_mille"
        case challengesPerPeriod = "challenges_per_period"
        case holdBackPerMille = "hold_back_per_mille"
        case expiresInSeconds = "expires_in_seconds"
    }
}

/// A storage offer as the API shows it: its id, the provider, the terms, and the signed document.
public struct OfferView: Codable, Sendable, ResponseEncodable {
    public let id: String
    public let provider: String
    /// The peer's name here, for an offer fetched from a peer.
    public let peer: String?
    public let capacityBytes: UInt64
    public let pricePerGiBPerPeriod: Int64
    public let periodSeconds: UInt64
    public let minimumTermPeriods: UInt64
    public let collateralPerMille: UInt64
    public let challengesPerPeriod: UInt64
    public let holdBackPerMille: UInt64
    public let expiresAt: Date
    /// Its entry in the provider's ledger, for an offer published here.
    public let logIndex: UInt64?
    /// The signed canonical JSON, which anyone can check against the provider's did:key.
    public let document: String

    init(_ offer: StorageOffer, peer: String? = nil, logIndex: UInt64? = nil) {
        id = offer.id.description
        provider = offer.provider.description
        self.peer = peer
        capacityBytes = offer.terms.capacityBytes
        pricePerGiBPerPeriod = offer.terms.pricePerGiBPerPeriod
        periodSeconds = offer.terms.periodSeconds
        minimumTermPeriods = offer.terms.minimumTermPeriods
        collateralPerMille = offer.terms.collateralPerMille
        challengesPerPeriod = offer.terms.challengesPerPeriod
        holdBackPerMille = offer.terms.holdBackPerMille
        expiresAt = offer.expires
        self.logIndex = logIndex
        document = String(decoding: offer.encoded, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case id, provider, peer, document
        case capacityBytes = "capacity_bytes"
        case pricePerGiBPerPeriod = "price_per_gib_per_period"
        case periodSeconds = "period_seconds"
        case minimumTermPeriods = "minimum_term_periods"
        case collateralPerMille = "collateral_per_mille"
        case challengesPerPeriod = "challenges_per_period"
        case holdBackPerMille = "hold_back_per_mille"
        case expiresAt = "expires_at"
        case logIndex = "log_index"
    }
}

/// Body of `GET /haven/market/offers`: offers published here, or (`?peers=true`) those of
/// every known peer, each checked; peers that could not be asked are named with the reason.
public struct OfferListing: Codable, Sendable, ResponseEncodable {
    public let offers: [OfferView]
    public let unreachable: [String: String]
}

/// Body of `GET /exchange/v1/market/offers`: the signed documents of the open offers.
struct PeerOffers: Codable, Sendable {
    let offers: [String]
}

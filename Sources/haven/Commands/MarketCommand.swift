import ArgumentParser
import Foundation
import HavenServer

/// `haven market`: the storage market among Haven servers.
struct MarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Trade with other Havens: spare disk for backups, and licences to your data.",
        discussion: """
            An offer is signed by your server's key and recorded in your ledger. Terms not given \
            come from the market's derived parameters (docs/market.md): challenges per period, \
            collateral and hold-back chosen so that honest storage pays best. \
            Data is sold as licences: 'haven market list' publishes one, 'haven market buy' \
            pays and fetches, 'haven market purchases' and 'sales' show where each stands.
            """,
        subcommands: [
            Offer.self, Offers.self, Withdraw.self, Contracts.self, Challenges.self, List.self, Listings.self, Unlist.self,
            Buy.self, Purchases.self, Sales.self, Ask.self,
        ])

    /// `haven market offer --capacity SIZE --price P`.
    struct Offer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a storage offer; prints its id.")
        @OptionGroup var client: ClientOptions
        @Option(help: "How much you offer: 100GiB, 500MB, or bytes.") var capacity: String
        @Option(help: "Micro-credits per GiB per period.") var price: Int64
        @Option(help: "How long a period lasts: 30s, 1h, 30d (default from the market's parameters).") var period: String?
        @Option(help: "The shortest contract, in periods (default from the market's parameters).") var term: UInt64?
        @Option(help: "Storage challenges per period (default from the market's parameters).") var challenges: UInt64?
        @Option(help: "How long the offer stands: 12h, 30d (default 30d).") var expires: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let bytes = ByteCount.parse(capacity), bytes > 0 else {
                throw ValidationError("--capacity takes a size such as 100GiB or 500MB, not '\(capacity)'")
            }
            let lifetime = try expires.map { UInt64(try GrantCommand.seconds($0, option: "--expires")) }
            let periodSeconds = try period.map { UInt64(try GrantCommand.seconds($0, option: "--period")) }
            let view: OfferView = try await client.makeClient().post(
                "/haven/market/offers",
                body: CreateOfferRequest(
                    capacityBytes: UInt64(bytes), pricePerGiBPerPeriod: price, periodSeconds: periodSeconds, minimumTermPeriods: term,
                    challengesPerPeriod: challenges, expiresInSeconds: lifetime))
            if json { return try OwnCommand.printJSON(view) }
            print(view.id)
            StandardError.write(
                "Offered \(capacity) at \(price) µcr per GiB per period for at least \(view.minimumTermPeriods) periods; "
                    + "entry \(view.logIndex.map(String.init) ?? "?") of your ledger.")
        }
    }

    /// `haven market offers [--peers]`.
    struct Offers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your offers, or (--peers) your peers' offers, each checked.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Ask every known peer for its open offers.") var peers = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            let path = "/haven/market/offers" + (peers ? "?peers=true" : "")
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let listing: OfferListing = try await client.get(path)
            if listing.offers.isEmpty { print(peers ? "No peer offers storage now." : "You offer no storage now.") }
            for offer in listing.offers {
                print(
                    "\(offer.id)  \(offer.peer ?? "you")  \(offer.capacityBytes >> 30) GiB  \(offer.pricePerGiBPerPeriod) µcr/GiB/period"
                        + "  term ≥ \(offer.minimumTermPeriods)  \(offer.challengesPerPeriod) challenges/period"
                        + "  collateral \(offer.collateralPerMille)‰  until \(offer.expiresAt.formatted(.iso8601))")
            }
            for (peer, reason) in listing.unreachable.sorted(by: { $0.key < $1.key }) {
                StandardError.write("\(peer) could not be asked: \(reason)")
            }
        }
    }

    /// `haven market withdraw ID`.
    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a storage offer.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The offer's id.") var id: String

        func run() async throws {
            let client = try client.makeClient()
            try await client.deleteRaw("/haven/market/offers/\(id)")
            StandardError.write("Withdrew offer \(id).")
        }
    }
}

import ArgumentParser
import Foundation
import HavenMarket
import HavenServer

extension MarketCommand {
    /// `haven market list PATH --price P --policy FILE`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Offer a licence to one of your files for sale; prints the listing's id.",
            discussion: """
                The listing is signed by your server's key and recorded in your ledger (the file is \
                minted first if it is not yet). A buyer's server pays with a signed order, gets a \
                licence record in your ledger and a capability bound to its key that carries the \
                policy, and pulls the file. '--use ai' sells compute-to-data: the buyer may only ask \
                your agent about the file, and only answers leave.
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "The file to sell, e.g. /datasets/birds.csv.") var path: String
        @Option(help: "The price in micro-credits.") var price: Int64
        @Option(help: "The licence every use must meet: an ODRL policy file (JSON-LD).") var policy: String
        @Option(help: "What is sold: copy (the default) or ai (compute-to-data).") var use: String = "copy"
        @Option(help: "For --use ai: the agent buyers may ask (default assistant).") var agent: String?
        @Option(help: "The title buyers see (default the file's name).") var title: String?
        @Option(help: "How long you have to deliver after a purchase: 30s, 1h (default 1h).") var delivery: String?
        @Option(help: "How long the listing stands: 12h, 30d (default 30d).") var expires: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let use = SaleUse(rawValue: use) else { throw ValidationError("--use is copy or ai, not '\(use)'") }
            guard price >= 0 else { throw ValidationError("--price is a number of micro-credits, 0 or more") }
            if agent != nil, use != .ai { throw ValidationError("--agent goes with --use ai") }
            _ = try DataCommand.parsePath(path)
            let document = try PolicyFile.read(policy, option: "--policy")
            let view: ListingView = try await client.makeClient().post(
                "/haven/market/listings",
                body: CreateListingRequest(
                    path: path, price: price, policy: document, use: use, agent: agent, title: title,
                    deliverySeconds: try delivery.map { UInt64(try GrantCommand.seconds($0, option: "--delivery")) },
                    expiresInSeconds: try expires.map { UInt64(try GrantCommand.seconds($0, option: "--expires")) }))
            if json { return try OwnCommand.printJSON(view) }
            print(view.id)
            StandardError.write(
                "Listed \(path) (\(view.content)) for \(view.price) µcr, \(view.use.rawValue); entry \(view.logIndex.map(String.init) ?? "?") of your ledger.")
        }
    }

    /// `haven market listings [--peers]`.
    struct Listings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List your listings, or (--peers) your peers' open listings, each checked.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Ask every known peer for its open listings.") var peers = false
        @Flag(help: "Include withdrawn listings (yours).") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            let path = "/haven/market/listings" + (peers ? "?peers=true" : all ? "?all=true" : "")
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let listing: ListingListing = try await client.get(path)
            if listing.listings.isEmpty { print(peers ? "No peer lists data for sale now." : "You list no data for sale.") }
            for item in listing.listings {
                print(
                    "\(item.id)  \(item.peer ?? "you")  \(item.title)  \(item.price) µcr  \(item.use.rawValue)"
                        + "  deliver within \(item.deliverySeconds)s  \(item.path ?? item.content)"
                        + (item.withdrawnAt != nil ? "  withdrawn" : ""))
            }
            for (peer, reason) in listing.unreachable.sorted(by: { $0.key < $1.key }) {
                StandardError.write("\(peer) could not be asked: \(reason)")
            }
        }
    }

    /// `haven market unlist ID`.
    struct Unlist: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a listing (sales already made stand).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The listing's id.") var id: String

        func run() async throws {
            try await client.makeClient().deleteRaw("/haven/market/listings/\(id)")
            StandardError.write("Withdrew listing \(id).")
        }
    }

    /// `haven market buy PEER LISTING`.
    struct Buy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Buy a peer's listing: pay, receive the licence, and (for a copy) fetch and check the file.",
            discussion: """
                The purchase is one signed order keyed by a fresh purchase id: if anything fails on \
                the way, your server presents the same order again (never charged twice) until the \
                seller's delivery deadline, and records a refund if nothing was delivered by then.
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "The seller: a peer's name (see 'haven peer list').") var peer: String
        @Argument(help: "The listing's id (see 'haven market listings --peers').") var listing: String
        @Option(help: "Where to keep the file (default /purchases/PEER/TITLE).") var to: String?
        @Option(help: "The purpose you state when fetching, for licences that require one: dpv:AcademicResearch.") var purpose: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if let to { _ = try DataCommand.parsePath(to) }
            let view: PurchaseView = try await client.makeClient().post(
                "/haven/market/purchases", body: BuyRequest(peer: peer, listing: listing, to: to, purpose: purpose))
            if json { return try OwnCommand.printJSON(view) }
            print(view.id)
            switch view.state {
            case .delivered:
                StandardError.write(
                    view.use == .ai
                        ? "Bought compute-to-data access to \(view.title) for \(view.price) µcr; ask with 'haven market ask \(view.id) QUESTION'."
                        : "Bought \(view.title) for \(view.price) µcr; it is at \(view.path), checked against \(view.content).")
            case .pending:
                StandardError.write(
                    "Purchase \(view.id) is pending: \(view.error ?? "not delivered yet"). Your server keeps trying until "
                        + "\(view.deadline.formatted(.iso8601)) and records a refund if nothing arrives; see 'haven market purchases'.")
            case .refunded:
                StandardError.write("Purchase \(view.id) was refunded.")
            }
        }
    }

    /// `haven market purchases`.
    struct Purchases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your purchases and where each stands.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/market/purchases"), as: UTF8.self))
                return
            }
            let listing: PurchaseListing = try await client.get("/haven/market/purchases")
            if listing.purchases.isEmpty { print("No purchases.") }
            for item in listing.purchases {
                print(
                    "\(item.id)  \(item.peer ?? item.seller)  \(item.title)  \(item.price) µcr  \(item.state.rawValue)"
                        + (item.path.isEmpty ? "" : "  \(item.path)") + (item.error.map { "  (\($0))" } ?? ""))
            }
            print("Spent: \(listing.spent) µcr")
        }
    }

    /// `haven market sales`.
    struct Sales: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your sales, with what they earned and refunded.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/market/sales"), as: UTF8.self))
                return
            }
            let listing: SaleListing = try await client.get("/haven/market/sales")
            if listing.sales.isEmpty { print("No sales.") }
            for item in listing.sales {
                print("\(item.id)  \(item.peer ?? item.buyer)  \(item.listing)  \(item.price) µcr  \(item.state.rawValue)")
            }
            print("Earned: \(listing.earned) µcr; refunded: \(listing.refunded) µcr")
        }
    }

    /// `haven market ask PURCHASE QUESTION`.
    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the seller's agent about data bought as compute-to-data; prints its answer.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The purchase id (see 'haven market purchases').") var purchase: String
        @Argument(help: "The question.") var question: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let answer: AskAnswer = try await client.makeClient().post(
                "/haven/market/purchases/\(purchase)/ask", body: AskRequest(question: question))
            if json { return try OwnCommand.printJSON(answer) }
            print(answer.answer)
        }
    }
}

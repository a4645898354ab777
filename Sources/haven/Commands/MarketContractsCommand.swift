import ArgumentParser
import Foundation
import HavenServer

extension MarketCommand {
    /// `haven market contracts [--role consumer|provider] [--json]`.
    struct Contracts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List your storage contracts, as consumer and as provider, with their balances.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Only one side: consumer or provider.") var role: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if let role, role != "consumer", role != "provider" {
                throw ValidationError("--role is consumer or provider, not '\(role)'")
            }
            let client = try client.makeClient()
            let path = "/haven/market/contracts" + (role.map { "?role=\($0)" } ?? "")
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let listing: ContractListing = try await client.get(path)
            if listing.contracts.isEmpty { print("No storage contracts.") }
            for contract in listing.contracts {
                let balances = contract.balances
                print(
                    "\(contract.id)  \(contract.role)  \(contract.peer ?? contract.counterparty)  \(contract.status)"
                        + "  period \(contract.period)/\(contract.termPeriods)  \(contract.storedBytes) bytes"
                        + "  remaining \(balances.consumerRemaining)  earned \(balances.providerEarned)"
                        + "  held back \(balances.heldBack)  collateral \(balances.collateralPosted)"
                        + (balances.collateralForfeited > 0 ? "  forfeited \(balances.collateralForfeited)" : "")
                        + (contract.backup.map { "  backup \($0) shard \(contract.shardIndex ?? -1)" } ?? ""))
            }
        }
    }

    /// `haven market challenges [--contract ID] [--limit N] [--json]`.
    struct Challenges: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the storage challenges your server ran, newest first; failures name their evidence.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Only this contract's.") var contract: String?
        @Option(help: "At most this many (default 50).") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit is from 1 to 100000") }
            let client = try client.makeClient()
            let path = "/haven/market/challenges?limit=\(limit)" + (contract.map { "&contract=\($0)" } ?? "")
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let listing: ChallengeListing = try await client.get(path)
            if listing.challenges.isEmpty { print("No challenges run yet.") }
            for challenge in listing.challenges {
                print(
                    "\(challenge.at.formatted(.iso8601))  \(challenge.contract)  period \(challenge.period) #\(challenge.sequence)"
                        + "  leaf \(challenge.leafIndex)  \(challenge.outcome)"
                        + (challenge.evidence.map { "  evidence \($0)" } ?? ""))
            }
        }
    }
}

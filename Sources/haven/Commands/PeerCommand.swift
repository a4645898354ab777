import ArgumentParser
import Foundation
import HavenExchange
import HavenServer

/// `haven peer`: the other Havens this one knows.
struct PeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Add, list, block and remove the other Havens this one exchanges with.",
        discussion: """
            'haven peer add https://alice.example --name alice' fetches the server's identity, checks
            that it holds the key of its did:key (it signs a fresh challenge), and remembers it. A peer
            is a principal, peer:did:key:z…, so 'haven grant add --to peer:alice …' works as for apps.
            """,
        subcommands: [Add.self, List.self, Remove.self, Block.self, Unblock.self, Capability.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a peer by its URL, proving its identity.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The peer's URL, e.g. https://alice.example:8420.") var url: String
        @Option(help: "Your name for it (default: the name it gives itself).") var name: String?
        @Option(help: "A capability token the peer issued to you (repeatable).") var capability: [String] = []

        func run() async throws {
            if let name { try validateName(name) }
            let peer: Peer = try await client.makeClient().post(
                "/haven/peers", body: AddPeerRequest(url: url, name: name, capabilities: capability.isEmpty ? nil : capability))
            StandardError.write("Added peer \(peer.name) (\(peer.did)) at \(peer.url); its principal is \(peer.principal).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the peers.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/peers"), as: UTF8.self))
                return
            }
            let list: PeerList = try await client.get("/haven/peers")
            let rows = list.peers.map { [$0.name, $0.did.description, $0.url, $0.blocked ? "blocked" : "active"] }
            print(TokenCommand.List.table(header: ["NAME", "DID", "URL", "STATE"], rows: rows))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Forget a peer, its capabilities and its mirrors (copied files stay).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The peer's name.") var name: String

        func run() async throws {
            let peer: Peer = try await client.makeClient().delete("/haven/peers/\(try pathSegment(name))")
            StandardError.write("Removed peer \(peer.name) (\(peer.did)).")
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse every request and message from a peer.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The peer's name.") var name: String

        func run() async throws {
            let peer: Peer = try await client.makeClient().post(
                "/haven/peers/\(try pathSegment(name))/block", body: EmptyBody())
            StandardError.write("Blocked peer \(peer.name): its requests now get 403.")
        }
    }

    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a blocked peer again.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The peer's name.") var name: String

        func run() async throws {
            let peer: Peer = try await client.makeClient().post(
                "/haven/peers/\(try pathSegment(name))/unblock", body: EmptyBody())
            StandardError.write("Unblocked peer \(peer.name).")
        }
    }

    struct Capability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a capability token a peer issued to you (what you may fetch from it).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The peer's name.") var name: String
        @Argument(help: "The token (a JWT from the peer's 'haven share').") var token: String

        func run() async throws {
            let held: HeldCapability = try await client.makeClient().post(
                "/haven/peers/\(try pathSegment(name))/capabilities", body: AddCapabilityRequest(token: token))
            let what = held.capabilities.map { "\($0.right.rawValue) on \($0.resource)" }.joined(separator: ", ")
            StandardError.write("Kept capability \(held.id) from \(name): \(what).")
        }
    }

    /// A peer name as one URL path segment.
    static func segment(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= 200,
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._:")))
        else { throw ValidationError("'\(name)' is not a peer name") }
        return encoded
    }
}

private func pathSegment(_ name: String) throws -> String {
    try PeerCommand.segment(name)
}

private func validateName(_ name: String) throws {
    do {
        try Peer.validateName(name)
    } catch {
        throw ValidationError(error.description)
    }
}

/// An empty JSON object, for POSTs that carry no data.
struct EmptyBody: Codable, Sendable {}

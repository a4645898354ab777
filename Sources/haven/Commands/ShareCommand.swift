import ArgumentParser
import Foundation
import HavenAccess
import HavenIdentity
import HavenServer

/// `haven share`: capability tokens for people and servers outside this one.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Give someone outside this server a signed capability token for a path.",
        discussion: """
            'haven share /photos/trip/ --to did:key:z6Mk… --rights read --expires 24h' prints a token
            (a JWT signed by your key) on standard output; its holder sends it as
            'Authorization: Bearer TOKEN' to /data. A holder with 'share' may delegate a narrower token.
            """,
        subcommands: [Create.self, List.self, Revoke.self],
        defaultSubcommand: Create.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mint a capability token (the default).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The path or directory to share, e.g. /photos/trip/.") var path: String
        @Option(help: "The holder: a did:key, or peer:NAME for a peer added with 'haven peer add'.") var to: String
        @Option(help: "Comma-separated rights: read, list, write, append, delete, share, ai.") var rights: String
        @Option(help: "Ends after this long: 30m, 24h, 7d.") var expires: String?
        @Option(help: "Starts only after this long: 1h, 2d.") var notBefore: String?
        @Option(help: "A licence every use of the token must meet: an ODRL policy file (JSON-LD).")
        var policy: String?

        func run() async throws {
            let document = try policy.map { try PolicyFile.read($0, option: "--policy") }
            let audience: DID
            if to.hasPrefix("peer:"), !to.hasPrefix("peer:did:") {
                let name = String(to.dropFirst("peer:".count))
                let peers: PeerList = try await client.makeClient().get("/haven/peers")
                guard let peer = peers.peers.first(where: { $0.name == name }) else {
                    throw ValidationError("no peer is called '\(name)'; see 'haven peer list'")
                }
                audience = peer.did
            } else {
                do {
                    audience = try DID(parsing: to.hasPrefix("peer:") ? String(to.dropFirst("peer:".count)) : to)
                } catch {
                    throw ValidationError("--to takes a did:key (e.g. did:key:z6Mk…) or peer:NAME: \(error)")
                }
            }
            let parsed: [Right]
            do {
                parsed = try Right.parseList(rights)
            } catch {
                throw ValidationError(error.description)
            }
            _ = try DataCommand.parsePath(path)
            let now = Date()
            let created: CreatedShare = try await client.makeClient().post(
                "/haven/shares",
                body: CreateShareRequest(
                    path: path, to: audience, rights: parsed,
                    notBefore: try notBefore.map { now.addingTimeInterval(try GrantCommand.seconds($0, option: "--not-before")) },
                    expiresAt: try expires.map { now.addingTimeInterval(try GrantCommand.seconds($0, option: "--expires")) },
                    policy: document))
            StandardError.write(
                "Shared \(created.share.capabilities.map(\.right.rawValue).joined(separator: ",")) on \(path) with "
                    + "\(audience). Token id \(created.share.id); revoke with 'haven share revoke \(created.share.id)'.")
            print(created.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens minted here.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Include revoked tokens.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            let path = "/haven/shares" + (all ? "?all=true" : "")
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let list: ShareList = try await client.get(path)
            let rows = list.shares.map { share in
                [share.id, share.audience.description,
                 share.capabilities.map(\.right.rawValue).joined(separator: ","), share.capabilities.first?.resource ?? "",
                 share.revokedAt != nil ? "revoked" : share.expiresAt.map { "until " + TokenCommand.List.format($0) } ?? "active"]
            }
            print(TokenCommand.List.table(header: ["ID", "TO", "RIGHTS", "ON", "STATE"], rows: rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id, and every token delegated from it.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Token id (from 'haven share list' or the audit log).") var id: String

        func run() async throws {
            let revoked: RevokedShare = try await client.makeClient().delete("/haven/shares/\(id)")
            StandardError.write(
                "Revoked token \(revoked.id)\(revoked.mintedHere ? "" : " (not minted here; refused wherever it appears in a chain)").")
        }
    }
}

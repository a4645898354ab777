import ArgumentParser
import Foundation
import HavenExchange
import HavenServer

/// `haven mirror`: keep local copies of peers' folders current.
struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Keep a local copy of a peer's folder current, in the background.",
        discussion: """
            'haven mirror add alice:/photos/ /from/alice/photos/' follows alice's change feed: new
            versions are fetched and verified, deletions arrive as deletions (history stays). It
            survives restarts and resumes where it stopped. If alice revokes the capability, the mirror
            stops, keeps what it has, and 'haven mirror list' says why.
            """,
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start mirroring PEER:/folder/ into a local folder.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "PEER:/folder/ on the peer.") var source: String
        @Argument(help: "The local folder, e.g. /from/alice/photos/.") var destination: String
        @Option(help: "A capability token the peer issued to you, kept for the mirror.") var capability: String?

        func run() async throws {
            let mirror: Mirror = try await client.makeClient().post(
                "/haven/mirrors", body: AddMirrorRequest(source: source, destination: destination, capability: capability))
            StandardError.write("Mirroring \(source) into \(mirror.localPath) (mirror \(mirror.id)).")
            print(mirror.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the mirrors and where each stands.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/mirrors"), as: UTF8.self))
                return
            }
            let list: MirrorList = try await client.get("/haven/mirrors")
            let rows = list.mirrors.map { mirror in
                [mirror.id, mirror.peer.description, mirror.remotePath.string, mirror.localPath.string, "\(mirror.cursor)",
                 mirror.state == .active ? "active" : "stopped: \(mirror.reason ?? "")"]
            }
            print(TokenCommand.List.table(header: ["ID", "PEER", "FROM", "TO", "CURSOR", "STATE"], rows: rows))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Stop and forget a mirror (its files stay).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The mirror's id.") var id: String

        func run() async throws {
            let mirror: Mirror = try await client.makeClient().delete("/haven/mirrors/\(try PeerCommand.segment(id))")
            StandardError.write("Removed mirror \(mirror.id); the files in \(mirror.localPath) stay.")
        }
    }
}

import ArgumentParser
import Foundation
import HavenServer

/// `haven session`: browsers signed in to the web app.
struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "List and revoke web app sessions.",
        subcommands: [List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List active web sessions.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/sessions"), as: UTF8.self))
                return
            }
            let list: SessionList = try await client.get("/haven/sessions")
            let rows = list.sessions.map { entry in
                let session = entry.session
                return [
                    session.id, session.principal.description, session.token,
                    TokenCommand.List.format(session.lastSeenAt), TokenCommand.List.format(session.idleExpiresAt),
                    session.userAgent.map { String($0.prefix(40)) } ?? "",
                ]
            }
            print(TokenCommand.List.table(header: ["ID", "PRINCIPAL", "TOKEN", "LAST SEEN", "ENDS", "BROWSER"], rows: rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a web session; its browser is signed out at once.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The session's id (ses_…).") var id: String

        func validate() throws {
            guard id.hasPrefix("ses_"), id.count < 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ValidationError("a session id looks like ses_…; see 'haven session list'")
            }
        }

        func run() async throws {
            try await client.makeClient().deleteRaw("/haven/sessions/\(id)")
            StandardError.write("Revoked session \(id); its browser is signed out on its next request.")
        }
    }
}

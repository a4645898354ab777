import ArgumentParser
import Foundation
import HavenIdentity
import HavenServer

/// `haven token`: API tokens for applications and devices (owner only).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// `haven token create --name NAME`: prints the new token alone on stdout.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token for a new principal app:NAME (it holds no rights until granted).")

        @OptionGroup var client: ClientOptions
        @Option(help: "Name of the application or device, e.g. laptop.") var name: String

        func validate() throws {
            do {
                try Principal.validateAppName(name)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() async throws {
            let created: CreatedTokenResponse = try await client.makeClient()
                .post("/haven/tokens", body: CreateTokenRequest(name: name))
            print(created.token)
            StandardError.write("Created token '\(name)' for \(created.info.principal); it is shown only this once.")
        }
    }

    /// `haven token list`: one line per token, or JSON.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens.")

        @OptionGroup var client: ClientOptions
        @Flag(help: "Include revoked tokens.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let path = "/haven/tokens" + (all ? "?all=true" : "")
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let list: TokenListResponse = try await client.get(path)
            let rows = list.tokens.map { token in
                [token.name, token.principal.description, token.id.rawValue, Self.format(token.createdAt),
                 token.revokedAt.map { "revoked " + Self.format($0) } ?? "active"]
            }
            print(Self.table(header: ["NAME", "PRINCIPAL", "ID", "CREATED", "STATE"], rows: rows))
        }

        static func format(_ date: Date) -> String {
            date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false))
        }

        static func table(header: [String], rows: [[String]]) -> String {
            let all = [header] + rows
            let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
            return all.map { row in
                row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }.joined(separator: "\n")
        }
    }

    /// `haven token revoke NAME`: the token fails from its next request on.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")

        @OptionGroup var client: ClientOptions
        @Argument(help: "Name of the token.") var name: String

        func run() async throws {
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name
            let info: TokenInfo = try await client.makeClient().delete("/haven/tokens/\(encoded)")
            StandardError.write("Revoked token '\(info.name)' (\(info.principal)).")
        }
    }
}

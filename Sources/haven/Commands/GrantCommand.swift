import ArgumentParser
import Foundation
import HavenAccess
import HavenIdentity
import HavenServer

/// `haven grant`: give, list and revoke rights (owner only): on data paths, and `infer` on models.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Give, list and revoke rights.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a principal rights, e.g. --to app:laptop --path /photos/ --rights read,list.",
            discussion: """
                Rights on a path (and everything below it): read, list, write, append (create new files only), \
                delete, share, ai. On models: infer (all models, or --model NAME). On the server: metrics \
                (read /metrics, e.g. --to app:prometheus --rights metrics).
                """)
        @OptionGroup var client: ClientOptions
        @Option(help: "Who receives the rights: app:NAME, peer:NAME (a peer added with 'haven peer add') or peer:did:key:….")
        var to: String
        @Option(help: "Comma-separated rights.") var rights: String
        @Option(help: "The data path or directory the rights apply to, e.g. /photos/.") var path: String?
        @Option(help: "For infer: only this model (default: every model).") var model: String?
        @Option(help: "Ends after this long: 30m, 12h, 7d, 4w.") var expires: String?
        @Option(help: "Starts only after this long: 1h, 2d.") var notBefore: String?
        @Option(help: "Why the grant exists, for the record.") var purpose: String?
        @Option(help: "A licence every use under the grant must meet: an ODRL policy file (JSON-LD).")
        var policy: String?

        func run() async throws {
            do {
                if to.hasPrefix("peer:"), !to.hasPrefix("peer:did:") {
                    try Principal.validateAppName(String(to.dropFirst("peer:".count)))
                } else {
                    _ = try Principal(parsing: to)
                }
            } catch {
                throw ValidationError(error.description)
            }
            let parsed: [Right]
            do {
                parsed = try Right.parseList(rights)
            } catch {
                throw ValidationError(error.description)
            }
            if let path { _ = try DataCommand.parsePath(path) }
            let now = Date()
            let grant: Grant = try await client.makeClient().post(
                "/haven/grants",
                body: CreateGrantRequest(
                    to: to, rights: parsed, path: path, model: model,
                    notBefore: try notBefore.map { now.addingTimeInterval(try GrantCommand.seconds($0, option: "--not-before")) },
                    expiresAt: try expires.map { now.addingTimeInterval(try GrantCommand.seconds($0, option: "--expires")) },
                    purpose: purpose, policy: try policy.map { try PolicyFile.read($0, option: "--policy") }))
            StandardError.write("Granted \(grant.rights.map(\.rawValue).joined(separator: ",")) on \(grant.resource) to \(grant.principal).")
            print(grant.id)
        }
    }

    /// Seconds in a duration such as `7d`, for `--expires` and `--not-before`.
    static func seconds(_ text: String, option: String) throws -> TimeInterval {
        guard case .duration(let duration)? = DurationText.parse(text), duration > .zero else {
            throw ValidationError("\(option) takes a positive number and a unit (s, m, h, d, w), e.g. 7d")
        }
        return Double(duration.components.seconds)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List grants.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Include revoked grants.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            let path = "/haven/grants" + (all ? "?all=true" : "")
            if json {
                print(String(decoding: try await client.getRaw(path), as: UTF8.self))
                return
            }
            let list: GrantList = try await client.get(path)
            let rows = list.grants.map { grant in
                [grant.id, grant.principal.description, grant.rights.map(\.rawValue).joined(separator: ","), grant.resource,
                 grant.revokedAt != nil ? "revoked" : grant.expiresAt.map { "until " + TokenCommand.List.format($0) } ?? "active"]
            }
            print(TokenCommand.List.table(header: ["ID", "TO", "RIGHTS", "ON", "STATE"], rows: rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a grant; its next use is refused.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Grant id.") var id: String

        func run() async throws {
            let grant: Grant = try await client.makeClient().delete("/haven/grants/\(id)")
            StandardError.write("Revoked grant \(grant.id) (\(grant.principal)).")
        }
    }
}

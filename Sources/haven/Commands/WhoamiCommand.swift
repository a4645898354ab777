import ArgumentParser
import HavenIdentity
import HavenServer

/// `haven whoami`: who the server takes this client for. With the owner's token, that is the
/// owner's `did:key`.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Print who you are to the server: the owner's did:key, or app:NAME.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let answer: WhoAmIResponse = try await client.makeClient().get("/haven/whoami")
        switch answer.principal {
        case .owner: print(answer.owner)
        default: print(answer.principal)
        }
    }
}

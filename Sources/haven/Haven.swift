import ArgumentParser
import HavenServer

/// `haven`: the command-line tool. `init` and `serve` work on the data directory itself; every
/// other command is a client of the running server's HTTP API, so it passes the same checks as
/// any other client.
struct Haven: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haven",
        abstract: "Haven: your personal AI server.",
        discussion: """
            Start with 'haven init', then 'haven serve'. Other commands talk to the running
            server with $HAVEN_TOKEN, or the owner token in the data directory.
            """,
        version: HavenServer.version,
        subcommands: [
            InitCommand.self, ServeCommand.self, ChatCommand.self, ModelCommand.self, StatusCommand.self,
            WhoamiCommand.self, TokenCommand.self, GrantCommand.self, DataCommand.self, ShareCommand.self,
            AuditCommand.self, GCCommand.self, SearchCommand.self, IndexCommand.self, AgentCommand.self,
            PeerCommand.self, PullCommand.self, MirrorCommand.self, SendCommand.self, InboxCommand.self, OpenCommand.self,
            SessionCommand.self, LedgerCommand.self, OwnCommand.self, WitnessCommand.self, MarketCommand.self,
            BackupCommand.self, RestoreCommand.self, ExportCommand.self, ImportCommand.self, EncryptCommand.self,
            StoreCommand.self, TrainCommand.self, DescribeCommand.self, JobCommand.self,
        ]
    )
}

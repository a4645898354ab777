import ArgumentParser
import Foundation
import HavenServer

/// `--home`, shared by every command: the data directory, else `$HAVEN_HOME`, else `~/.haven`.
struct HomeOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory (default: $HAVEN_HOME or ~/.haven).", valueName: "dir"))
    var home: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func resolve() -> HavenHome {
        HavenHome(path: home ?? HavenHome.defaultPath(environment: environment))
    }
}

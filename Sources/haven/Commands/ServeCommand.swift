import Foundation
import ArgumentParser
import HavenServer
import Logging

/// `haven serve`: runs the server in the foreground until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Haven server (HTTP API on 127.0.0.1:8420 by default).",
        discussion: """
            Settings come from flags, then HAVEN_HOST, HAVEN_PORT, HAVEN_LOG_LEVEL, \
            HAVEN_PUBLIC_URL, HAVEN_TLS_CERT, HAVEN_TLS_KEY, then haven.toml in the data directory, then the defaults. \
            An encrypted home is unlocked with --passphrase-fd, --key-file, $CREDENTIALS_DIRECTORY/haven-passphrase \
            or haven-key (systemd LoadCredential), or a passphrase typed when standard input is a terminal.
            """
    )

    @OptionGroup var home: HomeOption

    @Option(help: ArgumentHelp("Address to listen on (default 127.0.0.1, loopback only).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("TCP port (default 8420; 0 picks a free one).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("Requests each model serves at once (default 4).", valueName: "n"))
    var parallel: Int?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("The URL other Havens reach this one at (default http://host:port).", valueName: "url"))
    var publicURL: String?

    @Option(help: ArgumentHelp("PEM certificate chain for HTTPS (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key for HTTPS (with --tls-cert).", valueName: "file"))
    var tlsKey: String?

    @Option(
        help: ArgumentHelp(
            "Serve the web app from this directory instead of the copy built in (for working on web/).",
            valueName: "dir"))
    var webDir: String?

    @OptionGroup var unlock: UnlockOptions

    func validate() throws {
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be from 0 to 65535, not \(port)")
        }
        if let parallel, !(1...64).contains(parallel) {
            throw ValidationError("--parallel must be from 1 to 64, not \(parallel)")
        }
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let webDir, !FileManager.default.fileExists(atPath: URL(fileURLWithPath: webDir).appendingPathComponent("index.html").path) {
            throw ValidationError("--web-dir must be a directory holding the web app's index.html; \(webDir) has none")
        }
    }

    func run() async throws {
        let home = home.resolve()
        let configuration = try Configuration.resolve(
            overrides: .init(host: host, port: port, logLevel: logLevel.flatMap { Logger.Level(rawValue: $0.lowercased()) },
                parallel: parallel, publicURL: publicURL, tlsCertificate: tlsCert, tlsKey: tlsKey, webDirectory: webDir),
            environment: self.home.environment,
            file: home.readConfigurationFile())
        // An encrypted home is unlocked before anything starts: a wrong passphrase ends here.
        let dataKey = try unlock.dataKey(for: home, environment: self.home.environment)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        try await HavenServer(home: home, configuration: configuration, dataKey: dataKey).run()
    }
}

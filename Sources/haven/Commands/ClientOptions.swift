import ArgumentParser
import HavenServer

/// Options of every command that talks to a running server: where it is and which token to use.
///
/// The address comes from `--host`/`--port`, `HAVEN_HOST`/`HAVEN_PORT`, the data directory's
/// `haven.toml`, or the defaults, as for `haven serve`; the token from `$HAVEN_TOKEN` or the
/// data directory's `owner.token`.
struct ClientOptions: ParsableArguments {
    @OptionGroup var home: HomeOption

    @Option(help: ArgumentHelp("Server address (default: as 'haven serve' would use).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Server port (default: as 'haven serve' would use).", valueName: "port"))
    var port: Int?

    func validate() throws {
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be from 1 to 65535, not \(port)")
        }
    }

    func makeClient() throws -> HavenClient {
        let home = home.resolve()
        let environment = self.home.environment
        // A client with HAVEN_TOKEN needs no local data directory; without one it uses the home's.
        let homeExists = (try? home.validate()) != nil
        let configuration = try Configuration.resolve(
            overrides: .init(host: host, port: port),
            environment: environment,
            file: homeExists ? home.readConfigurationFile() : nil)
        let token: String
        if let fromEnvironment = environment["HAVEN_TOKEN"], !fromEnvironment.isEmpty {
            token = fromEnvironment
        } else if homeExists {
            token = try home.readOwnerToken()
        } else {
            throw ClientError.noToken(lookedIn: home.ownerTokenFile)
        }
        return HavenClient(baseURL: "http://\(Self.connectableHost(configuration.host)):\(configuration.port)", token: token)
    }

    /// A wildcard listen address is reached through loopback; IPv6 literals need brackets.
    static func connectableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0": "127.0.0.1"
        case "::", "[::]": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}

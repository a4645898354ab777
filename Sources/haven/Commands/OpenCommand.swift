import ArgumentParser
import Foundation
import HavenServer

/// `haven open`: a one-time login link to the web app, printed and opened in a browser.
struct OpenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open the web app: print a one-time login link and open it in a browser.",
        discussion: """
            The link signs one browser in as you, once, within 10 minutes; the session it starts is \
            listed by 'haven session list' and ends with 'haven session revoke ID'.
            """)

    @OptionGroup var client: ClientOptions
    @Flag(help: "Only print the link; do not start a browser.") var noBrowser = false

    func run() async throws {
        let client = try client.makeClient()
        let link: LoginLinkResponse = try await client.post("/haven/login-links", body: EmptyBody())
        // The address this command reached the server at is one the browser on this machine can use.
        let url = "\(client.baseURL)/#login=\(link.code)"
        StandardError.write("Open this link to sign in (it works once, for 10 minutes):")
        print(url)
        if !noBrowser, let opener = Self.browserOpener() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: opener)
            process.arguments = [url]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
        }
    }

    /// `xdg-open` (or macOS's `open`) where a desktop session can show a browser; otherwise `nil`.
    static func browserOpener() -> String? {
        let environment = ProcessInfo.processInfo.environment
        #if os(macOS)
        return "/usr/bin/open"
        #else
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return nil }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return path.map { "\($0)/xdg-open" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        #endif
    }
}

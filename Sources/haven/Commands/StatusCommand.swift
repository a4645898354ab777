import ArgumentParser
import Foundation
import HavenServer

/// `haven status`: what the running server says about itself.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the running server's version, owner and uptime.")

    @OptionGroup var client: ClientOptions
    @Flag(help: "Print the server's JSON answer.") var json = false

    func run() async throws {
        let client = try client.makeClient()
        if json {
            print(String(decoding: try await client.getRaw("/haven/status"), as: UTF8.self))
            return
        }
        let status: StatusResponse = try await client.get("/haven/status")
        print("Haven \(status.version) at \(client.baseURL)")
        print("owner:  \(status.owner)")
        print("uptime: \(Self.format(seconds: status.uptimeSeconds))")
        let ledger = status.ledger
        print("ledger: \(ledger.entries) entries; witnessed by \(ledger.witnesses), witnessing \(ledger.witnessing); split views: \(ledger.splitViews)")
        if ledger.splitViews > 0 {
            print("WARNING: \(ledger.splitViews) split view(s) found: a witnessed log showed two histories; see 'haven witness list'")
        }
        // Shown to the owner only.
        if let authentication = status.authentication {
            print("auth:   \(authentication.summary)")
            let now = Date()
            for throttle in authentication.recentThrottles where throttle.until > now {
                let seconds = Int(throttle.until.timeIntervalSince(now).rounded(.up))
                print("        \(throttle.client) throttled for \(seconds)s more, after \(throttle.failures) failures")
            }
        }
    }

    static func format(seconds: Double) -> String {
        let total = Int(seconds)
        let (days, hours, minutes) = (total / 86_400, total / 3_600 % 24, total / 60 % 60)
        if days > 0 { return "\(days)d \(hours)h \(minutes)m" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(total % 60)s" }
        return "\(total)s"
    }
}

import Foundation
import HavenIdentity

/// What the route controllers need from the running server, handed to them explicitly.
public struct ServerEnvironment: Sendable {
    public let catalog: Catalog
    public let owner: DID
    public let configuration: Configuration
    public let startedAt: Date
    let startInstant: ContinuousClock.Instant

    public init(catalog: Catalog, owner: DID, configuration: Configuration, startedAt: Date = Date()) {
        self.catalog = catalog
        self.owner = owner
        self.configuration = configuration
        self.startedAt = startedAt
        self.startInstant = .now
    }

    /// Seconds since the server started, on a monotonic clock.
    var uptime: Double {
        let elapsed = ContinuousClock.now - startInstant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

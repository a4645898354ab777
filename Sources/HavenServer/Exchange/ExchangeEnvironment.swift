import AsyncHTTPClient
import Foundation
import HavenExchange
import HavenIdentity
import HavenStore
import Logging

/// What the exchange routes share: this server's public identity, the signature verifier and
/// its nonce window, the inbox and its rate limit, signed clients for peers, and the
/// background service that runs pulls and mirrors.
public struct ExchangeEnvironment: Sendable {
    /// What signatures on requests to this server cover: its public URL, without a trailing slash.
    public let publicURL: String
    public let serverName: String
    public let verifier: RequestVerifier
    public let nonces: NonceWindow
    public let unknownSenders: SenderRateLimiter
    public let inbox: Inbox
    public let clients: PeerClients
    public let service: ExchangeService

    init(
        store: DataStore, ownerKey: IdentityKey, configuration: Configuration, http: HTTPClient,
        onCommit: @escaping @Sendable (FileVersion) async -> Void
    ) {
        self.publicURL = configuration.effectivePublicURL
        self.serverName = configuration.serverName
        let window = TimeInterval(configuration.signatureWindow)
        let skew = TimeInterval(configuration.signatureSkew)
        self.verifier = RequestVerifier(window: window, skew: skew)
        self.nonces = NonceWindow(skew: skew)
        self.unknownSenders = SenderRateLimiter()
        self.inbox = Inbox(store: store)
        self.clients = PeerClients(catalog: store.catalog, http: http, signer: RequestSigner(key: ownerKey))
        self.service = ExchangeService(
            store: store, clients: clients, logger: Logger(label: "haven.exchange"), onCommit: onCommit)
    }
}

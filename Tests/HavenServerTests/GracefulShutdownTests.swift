import AsyncHTTPClient
import HavenKnowledge
import HavenStore
import HavenTestSupport
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Testing

@testable import HavenServer

@Suite struct GracefulShutdownTests {
    /// A request in flight when shutdown begins still gets its full answer, and the server then
    /// stops. The handler is held open by the test, not by a timer.
    @Test(.timeLimit(.minutes(1)))
    func shutdownLetsAnInFlightRequestFinish() async throws {
        let fixture = try ServerFixture()
        let router = fixture.makeRouter()
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        router.get("/haven/test/slow") { _, _ -> String in
            enteredContinuation.yield()
            for await _ in release { break }
            return "finished"
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var configuration = Configuration()
        configuration.port = 0
        let logger = Logger(label: "haven.test")
        let application = try HavenServer.makeApplication(
            router: router, configuration: configuration, logger: logger,
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var portIterator = ports.makeAsyncIterator()
            let port = try #require(await portIterator.next())

            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/haven/test/slow")
            request.headers.add(name: "Authorization", value: "Bearer \(fixture.ownerToken)")
            let inFlight = Task {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 1024)
                return (response.status.code, String(buffer: body))
            }
            var enteredIterator = entered.makeAsyncIterator()
            _ = await enteredIterator.next()

            await group.triggerGracefulShutdown()
            releaseContinuation.yield()

            let (status, body) = try await inFlight.value
            #expect(status == 200)
            #expect(body == "finished")
            try await tasks.waitForAll()
        }
    }

    /// Found by the soak: the catalog was closed while the indexer still used it, and the server
    /// died of a segmentation fault on SIGTERM. Closing stops the indexer first: the file being
    /// indexed is abandoned (its embedding cancelled) before the catalog closes.
    @Test(.timeLimit(.minutes(1)))
    func closingStopsTheIndexerBeforeTheCatalog() async throws {
        let embedder = HeldEmbedder()
        let fixture = try ServerFixture(embedder: embedder)
        defer { fixture.remove() }
        let path = try DataPath(parsing: "/notes/long.md")
        try await fixture.environment.store.put(Array("A note the indexer embeds.".utf8), at: path, author: "owner")
        await fixture.environment.indexer.enqueue(path)
        await embedder.waitUntilEntered()

        try await fixture.environment.close()
        embedder.events.withLock { $0.append("catalog closed") }

        #expect(embedder.events.withLock { $0 } == ["embedding", "embedding cancelled", "catalog closed"])
    }
}

import ArgumentParser
import AsyncHTTPClient
import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import NIOCore

/// `haven-bench`: the data-store and access measurements behind `make bench` (see
/// `bench/data_bench.py`, which runs them beside their references and prints the ratios).
@main
struct HavenBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haven-bench",
        abstract: "Measure data-store ingest, small puts and grant decisions.",
        subcommands: [Ingest.self, Puts.self, Decisions.self, Knowledge.self, ANN.self, Ledger.self, Market.self]
    )

    /// Ingest a file into a fresh store in this process: chunking, hashing, durable chunk
    /// writes and the catalog commit, without HTTP.
    struct Ingest: AsyncParsableCommand {
        @Argument(help: "The file to store.") var file: String
        @Option(help: "A directory for the store (created).") var directory: String

        func run() async throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let catalog = try Catalog.open(at: directory + "/catalog.sqlite", schema: CatalogSchema([.files, .changes]))
            let store = try DataStore(catalog: catalog, objectsDirectory: directory + "/objects")
            guard let handle = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
            let start = ContinuousClock.now
            let writer = store.writer(mediaType: "application/octet-stream")
            while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                try data.withUnsafeBytes { try writer.append($0) }
            }
            let version = try await store.commit(writer, to: try DataPath(parsing: "/bench/file"), author: "owner")
            let seconds = (ContinuousClock.now - start).seconds
            try catalog.close()
            print(#"{"bytes": \#(version.size), "seconds": \#(seconds), "chunks": \#(writer.newChunks)}"#)
        }
    }

    /// Small files through the running server's HTTP API, several requests in flight.
    struct Puts: AsyncParsableCommand {
        @Option var url: String
        @Option var token: String
        @Option var count = 10_000
        @Option var size = 4096
        @Option var concurrency = 16

        func run() async throws {
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let template = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let (count, concurrency, url, token) = (self.count, self.concurrency, self.url, self.token)
            let start = ContinuousClock.now
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        var failures = 0
                        for index in stride(from: worker, to: count, by: concurrency) {
                            var body = template
                            withUnsafeBytes(of: UInt64(index)) { body.replaceSubrange(0..<8, with: $0) }
                            var request = HTTPClientRequest(url: "\(url)/data/bench/small/\(index).bin")
                            request.method = .PUT
                            request.headers.add(name: "Authorization", value: "Bearer \(token)")
                            request.body = .bytes(ByteBuffer(bytes: body))
                            let response = try await client.execute(request, timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 16)
                            if response.status != .created { failures += 1 }
                        }
                        return failures
                    }
                }
                return try await group.reduce(0, +)
            }
            let seconds = (ContinuousClock.now - start).seconds
            try await client.shutdown()
            print(#"{"puts": \#(count), "failures": \#(failures), "seconds": \#(seconds)}"#)
        }
    }

    /// The pure decision function against a realistic set of grants.
    struct Decisions: AsyncParsableCommand {
        @Option var iterations = 5_000_000

        func run() async throws {
            let now = Date()
            let principal = Principal.app("laptop")
            // 40 grants for the caller on various paths (some expired), and 200 for others.
            var grants: [Grant] = []
            for index in 0..<240 {
                grants.append(
                    Grant(
                        id: "g\(index)", principal: index < 40 ? principal : .app("other\(index)"),
                        rights: index.isMultiple(of: 3) ? [.read, .list] : [.read, .write, .delete],
                        resource: "/area\(index % 40)/sub\(index)/", purpose: nil, createdAt: now,
                        expiresAt: index.isMultiple(of: 7) ? now - 10 : nil, revokedAt: nil))
            }
            let mine = grants.filter { $0.principal == principal }
            let requests = (0..<64).map { index in
                AccessRequest(
                    principal: principal, right: index.isMultiple(of: 2) ? .read : .write,
                    resource: "/area\(index % 40)/sub\(index % 40)/photos/\(index).jpg")
            }
            var allowed = 0
            let start = ContinuousClock.now
            for iteration in 0..<iterations {
                if AccessPolicy.decide(requests[iteration & 63], grants: mine, at: now).allowed { allowed += 1 }
            }
            let seconds = (ContinuousClock.now - start).seconds
            print(#"{"decisions": \#(iterations), "allowed": \#(allowed), "seconds": \#(seconds), "grants": \#(mine.count)}"#)
        }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

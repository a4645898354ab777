import Foundation
import HavenStore
import Hummingbird

/// `/haven/store`: what the data store holds, and garbage collection (owner only).
struct StoreController {
    let store: DataStore

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get { _, context in
            _ = try context.requireOwner()
            return try store.statistics()
        }
        group.post("gc") { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: GarbageCollectionRequest.self, context: context)
            if let keep = body.keepVersions, keep < 1 {
                throw APIError(.badRequest, code: "invalid_request", message: "keep_versions takes a whole number from 1")
            }
            let report = try await store.collectGarbage(keepVersions: body.keepVersions)
            context.logger.info(
                "garbage collected",
                metadata: ["gc.chunks": "\(report.chunksRemoved)", "gc.bytes": "\(report.bytesFreed)"])
            return report
        }
    }
}

extension StoreStatistics: ResponseEncodable {}
extension GarbageReport: ResponseEncodable {}

import Foundation
import HavenIdentity
import HavenLedger
import HavenStore
import Hummingbird

/// `/haven/own`: the owner records ownership of content in the ledger.
///
/// - `POST /haven/own/mint {"path", "title"?}`: a mint record of the path's current version
///   (its manifest CID and media type), signed by the owner's key, kept, and appended to the log
///   by id. Minting the same content again answers with the existing record.
/// - `GET /haven/own/{cid}`: the records kept about that content and its current owner.
struct OwnershipController {
    let environment: ServerEnvironment

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("mint") { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: MintRequest.self, context: context)
            let path = try DataPath(parsing: body.path)
            guard let version = try environment.store.version(of: path), let content = version.id else {
                throw APIError(.notFound, code: "not_found", message: "\(path) holds no file to mint")
            }
            if let existing = try environment.catalog.ledgerRecords(about: content).first(where: {
                if case .mint = $0.record.statement { true } else { false }
            }) {
                return EditedResponse(status: .ok, response: OwnershipRecord(existing.record, logIndex: existing.logIndex))
            }
            let title = String((body.title ?? path.description.split(separator: "/").last.map(String.init) ?? "").prefix(200))
            let record = try LedgerRecord(
                .mint(content: content, mediaType: version.mediaType ?? "application/octet-stream", title: title, licence: nil),
                by: environment.ownerKey)
            let index = try await append(record)
            return EditedResponse(status: .created, response: OwnershipRecord(record, logIndex: index))
        }
        group.get(":cid") { _, context in
            _ = try context.requireOwner()
            let text = try context.parameters.require("cid")
            guard let content = try? ContentID(parsing: text) else {
                throw APIError(.badRequest, code: "invalid_request", message: "'\(text)' is not a content id")
            }
            let records = try environment.catalog.ledgerRecords(about: content)
            guard !records.isEmpty else {
                throw APIError(.notFound, code: "not_found", message: "the ledger holds no record about \(content)")
            }
            let chain = try? OwnershipChain(
                content: content, records: records.map(\.record).filter { if case .licence = $0.statement { false } else { true } })
            return OwnershipListing(
                content: content.description, owner: chain?.owner.description,
                records: records.map { OwnershipRecord($0.record, logIndex: $0.logIndex) })
        }
    }

    /// Keeps the record, then appends its id to the log: a crash between the two leaves a kept
    /// record without a log index, never a log entry whose record is lost.
    func append(_ record: LedgerRecord) async throws -> UInt64 {
        try environment.catalog.saveLedgerRecord(record, at: Date())
        let index = try await environment.ledger.append([RecordProof.entry(for: record)])
        try environment.catalog.setLogIndex(index, of: record.id)
        return index
    }
}

/// Body of `POST /haven/own/mint`.
struct MintRequest: Decodable {
    let path: String
    let title: String?
}

import Foundation
import HavenAccess
import HavenIdentity
import HavenLedger
import HavenStore
import Hummingbird

/// `/haven/own`: the owner records ownership of content in the ledger, licenses it, revokes
/// licences and transfers it. Every change is a record signed by the owner's key, kept, and
/// appended to the log; every answer carries the record and where it stands in the log.
///
/// - `POST /haven/own/mint {"path", "title"?, "licence"?}`: a mint record of the path's current
///   version (its manifest CID and media type), optionally naming the licence it offers (an ODRL
///   document). Minting the same content again answers with the existing record.
/// - `POST /haven/own/licence {"content", "to", "policy"}`: a licence record, and a capability
///   token for `to` that carries the policy (shown once).
/// - `POST /haven/own/revoke {"record"}`: revokes a licence and its token.
/// - `POST /haven/own/transfer {"content", "to"}`: a transfer record, delivered with its chain
///   and proofs to the recipient's server, which records its acceptance.
/// - `GET /haven/own/{cid}`: the records kept about that content, its owner, and the proof of
///   each record in this server's log.
struct OwnershipController {
    let environment: ServerEnvironment

    var ledger: LedgerService { LedgerService(environment: environment) }
    var catalog: Catalog { environment.catalog }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("mint") { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: MintRequest.self, context: context)
            let path = try DataPath(parsing: body.path)
            let licence = try body.licence.map(LicencePolicy.init(document:))
            let minted = try await ledger.mint(path, title: body.title, licence: licence)
            return EditedResponse(
                status: minted.isNew ? .created : .ok, response: try await described(minted.record, minted.index))
        }
        group.post("licence") { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: LicenceRequestBody.self, context: context)
            let content = try Self.contentID(body.content)
            let holder = try Self.did(body.to)
            let policy = try LicencePolicy(document: body.policy)
            let issued = try await ledger.licence(content, to: holder, policy: policy)
            context.logger.info("licence issued", metadata: ["ledger.record": "\(issued.record.id)", "share.id": "\(issued.share.id)"])
            return EditedResponse(
                status: .created,
                response: IssuedLicence(
                    record: try await described(issued.record, issued.index), token: issued.token, shareID: issued.share.id,
                    policyID: policy.contentID.description))
        }
        group.post("revoke") { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: RevokeLicenceRequest.self, context: context)
            let revoked = try await ledger.revoke(licence: try Self.contentID(body.record))
            return try await described(revoked.record, revoked.index)
        }
        group.post("transfer") { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: TransferRequest.self, context: context)
            let done = try await ledger.transfer(try Self.contentID(body.content), to: try Self.did(body.to))
            return EditedResponse(
                status: .created,
                response: TransferOutcome(record: try await described(done.record, done.index), accepted: done.refusal == nil, refusal: done.refusal))
        }
        group.get(":cid") { _, context in
            _ = try context.requireOwner()
            let content = try Self.contentID(try context.parameters.require("cid"))
            let records = try catalog.ledgerRecords(about: content)
            guard !records.isEmpty else {
                throw APIError(.notFound, code: "not_found", message: "the ledger holds no record about \(content)")
            }
            let chain = try? ledger.chain(of: content).chain
            var described: [OwnershipRecord] = []
            for kept in records { described.append(try await self.described(kept.record, kept.logIndex)) }
            return OwnershipListing(content: content.description, owner: chain?.owner.description, records: described)
        }
    }

    /// A record as answered: with its proof in this server's log when it is there.
    func described(_ record: LedgerRecord, _ index: UInt64?) async throws -> OwnershipRecord {
        var proof: String?
        if let index { proof = try await ledger.proof(of: record, index: index).serialized }
        return OwnershipRecord(record, logIndex: index, proof: proof)
    }

    static func contentID(_ text: String) throws -> ContentID {
        guard let id = try? ContentID(parsing: text) else {
            throw APIError(.badRequest, code: "invalid_request", message: "'\(text.prefix(100))' is not a content id")
        }
        return id
    }

    static func did(_ text: String) throws -> DID {
        do {
            return try DID(parsing: text.hasPrefix("peer:") ? String(text.dropFirst(5)) : text)
        } catch {
            throw APIError(.badRequest, code: "invalid_request", message: "'\(text.prefix(100))' is not a did:key: \(error)")
        }
    }
}

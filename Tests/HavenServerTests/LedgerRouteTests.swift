import Foundation
import HavenAccess
import HavenIdentity
import HavenLedger
import HavenStore
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// The ledger's routes on one server: a licence made through `/haven/own/licence` decides every
/// read of its token on `/data`; the witness endpoint answers tlog-witness status codes; the
/// audit head is anchored in the ledger and checked by verify.
@Suite struct LedgerRouteTests {
    let fixture: ServerFixture
    init() throws { fixture = try ServerFixture() }

    func policy(content: String, to holder: DID) -> String {
        """
        {"@context": ["http://www.w3.org/ns/odrl.jsonld", {"dpv": "https://w3id.org/dpv#"}], "@type": "Set",
         "uid": "urn:uuid:route-test", "permission": [{"uid": "urn:uuid:two-research-reads", "action": "read",
         "target": "\(content)", "assignee": "\(holder)", "constraint": [
           {"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:ResearchAndDevelopment"},
           {"leftOperand": "count", "operator": "lteq", "rightOperand": 2}]}]}
        """
    }

    func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(value))
    }

    @Test func aLicenceDecidesEveryReadOfItsToken() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        let friend = IdentityKey()
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let put = try await client.execute(
                uri: "/data/reports/q1.txt", method: .put, headers: owner, body: ByteBuffer(string: "figures"))
            let content = try #require(try put.body.json(FileVersion.self).id).description
            let mint = try await client.execute(
                uri: "/haven/own/mint", method: .post, headers: owner,
                body: try json(MintRequest(path: "/reports/q1.txt", title: nil, licence: nil)))
            #expect(mint.status == .created)

            // A policy for someone else than the licensee is refused, and nothing is issued.
            let stranger = IdentityKey().did
            let mismatched = try await client.execute(
                uri: "/haven/own/licence", method: .post, headers: owner,
                body: try json(LicenceRequestBody(content: content, to: friend.did.description, policy: policy(content: content, to: stranger))))
            #expect(mismatched.status == .badRequest)
            #expect(try ErrorBody(mismatched.body).error.code == "invalid_policy")
            #expect(try fixture.catalog.shares().isEmpty)

            let issued = try await client.execute(
                uri: "/haven/own/licence", method: .post, headers: owner,
                body: try json(LicenceRequestBody(content: content, to: friend.did.description, policy: policy(content: content, to: friend.did))))
            #expect(issued.status == .created)
            let licence = try issued.body.json(IssuedLicence.self)
            #expect(licence.record.kind == "licence")
            #expect(licence.record.proof != nil)

            func read(_ purpose: String?) async throws -> TestResponse {
                var headers = HTTPFields.bearer(licence.token)
                if let purpose { headers[DataGate.purposeHeader] = purpose }
                return try await client.execute(uri: "/data/reports/q1.txt", method: .get, headers: headers)
            }
            #expect(try await read("dpv:Marketing").status == .forbidden)
            let invalid = try await read("research")
            #expect(invalid.status == .badRequest)
            #expect(try ErrorBody(invalid.body).error.code == "invalid_purpose")
            let first = try await read("dpv:ResearchAndDevelopment")
            #expect(first.status == .ok)
            #expect(String(buffer: first.body) == "figures")
            #expect(try await read("dpv:AcademicResearch").status == .ok)
            let third = try await read("dpv:ResearchAndDevelopment")
            #expect(third.status == .forbidden)
            #expect(try ErrorBody(third.body).error.message.contains("urn:uuid:two-research-reads"))

            let decisions = try fixture.environment.audit.entries(principal: "peer:\(friend.did)", limit: 10)
            #expect(decisions.filter(\.allowed).count == 2)
            #expect(decisions.filter(\.allowed).allSatisfy { $0.reason.contains("under licence urn:uuid:route-test") })
            #expect(decisions.filter { !$0.allowed }.count == 2)
        }
    }

    @Test func theWitnessEndpointAnswersWithTheSpecsStatusCodes() async throws {
        defer { fixture.remove() }
        let log = IdentityKey()
        let signer = try NoteSignerKey(name: log.did.description, privateKey: log.privateKey)
        let text = try Checkpoint(origin: log.did.description, size: 0, rootHash: MerkleHash.emptyTree.bytes).serialized
        let note = try SignedNote(text: text, signatures: [try signer.sign(text)])
        let request = try AddCheckpointRequest(oldSize: 0, consistencyProof: [], note: note)
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let garbage = try await client.execute(
                uri: "/ledger/witness/add-checkpoint", method: .post, body: ByteBuffer(string: "old 1\n\nnonsense"))
            #expect(garbage.status == .badRequest)
            // A well-formed request for a log this server does not witness.
            let unknown = try await client.execute(
                uri: "/ledger/witness/add-checkpoint", method: .post, body: ByteBuffer(string: request.serialized))
            #expect(unknown.status == .notFound)
            // Once witnessed, the same request is cosigned.
            try fixture.catalog.saveWitnessedLog(
                origin: log.did.description, url: "http://127.0.0.1:1", vkey: signer.verifierKey.serialized, latestNote: nil,
                at: Date())
            let cosigned = try await client.execute(
                uri: "/ledger/witness/add-checkpoint", method: .post, body: ByteBuffer(string: request.serialized))
            #expect(cosigned.status == .ok)
            let cosignatures = try CosignedCheckpoint.cosignatures(
                fromResponse: Array(buffer: cosigned.body), for: note,
                witnessKey: try WitnessService.cosignerKey(of: fixture.ownerKey.did))
            #expect(cosignatures.count == 1)

            let policy = try await client.execute(uri: "/ledger/policy", method: .get)
            #expect(policy.status == .ok)
            let lines = String(buffer: policy.body).split(separator: "\n")
            #expect(lines.first == "log \(fixture.environment.ledger.verifierKey.serialized) http://127.0.0.1:8420")
            #expect(lines.last == "quorum none")
        }
    }

    @Test func theAuditHeadIsAnchoredInTheLedgerAndVerified() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        let app = try fixture.makeAppToken(name: "reader")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            _ = try await client.execute(uri: "/data/a.txt", method: .put, headers: owner, body: ByteBuffer(string: "a"))
            #expect(try await client.execute(uri: "/data/a.txt", method: .get, headers: .bearer(app)).status == .forbidden)
            let anchored = try await client.execute(uri: "/haven/audit/anchor", method: .post, headers: owner)
            let first = try anchored.body.json(AuditAnchorResponse.self)
            #expect(first.appended)
            let anchor = try #require(first.anchor)
            let again = try await client.execute(uri: "/haven/audit/anchor", method: .post, headers: owner)
            #expect(try again.body.json(AuditAnchorResponse.self).appended == false)
            let verified = try await client.execute(uri: "/haven/audit/verify", method: .get, headers: owner)
            let result = try verified.body.json(AuditVerification.self)
            #expect(result.isIntact)
            #expect(result.anchored == anchor.sequence)
            // The app may not anchor.
            #expect(try await client.execute(uri: "/haven/audit/anchor", method: .post, headers: .bearer(app)).status == .forbidden)
        }
    }
}

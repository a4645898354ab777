import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore
import HavenTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// The storage market on one server, through the real router: the owner's backup and restore
/// requests refused with nothing changed when they cannot be met, and the provider's side of
/// the exchange (contracts, challenges, revisions) for a consumer `bob`. Whole backups between
/// servers run in tests/e2e/test_datamall.py.
@Suite struct StorageMarketRouteTests {
    let fixture: ServerFixture
    let bob = try! IdentityKey(seed: [UInt8](repeating: 42, count: 32))

    init() async throws {
        fixture = try ServerFixture()
        try await fixture.environment.store.put(Array("sunset".utf8), at: DataPath(parsing: "/photos/sunset.txt"), author: "owner")
    }

    func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try StorageMarket.encode(value))
    }

    /// Headers for a request signed by `key`, with `token` as bearer.
    func signed(_ method: HTTPRequest.Method, _ target: String, body: [UInt8]? = nil, by key: IdentityKey, token: String? = nil) throws
        -> HTTPFields
    {
        var fields = HTTPFields()
        let uri = fixture.environment.exchange.publicURL + target
        for (name, value) in try RequestSigner(key: key).sign(method: method.rawValue, targetURI: uri, body: body, at: Date()) {
            fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        if let token { fields[.authorization] = "Bearer \(token)" }
        if body != nil { fields[.contentType] = "application/json" }
        return fields
    }

    func knowBob() throws {
        // A peer whose server cannot be reached: nothing here may depend on calling it back.
        _ = try fixture.catalog.savePeer(Peer(did: bob.did, name: "bob", url: "http://127.0.0.1:9", addedAt: Date()))
    }

    /// An offer published here, 1 MiB, 10-second periods.
    func publishedOffer() throws -> StorageOffer {
        let terms = OfferTerms(
            capacityBytes: 1 << 20, pricePerGiBPerPeriod: 1_000_000, periodSeconds: 10, minimumTermPeriods: 2,
            collateralPerMille: 34, challengesPerPeriod: 5, holdBackPerMille: 250)
        let offer = try StorageOffer(terms: terms, expires: Date() + 3600, by: fixture.ownerKey)
        try fixture.catalog.saveMarketOffer(offer, at: Date())
        return offer
    }

    /// A contract `bob` opened on an offer here, with its shard stored as the provider keeps it.
    func providedContract(shard: [UInt8]) async throws -> (Contract, ShardTree) {
        let offer = try publishedOffer()
        let tree = try ShardTree(shard: shard)
        let opening = try ContractRevision.opening(
            offer: offer, consumer: bob.did, nonce: [UInt8](repeating: 1, count: 16), shard: tree.commitment, termPeriods: 3)
        let contract = try Contract.opening(offer: offer, revision: try opening.signed(by: bob).signed(by: fixture.ownerKey), at: Date())
        try fixture.catalog.saveContract(contract, role: .provider, peer: bob.did, openedAt: Date())
        try await fixture.environment.market.shards.store(shard, for: contract.id)
        return (contract, tree)
    }

    @Test func backupsThatCannotBeMetAreRefusedAndNothingChanges() async throws {
        defer { fixture.remove() }
        let owner = HTTPFields.bearer(fixture.ownerToken)
        let app = try fixture.makeAppToken(name: "shop")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let cases: [(CreateBackupRequest, HTTPResponse.Status, String)] = [
                (CreateBackupRequest(path: "/photos/", dataShards: 4, totalShards: 3), .badRequest, "invalid_copies"),
                (CreateBackupRequest(path: "photos", dataShards: 1, totalShards: 2), .badRequest, "invalid_path"),
                (CreateBackupRequest(path: "/empty/", dataShards: 1, totalShards: 2), .notFound, "not_found"),
                // No peer offers storage: there is nowhere to put the shards.
                (CreateBackupRequest(path: "/photos/", dataShards: 1, totalShards: 2), .conflict, "not_enough_providers"),
            ]
            for (body, status, code) in cases {
                let response = try await client.execute(uri: "/haven/backups", method: .post, headers: owner, body: try json(body))
                #expect(response.status == status)
                #expect(try ErrorBody(response.body).error.code == code)
            }
            let forbidden = try await client.execute(
                uri: "/haven/backups", method: .post, headers: .bearer(app),
                body: try json(CreateBackupRequest(path: "/photos/", dataShards: 1, totalShards: 2)))
            #expect(forbidden.status == .forbidden)
            let listed = try await client.execute(uri: "/haven/backups", method: .get, headers: owner)
            #expect(try listed.body.json(BackupListing.self).backups.isEmpty)
            #expect(try fixture.catalog.storedContracts().isEmpty)
            #expect(await fixture.environment.ledger.size == 0)

            // Restoring needs a backup; the refusal comes before any progress is streamed.
            let restore = try await client.execute(
                uri: "/haven/backups/restore", method: .post, headers: owner, body: try json(RestoreRequest(path: "/photos/")))
            #expect(restore.status == .notFound)
            #expect(try ErrorBody(restore.body).error.message.contains("haven backup add /photos/"))

            let contracts = try await client.execute(uri: "/haven/market/contracts?role=landlord", method: .get, headers: owner)
            #expect(contracts.status == .badRequest)
            let none = try await client.execute(uri: "/haven/market/contracts?role=provider", method: .get, headers: owner)
            #expect(try none.body.json(ContractListing.self).contracts.isEmpty)
        }
    }

    @Test func onlyAKnownPeerMayOpenAContractAndAShardThatCannotBePulledKeepsNothing() async throws {
        defer { fixture.remove() }
        let offer = try publishedOffer()
        let shard = [UInt8](repeating: 7, count: 9000)
        let opening = try ContractRevision.opening(
            offer: offer, consumer: bob.did, nonce: [UInt8](repeating: 2, count: 16),
            shard: try ShardTree(shard: shard).commitment, termPeriods: 2
        ).signed(by: bob)
        let capability = try CapabilityToken.mint(
            issuer: bob, audience: fixture.ownerKey.did,
            capabilities: [Capability(resource: "market/contracts/\(opening.contract)", right: .read)], expiresAt: Date() + 60)
        let proposal = try StorageMarket.encode(
            ContractProposal(
                offer: String(decoding: offer.encoded, as: UTF8.self), revision: String(decoding: opening.encoded, as: UTF8.self),
                capability: capability))
        let target = "/exchange/v1/market/contracts"
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let stranger = try await client.execute(
                uri: target, method: .post, headers: try signed(.post, target, body: proposal, by: bob), body: ByteBuffer(bytes: proposal))
            #expect(stranger.status == .forbidden)
            #expect(try ErrorBody(stranger.body).error.code == "unknown_peer")

            try knowBob()
            let garbage = Array(#"{"offer":"x","revision":"y","capability":"z"}"#.utf8)
            let malformed = try await client.execute(
                uri: target, method: .post, headers: try signed(.post, target, body: garbage, by: bob), body: ByteBuffer(bytes: garbage))
            #expect(malformed.status == .badRequest)

            // Bob's server is down: the shard cannot be pulled, so nothing is signed or kept.
            let unreachable = try await client.execute(
                uri: target, method: .post, headers: try signed(.post, target, body: proposal, by: bob), body: ByteBuffer(bytes: proposal))
            #expect(unreachable.status == .badGateway)
            #expect(try fixture.catalog.storedContracts().isEmpty)
            let kept = (try? FileManager.default.contentsOfDirectory(atPath: fixture.environment.market.shards.directory.path)) ?? []
            #expect(kept.isEmpty)

            // A withdrawn offer is not taken.
            _ = try fixture.catalog.withdrawMarketOffer(id: offer.id.description, at: Date())
            let withdrawn = try await client.execute(
                uri: target, method: .post, headers: try signed(.post, target, body: proposal, by: bob), body: ByteBuffer(bytes: proposal))
            #expect(withdrawn.status == .notFound)
            #expect(try ErrorBody(withdrawn.body).error.code == "offer_not_open")

            // This server's own outgoing shards: only the contract's provider, with the capability.
            let id = opening.contract
            await fixture.environment.market.outgoing.put(shard, for: id, provider: bob.did)
            let shardTarget = "/exchange/v1/market/shards/\(id)"
            let token = try CapabilityToken.mint(
                issuer: fixture.ownerKey, audience: bob.did,
                capabilities: [Capability(resource: "market/contracts/\(id)", right: .read)], expiresAt: Date() + 60)
            let bare = try await client.execute(uri: shardTarget, method: .get, headers: try signed(.get, shardTarget, by: bob))
            #expect(bare.status == .forbidden)
            let pulled = try await client.execute(
                uri: shardTarget, method: .get, headers: try signed(.get, shardTarget, by: bob, token: token))
            #expect(pulled.status == .ok)
            #expect(Array(buffer: pulled.body) == shard)
        }
    }

    @Test func theProviderAnswersFromTheShardOnDiskAndADamagedLeafFails() async throws {
        defer { fixture.remove() }
        try knowBob()
        var random = SplitMix64(seed: 5)
        let shard = (0..<(3 * ShardTree.leafSize + 100)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let (contract, tree) = try await providedContract(shard: shard)
        let target = "/exchange/v1/market/contracts/\(contract.id)/challenge"
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            func ask(_ client: some TestClientProtocol, leaf: UInt64) async throws -> ChallengeAnswer? {
                let body = try StorageMarket.encode(
                    ChallengeMessage(
                        period: 0, sequence: leaf, leafIndex: leaf, checkpointOrigin: "o", checkpointSize: 1,
                        checkpointRoot: String(repeating: "ab", count: 32), deadline: Date() + 5))
                let response = try await client.execute(
                    uri: target, method: .post, headers: try signed(.post, target, body: body, by: bob), body: ByteBuffer(bytes: body))
                #expect(response.status == .ok)
                return StorageMarket.parse(try response.body.json(ChallengeReply.self))
            }
            for leaf in 0..<tree.leafCount {
                let answer = try #require(try await ask(client, leaf: leaf))
                try ChallengeVerifier.verify(answer, root: tree.root, leafCount: tree.leafCount, expectedIndex: leaf)
            }
            #expect(try fixture.catalog.answeredAt(contract: contract.id, period: 0, sequence: 2) != nil)
            // A leaf lost on disk is answered wrong, even with the tree cached.
            let file = fixture.environment.market.shards.directory.appendingPathComponent(contract.id.description)
            var damaged = shard
            damaged[ShardTree.leafSize + 1] ^= 0x01
            try Data(damaged).write(to: file)
            let answer = try #require(try await ask(client, leaf: 1))
            #expect(throws: ChallengeError.self) {
                try ChallengeVerifier.verify(answer, root: tree.root, leafCount: tree.leafCount, expectedIndex: 1)
            }
            // A stranger cannot challenge bob's contract.
            let carol = IdentityKey()
            _ = try fixture.catalog.savePeer(Peer(did: carol.did, name: "carol", url: "http://127.0.0.1:9", addedAt: Date()))
            let body = Array("{}".utf8)
            let foreign = try await client.execute(
                uri: target, method: .post, headers: try signed(.post, target, body: body, by: carol), body: ByteBuffer(bytes: body))
            #expect(foreign.status == .notFound)
        }
    }

    @Test func theProviderCountersignsExactlyTheNextSettlementAndAcceptsABreachOnlyWithEvidence() async throws {
        defer { fixture.remove() }
        try knowBob()
        let shard = [UInt8](repeating: 3, count: 2 * ShardTree.leafSize)
        let (contract, tree) = try await providedContract(shard: shard)
        let target = "/exchange/v1/market/contracts/\(contract.id)/revisions"
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            func send(_ client: some TestClientProtocol, _ revision: ContractRevision, evidence: ChallengeEvidence? = nil) async throws
                -> TestResponse
            {
                let body = try StorageMarket.encode(
                    RevisionMessage(
                        revision: String(decoding: revision.encoded, as: UTF8.self),
                        evidence: evidence.map { String(decoding: $0.encoded, as: UTF8.self) }))
                return try await client.execute(
                    uri: target, method: .post, headers: try signed(.post, target, body: body, by: bob), body: ByteBuffer(bytes: body))
            }
            // More for the provider than the contract allows: refused, nothing recorded.
            let next = try contract.proposingSettlement()
            var greedy = next.balances
            greedy.providerEarned += 1
            greedy.consumerRemaining -= 1
            let padded = ContractRevision(
                contract: next.contract, number: next.number, consumer: next.consumer, provider: next.provider, offer: next.offer,
                nonce: next.nonce, termPeriods: next.termPeriods, shard: next.shard, period: next.period, balances: greedy,
                status: next.status)
            let refused = try await send(client, try padded.signed(by: bob))
            #expect(refused.status == .conflict)
            #expect(try fixture.catalog.storedContract(contract.id)?.contract.current.number == 0)

            let settled = try await send(client, try next.signed(by: bob))
            #expect(settled.status == .ok)
            let countersigned = try ContractRevision(parsing: Array(try settled.body.json(RevisionMessage.self).revision.utf8))
            #expect(countersigned.signing == .fullySigned)
            #expect(try fixture.catalog.storedContract(contract.id)?.contract.current == countersigned)
            // Sent again, the same revision comes back; nothing is signed twice.
            let again = try await send(client, try next.signed(by: bob))
            #expect(try again.body.json(RevisionMessage.self).revision == String(decoding: countersigned.encoded, as: UTF8.self))
            #expect(try fixture.catalog.contractRevisions(contract.id).count == 2)
            let entry = try #require(try await fixture.environment.ledger.lastEntry(withPrefix: Array("haven-market/v1 revision".utf8)))
            #expect(MarketLogEntry(parsing: entry.entry) == .revision(contract: contract.id, number: 1, revision: countersigned.id, status: .active))

            // A breach needs evidence of a failed challenge of this shard.
            let current = try #require(try fixture.catalog.storedContract(contract.id)).contract
            let breach = try current.proposingBreach().signed(by: bob)
            #expect(try await send(client, breach).status == .badRequest)
            let challenge = try StorageChallenge(
                contract: contract.id, period: 1, sequence: 0, seed: try Checkpoint(origin: "o", size: 1, rootHash: [UInt8](repeating: 1, count: 32)),
                leafCount: tree.leafCount, deadline: Date() + 5)
            var wrong = try tree.proof(of: Int(challenge.leafIndex))
            var leaf = wrong.leaf
            leaf[0] ^= 1
            wrong = ChallengeAnswer(leafIndex: wrong.leafIndex, leaf: leaf, path: wrong.path)
            let evidence = try ChallengeEvidence(challenge: challenge, root: tree.root, answer: wrong, answeredAt: Date(), by: bob)
            let accepted = try await send(client, breach, evidence: evidence)
            #expect(accepted.status == .ok)
            let closed = try #require(try fixture.catalog.storedContract(contract.id)).contract
            #expect(closed.status == .breached)
            #expect(closed.current.balances.collateralForfeited == contract.current.balances.collateralPosted)
            await #expect(throws: APIError.self) { try await fixture.environment.market.shards.read(contract.id) }
        }
    }
}

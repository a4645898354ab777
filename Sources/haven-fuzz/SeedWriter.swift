import Foundation
import HavenAccess
import HavenExchange
import HavenFuzzing
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore

/// Writes the seeds that real encoders make: tokens, CAR streams, manifests, signed requests,
/// notes, records and market documents signed with the fixtures' keys at the fixtures' time,
/// and small documents of each extracted kind. `haven-fuzz --seeds Fuzz/Corpus` refreshes them;
/// the corpus also holds seeds copied from the test vectors (see `Fuzz/README.md`).
enum SeedWriter {
    /// Writes every seed into `directory/<target>/<name>` and returns how many.
    static func write(into directory: URL) throws -> Int {
        let seeds = try identitySeeds() + storeSeeds() + exchangeSeeds() + ledgerSeeds() + marketSeeds() + documentSeeds()
            + inferenceSeeds()
        for seed in seeds {
            precondition(FuzzTarget.named(seed.target) != nil, "a seed for an unknown target \(seed.target)")
            let folder = directory.appendingPathComponent(seed.target)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(seed.bytes).write(to: folder.appendingPathComponent(seed.name))
        }
        return seeds.count
    }

    /// One seed: its target, its file name and its bytes.
    struct Seed {
        let target: String
        let name: String
        let bytes: [UInt8]

        init(_ target: String, _ name: String, _ bytes: [UInt8]) {
            self.target = target
            self.name = name
            self.bytes = bytes
        }

        init(_ target: String, _ name: String, _ text: String) {
            self.init(target, name, Array(text.utf8))
        }
    }

    private static let owner = FuzzFixtures.owner
    private static let peer = FuzzFixtures.peer
    private static let stranger = FuzzFixtures.stranger
    private static let now = FuzzFixtures.now
    private static let chunk = ContentID.hashing(Array("a chunk".utf8), codec: .raw)
    private static let document = ContentID.hashing(Array("a document".utf8), codec: .dagJSON)

    private static func identitySeeds() throws -> [Seed] {
        let root = try CapabilityToken.mint(
            issuer: owner, audience: peer.did,
            capabilities: [Capability(resource: "/photos/trip/", right: .read), Capability(resource: "/photos/trip/", right: .share)],
            notBefore: now.addingTimeInterval(-3_600), expiresAt: now.addingTimeInterval(86_400))
        let delegated = try CapabilityToken.mint(
            issuer: peer, audience: stranger.did, capabilities: [Capability(resource: "/photos/trip/beach.jpg", right: .read)],
            expiresAt: now.addingTimeInterval(3_600), proofs: [root])
        let models = try CapabilityToken.mint(
            issuer: owner, audience: peer.did, capabilities: [Capability(resource: "models/smollm2", right: .infer)], expiresAt: nil)
        let payload = try JSONWebSignature.decode(delegated).payload
        let token = APIToken.generate().stringValue
        return [
            Seed("jws", "capability-root.jwt", root),
            Seed("jws", "capability-delegated.jwt", delegated),
            Seed("jws", "other-payload.jwt", try JSONWebSignature.sign(payload: Array(#"{"hello":"world"}"#.utf8), with: peer)),
            Seed("jws", "crit-header.jwt", Base64URL.encode(Array(#"{"alg":"EdDSA","crit":["b64"]}"#.utf8)) + ".e30." + String(repeating: "A", count: 86)),
            Seed("api-token", "token.txt", token),
            Seed("api-token", "token-upper-case.txt", token.uppercased().replacingOccurrences(of: "HVN_", with: "hvn_")),
            Seed("did", "did-key.txt", owner.did.description),
            Seed("did", "peer-principal.txt", "peer:" + peer.did.description),
            Seed("did", "app-principal.txt", "app:notes-sync"),
            Seed("did", "owner.txt", "owner"),
            Seed("capability-token", "root.jwt", root),
            Seed("capability-token", "delegated.jwt", delegated),
            Seed("capability-token", "models.jwt", models),
            Seed("capability-token", "delegated-claims.json", payload),
            Seed("capability-token", "market-claims.json", #"{"att":[{"can":"read","with":"market/contracts/\#(document)"}],"aud":"\#(peer.did)","exp":null,"iss":"\#(owner.did)","nnc":"x","prf":[]}"#),
        ]
    }

    private static func storeSeeds() throws -> [Seed] {
        let chunks = (1...3).map { ContentID.hashing(Array("chunk \($0)".utf8), codec: .raw) }
        let manifest = Manifest(
            size: 3 << 16, mediaType: "text/plain; charset=\"utf-8\"\t\u{1}",
            chunks: chunks.map { Manifest.Chunk(id: $0, size: 1 << 16) })
        let dataPath = [
            "/photos/2026/beach.jpg", "/photos/2026/", "/", "/%C3%A9t%C3%A9/notes%20m%C3%A0j.txt", "/e\u{301}te\u{301}/x",
            "/caf\u{e9}/menu.md", "/\u{958}\u{915}\u{93C}/", "/\u{1100}\u{1161}\u{11A8}/\u{AC01}",
            "/" + String(repeating: "a", count: 255) + "/" + String(repeating: "b", count: 200),
        ]
        return dataPath.enumerated().map { Seed("data-path", "path-\($0.offset).txt", $0.element) } + [
            Seed("content-id", "raw.txt", chunk.description),
            Seed("content-id", "dag-json.txt", document.description),
            Seed("content-id", "raw.bin", chunk.binaryRepresentation),
            Seed("content-id", "dag-json-and-more.bin", document.binaryRepresentation + [0x0A, 0x55]),
            Seed("manifest", "empty-file.json", Manifest(size: 0, mediaType: "application/octet-stream", chunks: []).encoded()),
            Seed("manifest", "one-chunk.json", Manifest(size: 12, mediaType: "text/markdown", chunks: [.init(id: chunk, size: 12)]).encoded()),
            Seed("manifest", "three-chunks.json", manifest.encoded()),
        ]
    }

    private static func exchangeSeeds() throws -> [Seed] {
        let blocks = ["hello", "world", ""].map { Array($0.utf8) }
        var car = CARWriter.header(roots: [document])
        for block in blocks {
            car += CARWriter.block(ContentID.hashing(block, codec: .raw), bytes: block)
        }
        let signer = RequestSigner(key: peer)
        func request(_ method: String, _ uri: String, body: [UInt8]?) throws -> [UInt8] {
            let fields = try signer.sign(method: method, targetURI: uri, body: body, at: now, nonce: "fuzz-nonce-\(method)")
            let head = ["\(method) \(uri)"] + fields.map { "\($0.name): \($0.value)" }
            return Array((head.joined(separator: "\r\n") + "\r\n\r\n").utf8) + (body ?? [])
        }
        return [
            Seed("car", "two-blocks.car", car),
            Seed("car", "no-roots.car", CARWriter.header(roots: []) + CARWriter.block(chunk, bytes: Array("a chunk".utf8))),
            Seed("car", "header-only.car", CARWriter.header(roots: [chunk, document])),
            Seed("http-signature", "get.http", try request("GET", "https://alice.example:8420/exchange/v1/tree/photos/?after=3", body: nil)),
            Seed("http-signature", "post.http", try request("POST", "https://alice.example/exchange/v1/inbox", body: Array(#"{"text":"hi"}"#.utf8))),
            Seed("http-signature", "ipv6.http", try request("GET", "http://[::1]:8420/exchange/v1/chunks/\(chunk)", body: nil)),
        ]
    }

    private static func ledgerSeeds() throws -> [Seed] {
        let log = FuzzFixtures.logKey
        let checkpoint = try Checkpoint(
            origin: log.name, size: 7, rootHash: MerkleHash.leafHash(of: Array("root".utf8)).bytes, extensionLines: ["fuzz"])
        let signed = try SignedNote(text: checkpoint.serialized, signatures: [try log.sign(checkpoint.serialized)])
        let cosignature = try FuzzFixtures.witnessKey.cosign(checkpoint, timestamp: 1_800_000_000)
        let cosigned = try signed.addingSignature(cosignature.noteSignature)
        let proofHashes = (0..<3).map { MerkleHash.leafHash(of: [UInt8($0)]).bytes }
        let request = try AddCheckpointRequest(oldSize: 4, consistencyProof: proofHashes, note: signed)
        let proof = try TlogProof(extraData: Array("extra".utf8), index: 5, inclusionProof: proofHashes, note: cosigned)
        let policy = try WitnessPolicy(
            logs: [.init(key: log.verifierKey, url: "https://log.example/")],
            witnesses: [.init(name: "w1", key: FuzzFixtures.witnessKey.verifierKey, url: "https://witness.example/")],
            quorum: .named("w1"))

        let mint = try LedgerRecord(.mint(content: document, mediaType: "image/jpeg", title: "Beach", licence: nil), by: owner, at: now)
        let transfer = try LedgerRecord(.transfer(content: document, to: peer.did, previous: mint.id), by: owner, at: now.addingTimeInterval(60))
        let licence = try LedgerRecord(.licence(content: document, to: stranger.did, policy: chunk), by: peer, at: now.addingTimeInterval(120))
        let revoke = try LedgerRecord(.revoke(record: licence.id), by: peer, at: now.addingTimeInterval(180))
        let records = [mint, transfer, licence, revoke].map(\.encoded)
        return [
            Seed("ledger-notes", "checkpoint.note", signed.serialized),
            Seed("ledger-notes", "cosigned-checkpoint.note", cosigned.serialized),
            Seed("ledger-notes", "checkpoint.txt", checkpoint.serialized),
            Seed("ledger-notes", "add-checkpoint-request.txt", request.serialized),
            Seed("ledger-notes", "add-checkpoint-response.txt", NoteSignature.serializeLines([cosignature.noteSignature])),
            Seed("ledger-notes", "proof.tlog-proof", proof.serialized),
            Seed("ledger-notes", "log.vkey", log.verifierKey.serialized),
            Seed("ledger-notes", "witness-policy.txt", policy.serialized),
            Seed("ledger-notes", "conflict-body.txt", WitnessStatus.conflictBody(latestSize: 42)),
            Seed("ledger-record", "mint.json", mint.encoded),
            Seed("ledger-record", "chain.jsonl", Array(records.joined(separator: [0x0A]))),
        ]
    }

    private static func marketSeeds() throws -> [Seed] {
        let terms = OfferTerms(
            capacityBytes: 1 << 40, pricePerGiBPerPeriod: 1_000_000, periodSeconds: 30 * 86_400, minimumTermPeriods: 3,
            collateralPerMille: 1_500, challengesPerPeriod: 10, holdBackPerMille: 250)
        let offer = try StorageOffer(terms: terms, expires: now.addingTimeInterval(3_600), by: owner)
        let shard = try ShardCommitment(
            byteCount: 3 << 29, leafCount: ShardCommitment.leafCount(forByteCount: 3 << 29), root: .leafHash(of: Array("shard".utf8)))
        let opening = try ContractRevision.opening(
            offer: offer, consumer: peer.did, nonce: [UInt8](repeating: 7, count: 16), shard: shard, termPeriods: 4)
        let revision = try opening.signed(by: peer).signed(by: owner)
        let seed = try Checkpoint(origin: "ledger.example/log", size: 42, rootHash: MerkleHash.leafHash(of: Array("42".utf8)).bytes)
        let challenge = try StorageChallenge(
            contract: revision.contract, period: 1, sequence: 3, seed: seed, leafCount: shard.leafCount,
            deadline: now.addingTimeInterval(600))
        let evidence = try ChallengeEvidence(challenge: challenge, root: shard.root, answer: nil, answeredAt: nil, by: peer)
        let listing = try DataListing(
            terms: .init(content: document, title: "trip.jpg", price: 5_000_000, use: .ai, policy: chunk, deliverySeconds: 600, agent: "assistant"),
            expires: now.addingTimeInterval(3_600), by: owner)
        let purchase = PurchaseID("0123456789abcdef0123456789abcdef")!
        let order = try PurchaseOrder(purchase: purchase, listing: listing, at: now, by: peer)
        let entries: [MarketLogEntry] = [
            .revision(contract: revision.contract, number: 0, revision: revision.id, status: .active),
            .evidence(contract: revision.contract, evidence: evidence.id, outcome: .missing),
            .period(contract: revision.contract, period: 2),
            .sale(purchase: purchase, order: order.id, licence: chunk),
        ]
        return [
            Seed("market", "offer.json", offer.encoded),
            Seed("market", "revision.json", revision.encoded),
            Seed("market", "evidence.json", evidence.encoded),
            Seed("market", "listing.json", listing.encoded),
            Seed("market", "purchase-order.json", order.encoded),
            Seed("market", "contract-id.txt", revision.contract.description),
        ] + entries.enumerated().map { Seed("market", "log-entry-\($0.offset).txt", $0.element.encoded) }
    }
}

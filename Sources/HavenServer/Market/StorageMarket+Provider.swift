import Foundation
import HavenIdentity
import HavenLedger
import HavenMarket
import HavenStore
import Hummingbird
import NIOCore

extension StorageMarket {
    /// Takes a contract on one of this server's open offers for `consumer`: checks the offer is
    /// this server's and open, the revision is a valid opening signed by the consumer, and the
    /// offer's capacity still has room; pulls the shard with the contract's capability and
    /// checks it against the revision's Merkle root; stores it, countersigns and logs.
    /// Proposing the same contract again returns the countersigned opening.
    func accept(_ proposal: ContractProposal, from consumer: DID) async throws -> ContractRevision {
        let offer: StorageOffer
        let proposed: ContractRevision
        do {
            offer = try StorageOffer(parsing: Array(proposal.offer.utf8))
            proposed = try ContractRevision(parsing: Array(proposal.revision.utf8))
        } catch {
            throw APIError(.badRequest, code: "invalid_contract", message: "\(error)")
        }
        if let known = try catalog.storedContract(proposed.contract) {
            guard known.role == .provider, known.peer == consumer,
                let opening = try catalog.contractRevisions(known.id).first?.revision,
                opening.signedMessage == proposed.signedMessage
            else {
                throw APIError(.conflict, code: "contract_exists", message: "contract \(proposed.contract) already exists with other terms")
            }
            return opening
        }
        guard offer.provider == owner.did,
            try catalog.marketOffers().contains(where: { $0.offer.id == offer.id })
        else {
            throw APIError(.notFound, code: "offer_not_open", message: "offer \(offer.id) is not open here; list the open ones again")
        }
        guard proposed.consumer == consumer else {
            throw APIError(.forbidden, code: "not_the_consumer", message: "the revision's consumer is not the server signing this request")
        }
        guard proposed.signing == .halfSigned(by: .consumer) else {
            throw APIError(.badRequest, code: "invalid_contract", message: "an opening comes signed by the consumer alone")
        }
        let countersigned = try proposed.signed(by: owner)
        let contract: Contract
        do {
            contract = try Contract.opening(offer: offer, revision: countersigned, at: Date())
        } catch {
            throw APIError(.badRequest, code: "invalid_contract", message: "\(error)")
        }
        let used = try catalog.storedContracts(role: .provider)
            .filter { $0.contract.offer.id == offer.id && $0.contract.status == .active }
            .reduce(UInt64(0)) { $0 + $1.contract.current.shard.byteCount }
        guard used + proposed.shard.byteCount <= offer.terms.capacityBytes else {
            throw APIError(
                .conflict, code: "offer_full",
                message: "the offer has \(offer.terms.capacityBytes - min(used, offer.terms.capacityBytes)) bytes left, not \(proposed.shard.byteCount)")
        }
        let bytes = try await pullShard(of: proposed, capability: proposal.capability, from: consumer)
        try await state.shards.store(bytes, for: proposed.contract)
        let now = Date()
        try catalog.saveContract(contract, role: .provider, peer: consumer, openedAt: now)
        let index = try await log(.revision(contract: contract.id, number: 0, revision: countersigned.id, status: .active))
        try catalog.setRevisionLogIndex(index, contract: contract.id, number: 0)
        return countersigned
    }

    /// The consumer's sealed shard for `revision`, pulled with the contract's capability and
    /// checked against the revision's size and Merkle root before it is kept.
    private func pullShard(of revision: ContractRevision, capability: String, from consumer: DID) async throws -> [UInt8] {
        let expected = revision.shard
        let response = try await client(for: consumer).with(capability: capability).execute(
            .GET, "/exchange/v1/market/shards/\(revision.contract)", timeout: Self.pullTimeout)
        guard response.status == .ok else {
            throw APIError(
                .badGateway, code: "shard_unavailable",
                message: "the consumer did not serve the shard with the contract's capability (\(response.status.code))")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: Int(expected.byteCount))
        } catch {
            throw APIError(.badRequest, code: "shard_mismatch", message: "the shard is larger than the \(expected.byteCount) bytes the contract names")
        }
        let bytes = Array(buffer: buffer)
        guard let tree = try? ShardTree(shard: bytes), tree.commitment == expected else {
            throw APIError(.badRequest, code: "shard_mismatch", message: "the pulled shard does not match the contract's size and Merkle root")
        }
        return bytes
    }

    /// The contract `id` this server provides for `consumer`, or a 404 that says nothing more.
    func providedContract(_ id: String, for consumer: DID) throws -> StoredContract {
        guard let contract = try? ContractID(parsing: id), let stored = try catalog.storedContract(contract),
            stored.role == .provider, stored.peer == consumer
        else {
            throw APIError(.notFound, code: "not_found", message: "no contract '\(id.prefix(100))' with your server is held here")
        }
        return stored
    }

    /// Answers a challenge on an active contract: the leaf and its Merkle path, from the shard
    /// as it is on disk. The answer is noted, so evidence claiming it never came can be disputed.
    func answer(_ challenge: ChallengeMessage, contract stored: StoredContract) async throws -> ChallengeReply {
        guard stored.contract.status == .active else {
            throw APIError(.conflict, code: "contract_closed", message: "contract \(stored.id) is \(stored.contract.status.rawValue)")
        }
        let answer = try await state.shards.answer(stored.id, leaf: challenge.leafIndex)
        try catalog.saveAnswer(
            contract: stored.id, period: challenge.period, sequence: challenge.sequence, leafIndex: challenge.leafIndex, at: Date())
        return ChallengeReply(index: answer.leafIndex, leaf: Data(answer.leaf).base64EncodedString(), path: answer.path.map(\.hex))
    }

    /// A revision the consumer proposes: a settlement or the end is countersigned when it is
    /// exactly the next one the contract allows; a breach (the consumer's alone) is accepted
    /// with its evidence, and disputed in this ledger when this server holds a timely answer
    /// to the challenge the evidence says went unanswered.
    func countersign(_ message: RevisionMessage, contract stored: StoredContract) async throws -> ContractRevision {
        let revision: ContractRevision
        do {
            revision = try ContractRevision(parsing: Array(message.revision.utf8))
        } catch {
            throw APIError(.badRequest, code: "invalid_revision", message: "\(error)")
        }
        let current = stored.contract.current
        if revision.number == current.number, revision.signedMessage == current.signedMessage {
            return current
        }
        guard revision.contract == stored.id, revision.consumerSignature != nil else {
            throw APIError(.badRequest, code: "invalid_revision", message: "a revision of this contract comes signed by its consumer")
        }
        do {
            switch revision.status {
            case .breached:
                guard let text = message.evidence else {
                    throw APIError(.badRequest, code: "invalid_revision", message: "a breach comes with the evidence of a failed challenge")
                }
                let evidence = try ChallengeEvidence(parsing: Array(text.utf8))
                _ = try stored.contract.applyingBreach(revision, evidence: evidence)
                try await record(revision)
                if evidence.outcome != .wrong,
                    let answered = try catalog.answeredAt(
                        contract: stored.id, period: evidence.challenge.period, sequence: evidence.challenge.sequence),
                    answered <= evidence.challenge.deadline + 1
                {
                    try await log(.dispute(contract: stored.id, evidence: evidence.id))
                    audit(
                        stored.peer.description, "contract.dispute", stored.id.description, allowed: false,
                        "the consumer claims challenge \(evidence.challenge.sequence) went \(evidence.outcome.rawValue); it was answered at \(answered)")
                } else {
                    audit(stored.peer.description, "contract.breach", stored.id.description, allowed: true, "collateral forfeited")
                }
                await state.shards.remove(stored.id)
                return revision
            case .active, .ended:
                let expected = revision.status == .ended ? try stored.contract.proposingEnd() : try stored.contract.proposingSettlement()
                guard revision.signedMessage == expected.signedMessage else {
                    throw APIError(
                        .conflict, code: "invalid_revision",
                        message: "revision \(revision.number) is not the next settlement this contract allows (\(expected.number), period \(expected.period))")
                }
                let countersigned = try revision.signed(by: owner)
                _ = try stored.contract.applying(countersigned)
                try await record(countersigned)
                audit(
                    stored.peer.description, "contract.\(revision.status == .ended ? "end" : "settle")", stored.id.description,
                    allowed: true, "period \(revision.period) of \(revision.termPeriods) settled")
                if revision.status == .ended { await state.shards.remove(stored.id) }
                return countersigned
            }
        } catch let error as ContractError {
            throw APIError(.conflict, code: "invalid_revision", message: "\(error)")
        } catch let error as ChallengeError {
            throw APIError(.badRequest, code: "invalid_evidence", message: "\(error)")
        }
    }
}

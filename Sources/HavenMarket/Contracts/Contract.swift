import Foundation
import HavenIdentity

/// A storage contract as both parties have agreed it so far: the offer it was opened on and its
/// latest binding revision. Values only: ``opening(offer:revision:at:)`` checks revision 0
/// against the offer, ``applying(_:)`` checks each later revision against the current one, and
/// the `proposing…` helpers build the next revision for the parties to sign.
///
/// The rules a binding revision must keep: both parties' signatures; a number above the
/// current one; the same contract id, parties, offer, nonce and term; balances that are none
/// negative and add up to the same total as revision 0; a period that never goes back nor past
/// the term; and nothing after an `ended` or `breached` revision.
public struct Contract: Sendable, Hashable {
    /// The offer the contract was opened on.
    public let offer: StorageOffer
    /// The latest binding revision.
    public let current: ContractRevision
    /// The sum of the balances, fixed at revision 0.
    public let total: Int64

    public var id: ContractID { current.contract }
    public var status: ContractStatus { current.status }

    private init(offer: StorageOffer, current: ContractRevision, total: Int64) {
        self.offer = offer
        self.current = current
        self.total = total
    }

    /// Opens a contract: `revision` must be revision 0 of a contract on `offer`, signed by both
    /// parties, with the offer's price and collateral for its shard and term, taken while the
    /// offer stood at `time`.
    public static func opening(offer: StorageOffer, revision: ContractRevision, at time: Date) throws(ContractError) -> Contract {
        try requireBinding(revision)
        guard !offer.isExpired(at: time) else { throw .offerExpired(expires: offer.expires) }
        guard revision.offer == offer.id else { throw .offerMismatch("it names offer \(revision.offer), not \(offer.id)") }
        guard revision.provider == offer.provider else { throw .offerMismatch("its provider is not the offer's") }
        guard revision.consumer != revision.provider else { throw .offerMismatch("the consumer and the provider are the same key") }
        guard revision.nonce.count >= ContractRevision.minimumNonceSize else {
            throw .malformed("the nonce must be at least \(ContractRevision.minimumNonceSize) bytes")
        }
        guard revision.contract == .deriving(offer: offer.id, consumer: revision.consumer, nonce: revision.nonce) else {
            throw .offerMismatch("the contract id is not derived from the offer, consumer and nonce")
        }
        guard revision.number == 0, revision.period == 0, revision.status == .active else {
            throw .offerMismatch("an opening is revision 0, period 0, active")
        }
        guard revision.shard.byteCount <= offer.terms.capacityBytes else {
            throw .offerMismatch("it stores \(revision.shard.byteCount) bytes; the offer's capacity is \(offer.terms.capacityBytes)")
        }
        guard revision.termPeriods >= offer.terms.minimumTermPeriods else {
            throw .offerMismatch("a term of \(revision.termPeriods) periods is below the offer's minimum of \(offer.terms.minimumTermPeriods)")
        }
        let expected = try ContractSettlement.opening(
            terms: offer.terms, storedBytes: revision.shard.byteCount, periods: revision.termPeriods)
        guard revision.balances == expected else {
            throw .offerMismatch(
                "the opening balances must be the term's value (\(expected.consumerRemaining)) from the consumer and collateral of \(expected.collateralPosted) from the provider, nothing else")
        }
        guard let total = expected.total else { throw .arithmeticOverflow("the contract's total") }
        return Contract(offer: offer, current: revision, total: total)
    }

    /// Checks a whole history: revision 0 against the offer, then each revision in turn.
    public static func validating(offer: StorageOffer, revisions: [ContractRevision], openedAt time: Date) throws(ContractError) -> Contract {
        guard let first = revisions.first else { throw .malformed("a contract has at least revision 0") }
        var contract = try opening(offer: offer, revision: first, at: time)
        for revision in revisions.dropFirst() {
            contract = try contract.applying(revision)
        }
        return contract
    }

    /// The contract with `revision` as its current state, if it is a valid binding successor.
    public func applying(_ revision: ContractRevision) throws(ContractError) -> Contract {
        try Self.requireBinding(revision)
        guard current.status == .active else { throw .contractClosed(current.status) }
        guard revision.contract == current.contract else { throw .fixedFieldChanged("contract") }
        guard revision.number > current.number else { throw .staleRevision(current: current.number, proposed: revision.number) }
        guard revision.consumer == current.consumer else { throw .fixedFieldChanged("consumer") }
        guard revision.provider == current.provider else { throw .fixedFieldChanged("provider") }
        guard revision.offer == current.offer else { throw .fixedFieldChanged("offer") }
        guard revision.nonce == current.nonce else { throw .fixedFieldChanged("nonce") }
        guard revision.termPeriods == current.termPeriods else { throw .fixedFieldChanged("term_periods") }
        guard revision.shard.byteCount <= offer.terms.capacityBytes else {
            throw .offerMismatch("it stores \(revision.shard.byteCount) bytes; the offer's capacity is \(offer.terms.capacityBytes)")
        }
        guard revision.period >= current.period else {
            throw .invalidPeriod("period \(revision.period) comes before the settled period \(current.period)")
        }
        guard revision.period <= revision.termPeriods else {
            throw .invalidPeriod("period \(revision.period) is past the term of \(revision.termPeriods)")
        }
        if let negative = revision.balances.firstNegative { throw .negativeBalance(negative) }
        let sum = revision.balances.total
        guard sum == total else { throw .balancesNotConserved(expected: total, actual: sum) }
        return Contract(offer: offer, current: revision, total: total)
    }

    /// The contract closed by the consumer alone on evidence of a failed challenge: `revision`
    /// must be exactly ``proposingBreach()`` signed by the consumer (the provider's signature is
    /// not needed — a provider that lost the data would never sign), and `evidence` a failed
    /// challenge of this contract against the root and leaf count it stores, signed by the
    /// consumer. Anyone holding the two can check the forfeit: a `wrong` answer is re-judged from
    /// the evidence itself; `missing` and `late` rest on the consumer's word and its witnessed log.
    public func applyingBreach(_ revision: ContractRevision, evidence: ChallengeEvidence) throws(ContractError) -> Contract {
        let expected = try proposingBreach()
        guard revision.consumerSignature != nil,
            revision.signedMessage == expected.signedMessage
        else {
            throw .offerMismatch("a breach must be exactly the next revision that forfeits the collateral, signed by the consumer")
        }
        guard evidence.consumer == current.consumer else { throw .malformed("the evidence is not signed by the contract's consumer") }
        guard evidence.challenge.contract == current.contract else { throw .malformed("the evidence is about another contract") }
        guard evidence.root == current.shard.root, evidence.challenge.leafCount == current.shard.leafCount else {
            throw .malformed("the evidence challenges another shard than the contract stores")
        }
        guard evidence.outcome != .passed else { throw .malformed("the evidence shows a passed challenge; there is no breach") }
        return Contract(offer: offer, current: revision, total: total)
    }

    /// A contract as this server stored it after checking it (with ``opening(offer:revision:at:)``,
    /// ``applying(_:)`` or ``applyingBreach(_:evidence:)``): its offer and latest revision, read
    /// back without checking them again.
    public static func resuming(offer: StorageOffer, current: ContractRevision) -> Contract {
        Contract(offer: offer, current: current, total: current.balances.total ?? 0)
    }

    /// The fee for one period of the shard currently stored.
    public var periodFee: Int64 {
        get throws(ContractError) {
            try ContractSettlement.periodFee(pricePerGiB: offer.terms.pricePerGiBPerPeriod, storedBytes: current.shard.byteCount)
        }
    }

    /// The next revision after settling one more period, unsigned: the fee leaves the consumer's
    /// balance, its held-back share is kept back and the rest is paid to the provider.
    public func proposingSettlement() throws(ContractError) -> ContractRevision {
        guard current.status == .active else { throw .contractClosed(current.status) }
        guard current.period < current.termPeriods else {
            throw .invalidPeriod("all \(current.termPeriods) periods are settled; end the contract instead")
        }
        let balances = try ContractSettlement.settlingPeriod(
            current.balances, fee: try periodFee, holdBackPerMille: offer.terms.holdBackPerMille)
        return next(period: current.period + 1, balances: balances, status: .active)
    }

    /// The closing revision after the whole term is settled, unsigned: the held-back share is
    /// paid to the provider and the collateral released.
    public func proposingEnd() throws(ContractError) -> ContractRevision {
        guard current.status == .active else { throw .contractClosed(current.status) }
        guard current.period == current.termPeriods else {
            throw .invalidPeriod("only \(current.period) of \(current.termPeriods) periods are settled; settle them before ending")
        }
        return next(period: current.period, balances: try ContractSettlement.ending(current.balances), status: .ended)
    }

    /// The closing revision after the provider failed, unsigned: its collateral is forfeited to
    /// the consumer and the held-back share returned to the consumer.
    public func proposingBreach() throws(ContractError) -> ContractRevision {
        guard current.status == .active else { throw .contractClosed(current.status) }
        return next(period: current.period, balances: try ContractSettlement.breaching(current.balances), status: .breached)
    }

    private func next(period: UInt64, balances: ContractBalances, status: ContractStatus) -> ContractRevision {
        ContractRevision(
            contract: current.contract, number: current.number + 1, consumer: current.consumer, provider: current.provider,
            offer: current.offer, nonce: current.nonce, termPeriods: current.termPeriods, shard: current.shard,
            period: period, balances: balances, status: status)
    }

    private static func requireBinding(_ revision: ContractRevision) throws(ContractError) {
        let missing = revision.missingSignatures
        guard missing.isEmpty else { throw .notBinding(missing: missing) }
    }
}

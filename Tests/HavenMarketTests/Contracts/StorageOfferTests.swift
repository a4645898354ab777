import Foundation
import HavenIdentity
import HavenMarket
import Testing

@Suite struct StorageOfferTests {
    @Test func aSignedOfferParsesBackToTheSameOfferAndId() throws {
        let offer = try ContractFixtures.offer()
        let parsed = try StorageOffer(parsing: offer.encoded)
        #expect(parsed == offer)
        #expect(parsed.id == offer.id)
        #expect(parsed.terms == ContractFixtures.terms)
        #expect(parsed.provider == ContractFixtures.provider.did)
        #expect(parsed.expires == ContractFixtures.now.addingTimeInterval(3_600))
    }

    @Test(arguments: [
        "capacity_bytes", "price_per_gib_period", "period_seconds", "minimum_term_periods", "collateral_per_mille",
        "challenges_per_period", "hold_back_per_mille",
    ])
    func changingAnyTermBreaksTheSignature(field: String) throws {
        var object = try ContractFixtures.object(try ContractFixtures.offer().encoded)
        object[field] = (object[field] as! Int) + 1
        #expect(throws: ContractError.badSignature(.provider)) { try StorageOffer(parsing: try ContractFixtures.canonical(object)) }
    }

    @Test func anOfferSignedByAnotherKeyIsRefused() throws {
        var object = try ContractFixtures.object(try ContractFixtures.offer().encoded)
        object["provider"] = ContractFixtures.stranger.did.description
        #expect(throws: ContractError.badSignature(.provider)) { try StorageOffer(parsing: try ContractFixtures.canonical(object)) }
    }

    @Test func nonCanonicalBytesAreRefused() throws {
        let offer = try ContractFixtures.offer()
        var object = try ContractFixtures.object(offer.encoded)
        object["extra"] = 1
        #expect(throws: ContractError.notCanonical) { try StorageOffer(parsing: try ContractFixtures.canonical(object)) }
        #expect(throws: ContractError.notCanonical) { try StorageOffer(parsing: Array(" ".utf8) + offer.encoded) }
        #expect(throws: ContractError.tooLarge(byteCount: 5_000, limit: StorageOffer.maximumSize)) {
            try StorageOffer(parsing: [UInt8](repeating: 0x20, count: 5_000))
        }
    }

    @Test func termsOutsideTheirDomainAreRefused() throws {
        var terms = ContractFixtures.terms
        terms.holdBackPerMille = 1_001
        #expect(throws: ContractError.self) { try ContractFixtures.offer(terms) }
        terms = ContractFixtures.terms
        terms.periodSeconds = 0
        #expect(throws: ContractError.self) { try ContractFixtures.offer(terms) }
        terms = ContractFixtures.terms
        terms.pricePerGiBPerPeriod = -1
        #expect(throws: ContractError.self) { try ContractFixtures.offer(terms) }
    }

    @Test func anOfferExpiresAfterItsTime() throws {
        let offer = try ContractFixtures.offer()
        #expect(!offer.isExpired(at: offer.expires))
        #expect(offer.isExpired(at: offer.expires.addingTimeInterval(1)))
    }
}

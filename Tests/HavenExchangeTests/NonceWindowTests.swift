import Foundation
import Testing

@testable import HavenExchange

@Suite struct NonceWindowTests {
    typealias F = SignatureFixtures

    static func signature(nonce: String, signer: Int = 0, expires: Date = F.now.addingTimeInterval(60))
        -> VerifiedSignature
    {
        VerifiedSignature(
            signer: (signer == 0 ? F.key : F.otherKey).did, created: F.now, expires: expires, nonce: nonce,
            label: "haven")
    }

    @Test func admitsANonceOnceWhileItsSignatureIsAccepted() async {
        let window = NonceWindow(capacity: 10, skew: 60)
        #expect(await window.admit(Self.signature(nonce: "a"), at: F.now))
        #expect(await !window.admit(Self.signature(nonce: "a"), at: F.now))
        // Still refused at the last instant the verifier would accept the signature (expires + skew).
        #expect(await !window.admit(Self.signature(nonce: "a"), at: F.now.addingTimeInterval(120)))
    }

    @Test func admitsADifferentNonceOrTheSameNonceFromAnotherSigner() async {
        let window = NonceWindow(capacity: 10)
        #expect(await window.admit(Self.signature(nonce: "a"), at: F.now))
        #expect(await window.admit(Self.signature(nonce: "b"), at: F.now))
        #expect(await window.admit(Self.signature(nonce: "a", signer: 1), at: F.now))
        #expect(await window.count == 3)
    }

    @Test func admitsANonceAgainOnceItHasAgedOut() async {
        let window = NonceWindow(capacity: 10, skew: 60)
        #expect(await window.admit(Self.signature(nonce: "a"), at: F.now))
        #expect(await !window.admit(Self.signature(nonce: "a"), at: F.now.addingTimeInterval(100)))
        #expect(await window.admit(Self.signature(nonce: "a"), at: F.now.addingTimeInterval(121)))
    }

    @Test func refusesNewNoncesWhenFullOfLiveOnesAndAdmitsThemAfterPruning() async {
        let window = NonceWindow(capacity: 2, skew: 60)
        #expect(await window.admit(Self.signature(nonce: "a"), at: F.now))
        #expect(await window.admit(Self.signature(nonce: "b"), at: F.now))
        #expect(await !window.admit(Self.signature(nonce: "c"), at: F.now))
        #expect(await window.count == 2)
        // Once "a" and "b" have aged out they are forgotten and make room.
        let later = F.now.addingTimeInterval(121)
        #expect(await window.admit(Self.signature(nonce: "c", expires: later.addingTimeInterval(60)), at: later))
        #expect(await window.count == 1)
    }
}

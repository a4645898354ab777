import Foundation
import HavenIdentity
import Testing

@testable import HavenExchange

@Suite struct ServerInfoTests {
    @Test func aSignedChallengeProvesTheKeyOfTheDID() throws {
        let key = IdentityKey()
        let info = try ServerInfo.make(key: key, name: "alice", version: "1", url: "https://a.example", challenge: "c1")
        try info.verifyProof(of: "c1")
        #expect(throws: ExchangeError.proofMissing(key.did)) { try info.verifyProof(of: "c2") }
    }

    @Test func aProofCopiedUnderAnotherDIDFails() throws {
        let real = try ServerInfo.make(key: IdentityKey(), name: "a", version: "1", url: "https://a.example", challenge: "c1")
        let impostor = IdentityKey().did
        let forged = ServerInfo(
            did: impostor, name: "a", version: "1", url: real.url, endpoints: real.endpoints, challenge: "c1", proof: real.proof)
        #expect(throws: ExchangeError.proofInvalid(impostor)) { try forged.verifyProof(of: "c1") }
    }

    @Test(arguments: ["", String(repeating: "x", count: 129), "a b", "é"])
    func refusesUnusableChallenges(challenge: String) {
        #expect(throws: ExchangeError.invalidChallenge) {
            try ServerInfo.make(key: IdentityKey(), name: "a", version: "1", url: "https://a.example", challenge: challenge)
        }
    }
}

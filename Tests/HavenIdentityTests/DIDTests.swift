import Crypto
import Testing

@testable import HavenIdentity

@Suite struct DIDTests {
    // Published pairs of an Ed25519 public key (base58) and its did:key.
    @Test(arguments: [
        ("8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu7K", "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th"),
        ("HrBXe7XnjMbscM1roSDTSMCcLNraetDQM9wSVjnzDxn3", "did:key:z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR"),
    ])
    func encodesKnownVectors(publicKeyBase58: String, did: String) throws {
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: Base58.decode(publicKeyBase58)!)
        #expect(DID(publicKey: key).description == did)
        #expect(try DID(parsing: did).publicKeyBytes == Base58.decode(publicKeyBase58))
    }

    @Test func derivesTheDIDOfAKnownSeed() throws {
        // A published Ed25519 key whose private form is seed followed by public key.
        let expanded = Base58.decode(
            "3FFXDEFub6DPDX9CEZugQKAFikm1rfnNFwdycUGksAWhrs6BNca6USdttMcyx6oAdKmtnFBQijgisU58r26JfXJF")!
        let key = try IdentityKey(seed: expanded.prefix(32))
        #expect(key.did.description == "did:key:z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR")
    }

    @Test func roundTripsGeneratedKeys() throws {
        for _ in 0..<20 {
            let key = Curve25519.Signing.PrivateKey().publicKey
            let did = DID(publicKey: key)
            #expect(did.description.hasPrefix("did:key:z6Mk"))
            let parsed = try DID(parsing: did.description)
            #expect(parsed == did)
            #expect(parsed.publicKey.rawRepresentation == key.rawRepresentation)
        }
    }

    @Test(arguments: [
        "did:web:example.com",
        "did:key:6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th",  // no multibase prefix
        "did:key:zTjsVPtY",  // too short for an Ed25519 key
        "did:key:z6LShLeXRTzevtwcfehaGEzCMyL3bNsAeKCwcqwJxyCo63yE",  // an X25519 key
        "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7t0",  // '0' is not base58
    ])
    func rejectsWhatIsNotAnEd25519DIDKey(text: String) {
        #expect(throws: IdentityError.self) { try DID(parsing: text) }
    }
}

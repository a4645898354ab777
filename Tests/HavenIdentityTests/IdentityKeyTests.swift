import Crypto
import Foundation
import Testing

@testable import HavenIdentity

@Suite struct IdentityKeyTests {
    // RFC 8032, section 7.1, test 1.
    let seed = [UInt8](hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    let publicKey = [UInt8](hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")

    @Test func derivesTheRFC8032PublicKey() throws {
        let key = try IdentityKey(seed: seed)
        #expect(key.did.publicKeyBytes == publicKey)
    }

    @Test func signaturesVerifyUnderTheDIDsKey() throws {
        let key = IdentityKey()
        let message = Data("haven".utf8)
        let signature = try key.signature(for: message)
        #expect(key.did.publicKey.isValidSignature(signature, for: message))
        #expect(!key.did.publicKey.isValidSignature(signature, for: Data("havem".utf8)))
    }

    @Test func pemRoundTripsAndIsPKCS8() throws {
        let key = try IdentityKey(seed: seed)
        let pem = key.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        // Byte for byte what OpenSSL (through Python's cryptography) writes for this seed.
        #expect(pem.contains("MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g"))
        #expect(try IdentityKey(pemRepresentation: pem).did == key.did)
    }

    @Test(arguments: [
        "",
        "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v\n-----END PRIVATE KEY-----\n",
    ])
    func rejectsDamagedKeyFiles(pem: String) {
        #expect(throws: IdentityError.self) { try IdentityKey(pemRepresentation: pem) }
    }
}

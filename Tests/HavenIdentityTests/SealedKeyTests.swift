import Foundation
import Testing

@testable import HavenIdentity

@Suite struct SealedKeyTests {
    let secret = Array(0..<32).map { UInt8($0) }
    let context = Array("haven-export/1 identity did:key:z6Mk-test".utf8)

    private func sealed(_ passphrase: String = "correct horse") throws -> SealedKey {
        try SealedKey.seal(secret, passphrase: passphrase, context: context, parameters: .minimum)
    }

    @Test func opensWithThePassphraseItWasSealedWith() throws {
        let key = try sealed()
        #expect(try key.open(passphrase: "correct horse", context: context) == secret)
        #expect(key.kdf == "scrypt" && key.cipher == "aes-256-gcm")
        #expect(key.parameters == .minimum)
    }

    @Test func aWrongPassphraseIsRefused() throws {
        let key = try sealed()
        #expect(try key.open(passphrase: "correct horse", context: context) == secret)
        #expect(throws: SealedKeyError.wrongPassphrase) { try key.open(passphrase: "correct hors", context: context) }
    }

    @Test func anotherContextDoesNotOpenIt() throws {
        let key = try sealed()
        #expect(throws: SealedKeyError.wrongPassphrase) {
            try key.open(passphrase: "correct horse", context: Array("haven-export/1 identity someone else".utf8))
        }
    }

    @Test func theSameCharactersOpenItWhateverTheirUnicodeSpelling() throws {
        let key = try sealed("caf\u{E9} au lait")
        #expect(try key.open(passphrase: "cafe\u{301} au lait", context: context) == secret)
    }

    @Test func sealingTwiceGivesDifferentBlobs() throws {
        #expect(try sealed() != sealed())
    }

    @Test func anAlteredCiphertextIsRefused() throws {
        let key = try sealed()
        var bytes = try #require(Base64URL.decode(key.sealed))
        bytes[0] ^= 1
        let altered = SealedKey(
            kdf: key.kdf, logN: key.logN, r: key.r, p: key.p, salt: key.salt, cipher: key.cipher, nonce: key.nonce,
            sealed: Base64URL.encode(bytes))
        #expect(throws: SealedKeyError.wrongPassphrase) { try altered.open(passphrase: "correct horse", context: context) }
    }

    @Test func costsOutsideTheAcceptedRangeAreRefusedBeforeDeriving() throws {
        let key = try sealed()
        let costly = SealedKey(
            kdf: key.kdf, logN: 30, r: key.r, p: key.p, salt: key.salt, cipher: key.cipher, nonce: key.nonce,
            sealed: key.sealed)
        #expect(throws: SealedKeyError.self) { try costly.open(passphrase: "correct horse", context: context) }
        #expect(!SealedKey.Parameters(logN: 20, r: 16, p: 4).isAccepted)
        #expect(SealedKey.Parameters.standard.isAccepted)
    }

    @Test func anEmptyPassphraseIsRefused() {
        #expect(throws: SealedKeyError.emptyPassphrase) {
            try SealedKey.seal(secret, passphrase: "", context: context, parameters: .minimum)
        }
    }

    @Test func itRoundTripsThroughJSON() throws {
        let key = try sealed()
        let json = try JSONEncoder().encode(key)
        #expect(String(decoding: json, as: UTF8.self).contains("\"log_n\":10"))
        let decoded = try JSONDecoder().decode(SealedKey.self, from: json)
        #expect(try decoded.open(passphrase: "correct horse", context: context) == secret)
    }
}

import Foundation
import HavenIdentity
import HavenTestSupport
import Testing

@testable import HavenStore

@Suite struct HomeKeyringTests {
    /// Cheap scrypt, so the tests stay fast; the default's strength is checked on its own.
    static let cheap = ScryptParameters(log2n: 10, r: 8, p: 1)
    static let home = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    let passphrase = UnlockSecret.passphrase("correct horse battery staple")

    /// A data key, recognised by what it seals: the column sealer of another key cannot open it.
    func opens(_ key: DataKey, whatIsSealedWith other: DataKey) -> Bool {
        let sealed = ColumnSealer(dataKey: other).seal(Array("probe".utf8), for: SealedColumn("t.c"))
        guard case .blob(let data) = sealed.storage else { return false }
        return (try? ColumnSealer(dataKey: key).open(data, for: SealedColumn("t.c"))) == Data("probe".utf8)
    }

    @Test func theRightPassphraseUnlocksTheSameDataKey() throws {
        let key = DataKey.generate()
        let keyring = try HomeKeyring.create(for: key, home: Self.home, secret: passphrase, scrypt: Self.cheap)
        #expect(keyring.unlock == .passphrase)
        #expect(keyring.kdf == "scrypt")
        #expect(keyring.scrypt == Self.cheap)
        let unlocked = try keyring.unlock(with: passphrase)
        #expect(opens(unlocked, whatIsSealedWith: key))
    }

    @Test func aWrongPassphraseIsRefusedWithAClearError() throws {
        let keyring = try HomeKeyring.create(for: .generate(), home: Self.home, secret: passphrase, scrypt: Self.cheap)
        #expect(throws: KeyringError.doesNotUnlock(.passphrase)) {
            try keyring.unlock(with: .passphrase("correct horse battery stapler"))
        }
        #expect(throws: KeyringError.doesNotUnlock(.passphrase)) { try keyring.unlock(with: .passphrase([])) }
        #expect(KeyringError.doesNotUnlock(.passphrase).description.hasPrefix("the passphrase does not unlock this home"))
    }

    @Test func aKeyFileUnlocksAndAnotherDoesNot() throws {
        let bytes = Array(repeating: UInt8(7), count: 32) + Array("0123456789abcdef".utf8)
        let key = DataKey.generate()
        let keyring = try HomeKeyring.create(for: key, home: Self.home, secret: .keyFile(bytes))
        #expect(keyring.kdf == "hkdf-sha256")
        #expect(keyring.scrypt == nil)
        #expect(opens(try keyring.unlock(with: .keyFile(bytes)), whatIsSealedWith: key))
        var other = bytes
        other[0] ^= 1
        #expect(throws: KeyringError.doesNotUnlock(.keyFile)) { try keyring.unlock(with: .keyFile(other)) }
        #expect(throws: KeyringError.wrongKind(needs: .keyFile, given: .passphrase)) {
            try keyring.unlock(with: .passphrase(bytes))
        }
    }

    @Test func weakSecretsAreRefusedWhenAHomeIsEncrypted() {
        #expect(throws: KeyringError.unusableSecret(reason: "the passphrase must have at least 8 characters")) {
            try HomeKeyring.create(for: .generate(), home: Self.home, secret: .passphrase("short"), scrypt: Self.cheap)
        }
        #expect(throws: KeyringError.unusableSecret(reason: "the key file must hold at least 32 random bytes, not 16")) {
            try HomeKeyring.create(for: .generate(), home: Self.home, secret: .keyFile(Array(repeating: 1, count: 16)))
        }
        #expect(ScryptParameters(log2n: 9, r: 8, p: 1).problem != nil)
        #expect(ScryptParameters(log2n: 23, r: 8, p: 1).problem != nil)
    }

    @Test func theDefaultCostIsMemoryHard() {
        #expect(ScryptParameters.standard.log2n >= 17)
        #expect(ScryptParameters.standard.memory >= 128 << 20)
        #expect(ScryptParameters.standard.problem == nil)
    }

    /// Any edit to what the seal binds (the home, the cost, the salt) or to the sealed key
    /// itself makes the right passphrase fail too.
    @Test(arguments: ["home", "scrypt", "salt", "sealed_key"])
    func tamperingWithTheKeyringIsDetected(field: String) throws {
        let keyring = try HomeKeyring.create(for: .generate(), home: Self.home, secret: passphrase, scrypt: Self.cheap)
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(keyring)) as? [String: Any])
        switch field {
        case "home": object["home"] = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"
        case "scrypt": object["scrypt"] = ["log2n": 11, "r": 8, "p": 1]
        case "salt":
            var salt = try #require(Base64URL.decode(object["salt"] as! String))
            salt[0] ^= 1
            object["salt"] = Base64URL.encode(salt)
        default:
            var sealed = try #require(Base64URL.decode(object["sealed_key"] as! String))
            sealed[20] ^= 1
            object["sealed_key"] = Base64URL.encode(sealed)
        }
        let tampered = try JSONDecoder().decode(HomeKeyring.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(throws: KeyringError.doesNotUnlock(.passphrase)) { try tampered.unlock(with: passphrase) }
    }

    @Test func theFileIsWrittenPrivateAndReadBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/keyring.json"
        let keyring = try HomeKeyring.create(for: .generate(), home: Self.home, secret: passphrase, scrypt: Self.cheap)
        try keyring.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try HomeKeyring.read(from: path) == keyring)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["keyring.json"])
        // The file says how to unlock, never with what.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"format\" : \"haven-keyring/1\""))
        #expect(!text.contains("correct horse"))
        chmod(path, 0o644)
        #expect(throws: KeyringError.insecurePermissions(path: path, mode: 0o644)) { try HomeKeyring.read(from: path) }
    }

    @Test func aFileThatIsNotAKeyringIsRefusedAsDamaged() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/keyring.json"
        FileManager.default.createFile(atPath: path, contents: Data("{\"format\": \"haven-keyring/9\"}".utf8), attributes: [.posixPermissions: 0o600])
        #expect {
            try HomeKeyring.read(from: path)
        } throws: { error in
            guard case .malformed(let at, _) = error as? KeyringError else { return false }
            return at == path
        }
    }

    @Test func secretsAndKeysNeverAppearInDescriptions() {
        let secret = UnlockSecret.passphrase("correct horse battery staple")
        #expect(!"\(secret)".contains("horse"))
        #expect(!String(reflecting: secret).contains("horse"))
        #expect("\(DataKey.generate())" == "DataKey(redacted)")
    }
}

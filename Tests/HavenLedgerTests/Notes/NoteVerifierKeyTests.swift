import Crypto
import HavenLedger
import Testing

@Suite struct NoteVerifierKeyTests {
    static let peterVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"

    @Test(arguments: [
        ("go-sumdb-peterneumann.vkey", "PeterNeumann", 0xc74f_20a3 as UInt32, NoteSignatureType.ed25519),
        ("go-sumdb-enochroot.vkey", "EnochRoot", 0xaf0c_fe78, .ed25519),
        ("c2sp-signed-note-example.vkey", "example.com/foo", 0x530d_903a, .ed25519),
        ("generated-w1.vkey", "witness.example.com/w1", 0xe849_8172, .ed25519CosignatureV1),
    ])
    func publishedKeysParseAndFormatBack(file: String, name: String, keyID: UInt32, type: NoteSignatureType) throws {
        let text = try NoteFixtures.key(file)
        let key = try NoteVerifierKey(parsing: text)
        #expect(key.name == name)
        #expect(key.keyID == NoteKeyID(rawValue: keyID))
        #expect(key.type == type)
        #expect(key.serialized == text)
        #expect("\(key)" == text)
    }

    @Test func keyIDIsTheTruncatedHashOfNameTypeAndKey() throws {
        let key = try NoteVerifierKey(parsing: Self.peterVKey)
        let computed = NoteKeyID(
            name: "PeterNeumann", type: .ed25519, publicKey: Array(key.publicKey.rawRepresentation))
        #expect(computed == NoteKeyID(rawValue: 0xc74f_20a3))
        #expect(computed.bytes == [0xc7, 0x4f, 0x20, 0xa3])
        // The same key as a cosigner has another ID.
        let cosigner = try NoteVerifierKey(name: "PeterNeumann", type: .ed25519CosignatureV1, publicKey: key.publicKey)
        #expect(cosigner.keyID != key.keyID)
        #expect(NoteKeyID(rawValue: 0x0000_00ab).description == "000000ab")
    }

    @Test func everyTruncationOfAKeyIsRejected() {
        let bytes = Array(Self.peterVKey.utf8)
        for start in 0...bytes.count {
            for end in (start + 1)..<(bytes.count + 1) where start != 0 || end != bytes.count {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                #expect(throws: NoteError.self, "\(text)") { try NoteVerifierKey(parsing: text) }
            }
        }
    }

    @Test func everyIncrementedByteOfAKeyIsRejected() {
        let bytes = Array(Self.peterVKey.utf8)
        for index in bytes.indices {
            var mangled = bytes
            mangled[index] &+= 1
            let text = String(decoding: mangled, as: UTF8.self)
            #expect(throws: NoteError.self, "\(text)") { try NoteVerifierKey(parsing: text) }
        }
    }

    static let malformed: [(String, NoteError)] = [
        ("PeterNeumann+c74f20a3", .malformedVerifierKey(reason: "it has 2 of the 3 \"+\"-separated parts")),
        (
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            .malformedVerifierKey(reason: "the key ID is not 8 lowercase hex digits")
        ),
        (
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            .malformedVerifierKey(reason: "the key ID is not 8 lowercase hex digits")
        ),
        (
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
            .malformedVerifierKey(reason: "the key is not canonical base64 of a type byte and a public key")
        ),
        (
            "PeterNeumann+c74f20a3+",
            .malformedVerifierKey(reason: "the key is not canonical base64 of a type byte and a public key")
        ),
        (
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX",
            .keyIDMismatch(
                name: "PeterNeumann", stated: NoteKeyID(rawValue: 0xc74f_20a3),
                computed: NoteKeyID(rawValue: 0xa79e_8a0c))
        ),
        (
            "PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            .keyIDMismatch(
                name: "PeterNeumann", stated: NoteKeyID(rawValue: 0), computed: NoteKeyID(rawValue: 0xc74f_20a3))
        ),
        // Go's test vector: an unknown algorithm byte ("Z" → 0x65) with an adjusted key ID.
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", .unsupportedSignatureType(0x65)),
        ("PeterNeumann+c74f20a3+AhpctQ==", .unsupportedSignatureType(0x02)),
        (
            "PeterNeumann+c74f20a3+ARpc2Q==",
            .malformedVerifierKey(reason: "an Ed25519 public key is 32 bytes, this one is 3")
        ),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", .invalidKeyName("Peter Neumann")),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", .invalidKeyName("")),
    ]

    @Test(arguments: malformed)
    func malformedKeysGiveSpecificErrors(text: String, expected: NoteError) {
        #expect(throws: expected) { try NoteVerifierKey(parsing: text) }
    }

    @Test func goWrongLengthKeyVectorIsRejected() {
        // From Go's TestNewVerifier: a 36-byte key with its key ID adjusted (its base64 is also
        // not canonical, which is refused first).
        #expect(throws: NoteError.self) {
            try NoteVerifierKey(parsing: "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
        }
    }

    @Test(arguments: ["", "a b", "a+b", "a\u{3000}b", "a\u{2028}b", "a\u{1}b", "tab\there"])
    func invalidNamesAreRefused(name: String) throws {
        let key = Curve25519.Signing.PrivateKey().publicKey
        #expect(throws: NoteError.invalidKeyName(name)) { try NoteVerifierKey(name: name, publicKey: key) }
    }

    @Test func verifyChecksNameKeyIDAndSignature() throws {
        let signer = try NoteSignerKey.generate(name: "v.example")
        let key = signer.verifierKey
        let signature = try signer.sign("hi\n")
        #expect(key.matches(signature))
        #expect(key.verify(signature, text: Array("hi\n".utf8)))
        #expect(!key.verify(signature, text: Array("hi!\n".utf8)))
        let renamed = try NoteSignature(name: "w.example", keyID: signature.keyID, signature: signature.signature)
        #expect(!key.matches(renamed) && !key.verify(renamed, text: Array("hi\n".utf8)))
        let short = try NoteSignature(
            name: "v.example", keyID: signature.keyID, signature: Array(signature.signature.dropLast()))
        #expect(!key.verify(short, text: Array("hi\n".utf8)))
    }
}

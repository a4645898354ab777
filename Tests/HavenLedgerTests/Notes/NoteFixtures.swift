import Crypto
import Foundation
import HavenLedger

/// The vectors under `Vectors/notes/` (see SOURCE.md there) and the keys the tests build from
/// RFC 8032 test seeds. Paths resolve through symlinks so the tests also run from a scratch package.
enum NoteFixtures {
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors").appendingPathComponent("notes")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// A one-line key file without its final newline.
    static func key(_ name: String) throws -> String {
        var text = try text(name)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    static func verifierKey(_ name: String) throws -> NoteVerifierKey {
        try NoteVerifierKey(parsing: key(name))
    }

    /// RFC 8032 §7.1 test secret keys, the seeds of the generated vectors.
    static let rfc8032Test1 = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfc8032Test2 = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
    static let rfc8032Test3 = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"
    static let rfc8032Test1024 = "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5"

    static func privateKey(seedHex: String) throws -> Curve25519.Signing.PrivateKey {
        var seed: [UInt8] = []
        var index = seedHex.startIndex
        while index < seedHex.endIndex {
            let next = seedHex.index(index, offsetBy: 2)
            seed.append(UInt8(seedHex[index..<next], radix: 16)!)
            index = next
        }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// Whether this platform's Ed25519 signs deterministically (BoringSSL does; CryptoKit on
    /// Apple platforms randomises), so re-signing can be compared byte for byte.
    static var signsDeterministically: Bool {
        #if canImport(Darwin)
            false
        #else
            true
        #endif
    }

    /// The note text of the Go sumdb/note example.
    static let peterText =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"

    /// Every byte of `bytes` flipped in its lowest bit, one at a time.
    static func singleBitFlips(of bytes: [UInt8]) -> [(offset: Int, bytes: [UInt8])] {
        bytes.indices.map { offset in
            var copy = bytes
            copy[offset] ^= 0x01
            return (offset, copy)
        }
    }
}

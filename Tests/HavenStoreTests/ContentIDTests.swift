import Foundation
import Testing

@testable import HavenStore

struct ContentIDTests {
    static let helloWorld = Array("hello world".utf8)

    @Test func rawIdOfHelloWorldMatchesThePublishedVector() {
        let id = ContentID.hashing(Self.helloWorld, codec: .raw)
        #expect(id.description == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")
        #expect(id.hex == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    }

    @Test func dagJSONIdsUseTheDagJSONMulticodec() {
        // Multicodec 0x0129 (dag-json) is the varint a9 02, which base32 spells "baguqeera…";
        // "bagaaiera…" would be plain json (0x0200).
        let id = ContentID.hashing(Self.helloWorld, codec: .dagJSON)
        #expect(id.description == "baguqeeraxfgspomtju7arjjokll5u7nl7lcij37dpjjyb3uqrd32zyxpzxuq")
    }

    @Test func bufferAndArrayHashingAgree() {
        let fromBuffer = Self.helloWorld.withUnsafeBytes { ContentID.hashing($0, codec: .raw) }
        #expect(fromBuffer == ContentID.hashing(Self.helloWorld, codec: .raw))
        #expect(fromBuffer != ContentID.hashing(Self.helloWorld, codec: .dagJSON))
    }

    @Test(arguments: [ContentID.Codec.raw, .dagJSON])
    func parsingTheDescriptionGivesTheSameId(codec: ContentID.Codec) throws {
        let id = ContentID.hashing(Array("some chunk".utf8), codec: codec)
        let parsed = try ContentID(parsing: id.description)
        #expect(parsed == id)
        #expect(parsed.codec == codec)
    }

    @Test func hexRoundTripsAndRejectsOtherText() throws {
        let id = ContentID.hashing(Self.helloWorld, codec: .raw)
        #expect(ContentID(hex: id.hex, codec: .raw) == id)
        #expect(ContentID(hex: id.hex, codec: .dagJSON)?.codec == .dagJSON)
        #expect(ContentID(hex: id.hex.uppercased(), codec: .raw) == nil)
        #expect(ContentID(hex: String(id.hex.dropLast()), codec: .raw) == nil)
        #expect(ContentID(hex: String(id.hex.dropLast()) + "g", codec: .raw) == nil)
        #expect(ContentID(hex: "", codec: .raw) == nil)
    }

    @Test(arguments: [
        ("", "empty"),
        ("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", "multibase prefix"),
        ("QmaozNR7DZHQK1ZcU9p7QdrshMvXqWK6gpu5rmrkPdT3L4", "CIDv0"),
        ("BAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E", "upper-case"),
        ("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36N5E", "upper-case"),
        ("bafkrei fzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", "alphabet"),
        ("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5", "base32"),
        ("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei", "truncated"),
        ("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5eaaaaaaaa", "after the digest"),
        ("bajkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", "version 2"),
        ("bafybeifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", "codec 0x70"),
        (
            "bafkrgqbqt3gerhas23vuzrapkdeqf4vu2dwxp3srdj6hvg6nhsug2tgyn6mj3u23yx7utftq3i2ckw2fwdh5qmhid5qf3t35yvkc5e5ottlw6",
            "multihash 0x13"
        ),
        ("bafkreefzjut3te2nhyekklss27nh3k72", "32 bytes, not 16"),
        ("bahkqaeraxfgspomtju7arjjokll5u7nl7lcij37dpjjyb3uqrd32zyxpzxuq", "canonical"),
    ])
    func malformedTextIsRejectedWithItsReason(text: String, reasonMentions: String) {
        do {
            let id = try ContentID(parsing: text)
            Issue.record("'\(text)' parsed as \(id)")
        } catch {
            guard case .invalidContentID(let rejected, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(rejected == text)
            #expect(reason.contains(reasonMentions), "reason was: \(reason)")
        }
    }

    @Test func jsonFormIsTheString() throws {
        let id = ContentID.hashing(Self.helloWorld, codec: .raw)
        let json = try JSONEncoder().encode([id])
        #expect(String(decoding: json, as: UTF8.self) == #"["bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"]"#)
        #expect(try JSONDecoder().decode([ContentID].self, from: json) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ContentID].self, from: Data(#"["bafkrei"]"#.utf8))
        }
    }

    @Test func idsOrderByCodecThenDigest() {
        let low = ContentID(codec: .raw, digest: [0x00] + Array(repeating: 0xFF, count: 31))
        let high = ContentID(codec: .raw, digest: [0x01] + Array(repeating: 0x00, count: 31))
        let manifest = ContentID(codec: .dagJSON, digest: Array(repeating: 0x00, count: 32))
        #expect([manifest, high, low].sorted() == [low, high, manifest])
    }
}

import Foundation
import Testing

@testable import HavenStore

struct ManifestTests {
    /// "hello world" and "hello" as the two chunks of a 16-byte text file.
    static let example = Manifest(
        size: 16,
        mediaType: "text/plain",
        chunks: [
            .init(id: ContentID.hashing(Array("hello world".utf8), codec: .raw), size: 11),
            .init(id: ContentID.hashing(Array("hello".utf8), codec: .raw), size: 5),
        ]
    )

    static let exampleJSON =
        #"{"chunks":[{"id":{"/":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"},"size":11},"#
        + #"{"id":{"/":"bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"},"size":5}],"#
        + #""mediaType":"text/plain","size":16}"#

    @Test func encodingIsCanonicalDagJSON() {
        #expect(String(decoding: Self.example.encoded(), as: UTF8.self) == Self.exampleJSON)
    }

    @Test func idIsTheDagJSONHashOfTheEncoding() {
        #expect(Self.example.id.description == "baguqeeravtba7xatsf2vdf557y7mgzwx5vzde47s3oerpuxzjlbp24j77bqq")
        #expect(Self.example.id == ContentID.hashing(Array(Self.exampleJSON.utf8), codec: .dagJSON))
    }

    @Test func emptyFileHasNoChunks() throws {
        let empty = Manifest(size: 0, mediaType: "application/octet-stream", chunks: [])
        let json = #"{"chunks":[],"mediaType":"application/octet-stream","size":0}"#
        #expect(String(decoding: empty.encoded(), as: UTF8.self) == json)
        #expect(try Manifest(decoding: Array(json.utf8)) == empty)
    }

    @Test func stringsAreEscapedMinimally() throws {
        let manifest = Manifest(size: 0, mediaType: "a\"b\\c\n\t\u{1}\u{7F}é/😀", chunks: [])
        let json = #"{"chunks":[],"mediaType":"a\"b\\c\n\t\u0001"# + "\u{7F}é/😀" + #"","size":0}"#
        #expect(String(decoding: manifest.encoded(), as: UTF8.self) == json)
        #expect(try Manifest(decoding: manifest.encoded()) == manifest)
    }

    @Test func decodingReversesEncoding() throws {
        #expect(try Manifest(decoding: Self.example.encoded()) == Self.example)
    }

    @Test func idChangesWhenTheMediaTypeChanges() {
        let markdown = Manifest(size: Self.example.size, mediaType: "text/markdown", chunks: Self.example.chunks)
        #expect(markdown.id != Self.example.id)
        #expect(markdown.id.codec == .dagJSON)
    }

    @Test(arguments: [
        // Whitespace between tokens.
        Self.exampleJSON.replacingOccurrences(of: ",\"size\":16}", with: ", \"size\": 16}"),
        Self.exampleJSON + "\n",
        // Keys out of order, at the top and inside a chunk.
        #"{"mediaType":"text/plain","chunks":[],"size":0}"#,
        #"{"chunks":[{"size":11,"id":{"/":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"}}],"#
            + #""mediaType":"text/plain","size":11}"#,
        // Escapes that the canonical form does not use.
        #"{"chunks":[],"mediaType":"text\/plain","size":0}"#,
        #"{"chunks":[],"mediaType":"\u0074ext/plain","size":0}"#,
        #"{"chunks":[],"mediaType":"a\u001Fb","size":0}"#,
        // Minus zero.
        #"{"chunks":[],"mediaType":"text/plain","size":-0}"#,
    ])
    func nonCanonicalEncodingsAreRejected(json: String) {
        #expect(throws: ContentError.manifestNotCanonical) {
            try Manifest(decoding: Array(json.utf8))
        }
    }

    @Test func sizesThatDoNotAddUpAreRejected() {
        let json = Self.exampleJSON.replacingOccurrences(of: ",\"size\":16}", with: ",\"size\":12}")
        #expect(throws: ContentError.manifestSizeMismatch(declared: 12, chunkTotal: 16)) {
            try Manifest(decoding: Array(json.utf8))
        }
    }

    @Test(arguments: [
        ("", "ends"),
        ("[]", "expected '{'"),
        (#"{"chunks":[],"mediaType":"text/plain"}"#, "needs the keys"),
        (#"{"chunks":[],"mediaType":"text/plain","size":0,"name":"x"}"#, "unknown key 'name'"),
        (#"{"chunks":[],"mediaType":"text/plain","size":0,"size":0}"#, "twice"),
        (#"{"chunks":[],"mediaType":"text/plain","size":0}x"#, "after the manifest"),
        (#"{"chunks":[],"mediaType":"text/plain","size":1.5}"#, "not an integer"),
        (#"{"chunks":[],"mediaType":"text/plain","size":-1}"#, "negative"),
        (#"{"chunks":[],"mediaType":"text/plain","size":99999999999999999999}"#, "too large"),
        (#"{"chunks":[],"mediaType":"text/plain","size":007}"#, "leading zero"),
        (#"{"chunks":[],"mediaType":"a\qb","size":0}"#, "invalid escape"),
        (#"{"chunks":[],"mediaType":"\ud800","size":0}"#, "surrogate"),
        (
            #"{"chunks":[{"id":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e","size":11}],"#
                + #""mediaType":"text/plain","size":11}"#,
            "expected '{'"
        ),
        (
            #"{"chunks":[{"id":{"/":"baguqeeraxfgspomtju7arjjokll5u7nl7lcij37dpjjyb3uqrd32zyxpzxuq"},"size":11}],"#
                + #""mediaType":"text/plain","size":11}"#,
            "not a raw chunk id"
        ),
        (
            #"{"chunks":[{"id":{"/":"bafkrei"},"size":11}],"mediaType":"text/plain","size":11}"#,
            "chunk 0: 'bafkrei' is not a Haven content id"
        ),
        (
            #"{"chunks":[{"id":{"/":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"},"size":0}],"#
                + #""mediaType":"text/plain","size":0}"#,
            "chunk sizes are positive"
        ),
    ])
    func malformedManifestsAreRejectedWithTheirReason(json: String, reasonMentions: String) {
        do {
            let manifest = try Manifest(decoding: Array(json.utf8))
            Issue.record("decoded \(manifest)")
        } catch {
            guard case .malformedManifest(let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reason.contains(reasonMentions), "reason was: \(reason)")
        }
    }

    @Test func invalidUTF8IsRejected() {
        let bytes = Array(#"{"chunks":[],"mediaType":""#.utf8) + [0xC3, 0x28] + Array(#"","size":0}"#.utf8)
        #expect(throws: ContentError.malformedManifest(reason: "a string is not valid UTF-8")) {
            try Manifest(decoding: bytes)
        }
    }
}

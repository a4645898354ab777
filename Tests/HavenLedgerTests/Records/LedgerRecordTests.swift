import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenLedger

/// Ledger records: canonical, signed, named by their bytes; and ownership chains built from them.
@Suite struct LedgerRecordTests {
    let alice = IdentityKey()
    let bob = IdentityKey()
    let carol = IdentityKey()
    let content = ContentID.hashing(Array("a manifest".utf8), codec: .dagJSON)
    let policy = ContentID.hashing(Array("a policy".utf8), codec: .dagJSON)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func mint(at offset: TimeInterval = 0) throws -> LedgerRecord {
        try LedgerRecord(
            .mint(content: content, mediaType: "text/plain", title: "Notes", licence: policy), by: alice,
            at: start + offset)
    }

    @Test func aRecordRoundTripsAndItsIdIsTheCIDOfItsBytes() throws {
        let record = try mint()
        let parsed = try LedgerRecord(parsing: record.encoded)
        #expect(parsed == record)
        #expect(parsed.id == ContentID.hashing(record.encoded, codec: .dagJSON))
        #expect(parsed.id.codec == .dagJSON)
        let text = String(decoding: record.encoded, as: UTF8.self)
        #expect(text.hasPrefix(#"{"content":""#))
        #expect(text.contains(#""time":"2027-01-15T08:00:00Z""#))
        #expect(!text.contains(" "))
    }

    @Test(arguments: [
        LedgerStatement.transfer(content: ContentID.hashing([1], codec: .dagJSON), to: IdentityKey().did, previous: ContentID.hashing([2], codec: .dagJSON)),
        .licence(content: ContentID.hashing([1], codec: .dagJSON), to: IdentityKey().did, policy: ContentID.hashing([3], codec: .raw)),
        .revoke(record: ContentID.hashing([4], codec: .dagJSON)),
    ])
    func everyStatementRoundTrips(statement: LedgerStatement) throws {
        let record = try LedgerRecord(statement, by: alice, at: start)
        #expect(try LedgerRecord(parsing: record.encoded).statement == statement)
    }

    @Test func anyChangedByteIsRefused() throws {
        let record = try mint()
        for index in record.encoded.indices {
            var bytes = record.encoded
            bytes[index] ^= 0x01
            #expect(throws: LedgerRecordError.self) { try LedgerRecord(parsing: bytes) }
        }
    }

    @Test func aNonCanonicalEncodingOfAValidRecordIsRefused() throws {
        let record = try mint()
        let spaced = Array(String(decoding: record.encoded, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        #expect(throws: LedgerRecordError.notCanonical) { try LedgerRecord(parsing: spaced) }
        let object = try JSONSerialization.jsonObject(with: Data(record.encoded)) as! [String: Any]
        var extra = object
        extra["note"] = "hi"
        let withExtra = [UInt8](try JSONSerialization.data(withJSONObject: extra, options: [.sortedKeys, .withoutEscapingSlashes]))
        #expect(throws: LedgerRecordError.self) { try LedgerRecord(parsing: withExtra) }
    }

    @Test func aSignatureByAnotherKeyIsRefused() throws {
        let record = try mint()
        let text = String(decoding: record.encoded, as: UTF8.self)
            .replacingOccurrences(of: alice.did.description, with: bob.did.description)
        #expect(throws: LedgerRecordError.badSignature) { try LedgerRecord(parsing: Array(text.utf8)) }
    }

    @Test func oversizedRecordsAreRefused() throws {
        let big = String(repeating: "x", count: 70_000)
        #expect(throws: LedgerRecordError.self) {
            try LedgerRecord(.mint(content: content, mediaType: "text/plain", title: big, licence: nil), by: alice, at: start)
        }
        #expect(throws: LedgerRecordError.tooLarge(70_000)) { try LedgerRecord(parsing: [UInt8](repeating: 0x20, count: 70_000)) }
    }

    @Test func ownershipFollowsTransfersSignedByTheOwnerOfTheMoment() throws {
        let minted = try mint()
        let toBob = try LedgerRecord(.transfer(content: content, to: bob.did, previous: minted.id), by: alice, at: start + 10)
        let toCarol = try LedgerRecord(.transfer(content: content, to: carol.did, previous: toBob.id), by: bob, at: start + 20)
        let chain = try OwnershipChain(content: content, records: [toCarol, minted, toBob])
        #expect(chain.records.map(\.id) == [minted.id, toBob.id, toCarol.id])
        #expect(chain.creator == alice.did)
        #expect(chain.owner == carol.did)
        #expect(chain.owner(at: start + 15) == bob.did)
        #expect(chain.owner(at: start - 1) == nil)
        let licence = try LedgerRecord(.licence(content: content, to: alice.did, policy: policy), by: bob, at: start + 15)
        #expect(chain.authorizes(licence))
        let late = try LedgerRecord(.licence(content: content, to: alice.did, policy: policy), by: bob, at: start + 25)
        #expect(!chain.authorizes(late))
    }

    @Test func aTransferNotSignedByTheOwnerBreaksTheChain() throws {
        let minted = try mint()
        let stolen = try LedgerRecord(.transfer(content: content, to: carol.did, previous: minted.id), by: carol, at: start + 10)
        #expect(throws: LedgerRecordError.self) { try OwnershipChain(content: content, records: [minted, stolen]) }
    }

    @Test func givingOwnershipAwayTwiceIsRefused() throws {
        let minted = try mint()
        let one = try LedgerRecord(.transfer(content: content, to: bob.did, previous: minted.id), by: alice, at: start + 10)
        let two = try LedgerRecord(.transfer(content: content, to: carol.did, previous: minted.id), by: alice, at: start + 11)
        #expect(throws: LedgerRecordError.self) { try OwnershipChain(content: content, records: [minted, one, two]) }
        // Either alone is a valid chain.
        #expect(try OwnershipChain(content: content, records: [minted, two]).owner == carol.did)
    }

    @Test func aChainNeedsExactlyOneMintAndOnlyItsOwnContent() throws {
        let minted = try mint()
        #expect(throws: LedgerRecordError.self) { try OwnershipChain(content: content, records: []) }
        #expect(throws: LedgerRecordError.self) { try OwnershipChain(content: content, records: [minted, try mint(at: 1)]) }
        let other = try LedgerRecord(
            .mint(content: policy, mediaType: "text/plain", title: "Other", licence: nil), by: alice, at: start)
        #expect(throws: LedgerRecordError.self) { try OwnershipChain(content: content, records: [minted, other]) }
        let dangling = try LedgerRecord(.transfer(content: content, to: bob.did, previous: policy), by: alice, at: start + 1)
        #expect(throws: LedgerRecordError.self) { try OwnershipChain(content: content, records: [minted, dangling]) }
    }
}

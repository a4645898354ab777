import Foundation
import HavenIdentity
import HavenStore

/// A signed ledger record: a statement, who made it (a did:key) and when, signed with the
/// issuer's Ed25519 key, named by the CID (dag-json) of its canonical bytes, at most 64 KiB.
///
/// The canonical form is JSON with sorted keys and no whitespace, the fields of one statement
/// kind exactly, time as `YYYY-MM-DDTHH:MM:SSZ`, and the signature in base64url over the same
/// object without `sig`, prefixed with ``signingDomain``. Parsing is strict: bytes that are
/// not exactly the canonical encoding of what they say are refused, so a record has one id.
public struct LedgerRecord: Sendable, Equatable {
    public static let maximumSize = 64 << 10
    /// Signatures cover this prefix and the unsigned record, so they cannot be replayed as
    /// signatures of anything else the key signs.
    public static let signingDomain = Array("haven-ledger-record/v1\n".utf8)

    public let statement: LedgerStatement
    public let issuer: DID
    /// Whole seconds.
    public let time: Date
    public let signature: [UInt8]
    /// The canonical bytes, signature included.
    public let encoded: [UInt8]

    /// The record's id: CID (dag-json, sha2-256) of its canonical bytes.
    public var id: ContentID { ContentID.hashing(encoded, codec: .dagJSON) }

    /// Makes and signs a record as `key`'s did:key.
    public init(_ statement: LedgerStatement, by key: IdentityKey, at time: Date = Date()) throws {
        let seconds = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        let unsigned = try Self.encode(Fields(statement, issuer: key.did, time: seconds, sig: nil))
        let signature = [UInt8](try key.signature(for: Self.signingDomain + unsigned))
        let encoded = try Self.encode(Fields(statement, issuer: key.did, time: seconds, sig: Base64URL.encode(signature)))
        guard encoded.count <= Self.maximumSize else { throw LedgerRecordError.tooLarge(encoded.count) }
        self.statement = statement
        self.issuer = key.did
        self.time = seconds
        self.signature = signature
        self.encoded = encoded
    }

    /// Reads and checks a record: size, canonical form, and the issuer's signature.
    public init(parsing bytes: [UInt8]) throws(LedgerRecordError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(bytes.count) }
        let fields: Fields
        do {
            fields = try JSONDecoder().decode(Fields.self, from: Data(bytes))
        } catch {
            throw .malformed("\(error)")
        }
        let (statement, issuer, time) = try fields.parsed()
        guard let sig = fields.sig, let signature = Base64URL.decode(sig), signature.count == 64 else {
            throw .malformed("sig must be a base64url Ed25519 signature")
        }
        let canonical = try? Self.encode(fields)
        guard canonical == bytes else { throw .notCanonical }
        let unsigned: [UInt8]
        do {
            unsigned = try Self.encode(Fields(statement, issuer: issuer, time: time, sig: nil))
        } catch {
            throw .malformed("\(error)")
        }
        guard issuer.publicKey.isValidSignature(signature, for: Self.signingDomain + unsigned) else { throw .badSignature }
        self.statement = statement
        self.issuer = issuer
        self.time = time
        self.signature = signature
        self.encoded = bytes
    }

    private static func encode(_ fields: Fields) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(fields))
    }
}

/// The wire form of a record: every field any statement uses, each optional.
private struct Fields: Codable {
    var type: String
    var issuer: String
    var time: String
    var content: String?
    var mediaType: String?
    var title: String?
    var licence: String?
    var to: String?
    var previous: String?
    var policy: String?
    var record: String?
    var sig: String?

    enum CodingKeys: String, CodingKey {
        case type, issuer, time, content, title, licence, to, previous, policy, record, sig
        case mediaType = "media_type"
    }

    static let timeFormat = Date.ISO8601FormatStyle(timeZone: .gmt)

    init(_ statement: LedgerStatement, issuer: DID, time: Date, sig: String?) {
        type = statement.kind
        self.issuer = issuer.description
        self.time = time.formatted(Self.timeFormat)
        self.sig = sig
        switch statement {
        case .mint(let content, let mediaType, let title, let licence):
            self.content = content.description
            self.mediaType = mediaType
            self.title = title
            self.licence = licence?.description
        case .transfer(let content, let to, let previous):
            self.content = content.description
            self.to = to.description
            self.previous = previous.description
        case .licence(let content, let to, let policy):
            self.content = content.description
            self.to = to.description
            self.policy = policy.description
        case .revoke(let record):
            self.record = record.description
        }
    }

    func parsed() throws(LedgerRecordError) -> (LedgerStatement, DID, Date) {
        guard let issuer = try? DID(parsing: issuer) else { throw .malformed("issuer must be a did:key") }
        guard let time = try? Date(time, strategy: Self.timeFormat) else {
            throw .malformed("time must be YYYY-MM-DDTHH:MM:SSZ")
        }
        func cid(_ text: String?, _ name: String) throws(LedgerRecordError) -> ContentID {
            guard let text, let id = try? ContentID(parsing: text) else { throw .malformed("\(name) must be a CID") }
            return id
        }
        func did(_ text: String?, _ name: String) throws(LedgerRecordError) -> DID {
            guard let text, let did = try? DID(parsing: text) else { throw .malformed("\(name) must be a did:key") }
            return did
        }
        let statement: LedgerStatement
        switch type {
        case "mint":
            guard let mediaType, let title, to == nil, previous == nil, policy == nil, record == nil else {
                throw .malformed("a mint has content, media_type, title and optionally licence")
            }
            statement = .mint(
                content: try cid(content, "content"), mediaType: mediaType, title: title,
                licence: try licence.map { text throws(LedgerRecordError) in try cid(text, "licence") })
        case "transfer":
            guard mediaType == nil, title == nil, licence == nil, policy == nil, record == nil else {
                throw .malformed("a transfer has content, to and previous")
            }
            statement = .transfer(content: try cid(content, "content"), to: try did(to, "to"), previous: try cid(previous, "previous"))
        case "licence":
            guard mediaType == nil, title == nil, licence == nil, previous == nil, record == nil else {
                throw .malformed("a licence has content, to and policy")
            }
            statement = .licence(content: try cid(content, "content"), to: try did(to, "to"), policy: try cid(policy, "policy"))
        case "revoke":
            guard content == nil, mediaType == nil, title == nil, licence == nil, to == nil, previous == nil, policy == nil else {
                throw .malformed("a revoke has record only")
            }
            statement = .revoke(record: try cid(record, "record"))
        default:
            throw .malformed("type must be mint, transfer, licence or revoke, not '\(type)'")
        }
        return (statement, issuer, time)
    }
}

import Crypto
import Foundation
import HavenIdentity
import RawStructuredFieldValues

/// RFC 9530 `Content-Digest` with sha-256: the field a signature covers so that it also covers
/// the body.
public enum ContentDigest {
    /// The `Content-Digest` value for `body`: `sha-256=:<base64>:`.
    public static func fieldValue(for body: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: body)).base64EncodedString()
        let item = Item.bare(.undecodedByteSequence(digest))
        var serializer = StructuredFieldValueSerializer()
        // A constant lower-case key and a base64 byte sequence are always serializable.
        let bytes = try! serializer.writeDictionaryFieldValue(["sha-256": .item(item)])
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Checks a received `Content-Digest` value against the body received. The `sha-256` member
    /// is required and compared in constant time; other algorithms are ignored when it is there.
    public static func verify(fieldValue: String, body: [UInt8]) throws(SignatureError) {
        let dictionary = try SignatureFields.parse(fieldValue, field: "Content-Digest")
        guard let member = dictionary["sha-256"] else {
            throw .missingContentDigestAlgorithm
        }
        guard case .item(let item) = member, case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
            let claimed = Data(base64Encoded: base64)
        else {
            throw .malformedField("Content-Digest", reason: "its sha-256 member is not a byte sequence")
        }
        guard ConstantTime.equals(Array(claimed), Array(SHA256.hash(data: body))) else {
            throw .contentDigestMismatch
        }
    }
}

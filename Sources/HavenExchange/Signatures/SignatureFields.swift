import Foundation
import RawStructuredFieldValues

/// The `Signature-Input` and `Signature` fields (RFC 9421 §4.1, §4.2): dictionaries from a label
/// to a signature's parameters and to its bytes, written and read with the structured-field
/// library so that labels, strings and byte sequences follow RFC 9651 exactly.
public enum SignatureFields {
    /// Longest field value accepted, in bytes.
    public static let maximumFieldLength = 8 * 1024

    /// The `Signature-Input` value declaring one signature: `label=(...);created=...`.
    public static func signatureInput(label: String, parameters: SignatureParameters) throws(SignatureError) -> String {
        try serialize([label: .innerList(parameters.innerList)])
    }

    /// The `Signature` value carrying one signature: `label=:base64:`.
    public static func signature(label: String, bytes: [UInt8]) throws(SignatureError) -> String {
        let item = Item.bare(.undecodedByteSequence(Data(bytes).base64EncodedString()))
        return try serialize([label: .item(item)])
    }

    /// The first label in a `Signature-Input` value whose parameters have `tag` equal to `tag`,
    /// with its parameters; `nil` when there is none. Other labels are not interpreted.
    static func parameters(taggedWith tag: String, in signatureInput: String) throws(SignatureError) -> (
        label: String, parameters: SignatureParameters
    )? {
        let dictionary = try parse(signatureInput, field: "Signature-Input")
        for (label, member) in dictionary {
            guard case .innerList(let list) = member, case .string(tag)? = list.rfc9651Parameters["tag"] else {
                continue
            }
            return (label, try SignatureParameters(innerList: list))
        }
        return nil
    }

    /// The parameters declared under `label` in a `Signature-Input` value; `nil` when the label is absent.
    static func parameters(label: String, in signatureInput: String) throws(SignatureError) -> SignatureParameters? {
        let dictionary = try parse(signatureInput, field: "Signature-Input")
        guard let member = dictionary[label] else { return nil }
        guard case .innerList(let list) = member else {
            throw .malformedField("Signature-Input", reason: "the value of '\(label)' is not an inner list")
        }
        return try SignatureParameters(innerList: list)
    }

    /// The signature bytes under `label` in a `Signature` value; `nil` when the label is absent.
    static func signature(label: String, in signature: String) throws(SignatureError) -> [UInt8]? {
        let dictionary = try parse(signature, field: "Signature")
        guard let member = dictionary[label] else { return nil }
        guard case .item(let item) = member, case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
            let bytes = Data(base64Encoded: base64)
        else {
            throw .malformedField("Signature", reason: "the value of '\(label)' is not a byte sequence")
        }
        return Array(bytes)
    }

    static func parse(_ value: String, field: String) throws(SignatureError) -> OrderedMap<String, ItemOrInnerList> {
        guard value.utf8.count <= maximumFieldLength else {
            throw .tooLong("\(field) field", limit: maximumFieldLength)
        }
        var parser = StructuredFieldValueParser(Array(value.utf8))
        do {
            return try parser.parseDictionaryFieldValue()
        } catch {
            throw .malformedField(field, reason: "it is not a structured-field dictionary (RFC 9651): \(error)")
        }
    }

    private static func serialize(_ dictionary: OrderedMap<String, ItemOrInnerList>) throws(SignatureError) -> String {
        var serializer = StructuredFieldValueSerializer()
        do {
            return String(decoding: try serializer.writeDictionaryFieldValue(dictionary), as: UTF8.self)
        } catch {
            throw .signingFailed(
                reason: "a label must be a lower-case structured-field key and parameters printable ASCII")
        }
    }
}

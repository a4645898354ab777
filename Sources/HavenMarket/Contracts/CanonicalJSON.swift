import Foundation
import HavenIdentity

/// The canonical JSON of Haven's market documents (offers, contract revisions, challenge
/// evidence): sorted keys, no whitespace, slashes unescaped, times as `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Parsing is strict by re-encoding: bytes are accepted only when encoding what was decoded
/// gives the same bytes back, so unknown keys, whitespace, escapes and number spellings other
/// than the canonical one are all refused and each document has exactly one id.
enum CanonicalJSON {
    static let timeFormat = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// The canonical bytes of `value`.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The wire structs hold only strings, integers, and arrays and objects of them, which
        // JSONEncoder always encodes; it throws only for non-finite floating-point numbers.
        return [UInt8](try! encoder.encode(value))
    }

    /// Decodes `bytes` and checks that they are the canonical encoding of what they say.
    /// Returns why not, as a line for an error message, on failure.
    static func decode<Value: Codable>(_ type: Value.Type, from bytes: [UInt8]) -> Result<Value, DecodeFailure> {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            return .failure(.malformed("\(error)"))
        }
        guard encode(value) == bytes else { return .failure(.notCanonical) }
        return .success(value)
    }

    /// Why bytes were not a canonical document.
    enum DecodeFailure: Error {
        case malformed(String)
        case notCanonical
    }

    /// `time` cut to whole seconds, the precision every document carries.
    static func wholeSeconds(_ time: Date) -> Date {
        Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    }

    static func format(_ time: Date) -> String {
        time.formatted(timeFormat)
    }

    static func parseTime(_ text: String) -> Date? {
        guard let time = try? Date(text, strategy: timeFormat), format(time) == text else { return nil }
        return time
    }

    // MARK: Signed documents

    /// Signs a document: `fields(nil)` (the document without `sig`) under `domain` with `key`,
    /// then the canonical bytes of `fields(sig)`.
    static func signed<Fields: Encodable>(
        domain: [UInt8], by key: IdentityKey, _ fields: (String?) -> Fields
    ) throws -> (signature: [UInt8], encoded: [UInt8]) {
        let signature = [UInt8](try key.signature(for: domain + encode(fields(nil))))
        return (signature, encode(fields(Base64URL.encode(signature))))
    }

    /// The 64-byte Ed25519 signature a document's `sig` holds, or `nil` when it holds none.
    static func signature(_ sig: String?) -> [UInt8]? {
        guard let sig, let signature = Base64URL.decode(sig), signature.count == 64 else { return nil }
        return signature
    }

    /// Whether `signature` by `signer` covers `unsigned` (the document without `sig`) under `domain`.
    static func verify(_ signature: [UInt8], by signer: DID, domain: [UInt8], unsigned: some Encodable) -> Bool {
        signer.publicKey.isValidSignature(signature, for: domain + encode(unsigned))
    }
}

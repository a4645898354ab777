import Crypto
import Foundation
import HavenIdentity
import RawStructuredFieldValues

/// The RFC 9421 signature base (§2.5) of a request, and raw Ed25519 signing and verification
/// over it (§3.3.6). Independent of Haven's policy: ``RequestSigner`` and ``RequestVerifier``
/// decide what is covered and what is accepted.
///
/// The base is one line per covered component, `"<identifier>": <value>`, then the
/// `"@signature-params"` line, joined by LF with no final newline.
public struct SignatureBase: Sendable, Equatable {
    /// Longest component value accepted, in bytes.
    public static let maximumValueLength = 8 * 1024

    /// The parameters whose components the base covers.
    public let parameters: SignatureParameters
    /// The exact base text.
    public let text: String

    /// Builds the base of `request` for `parameters`.
    ///
    /// Throws ``SignatureError/missingField(_:)`` for a covered field the request lacks,
    /// ``SignatureError/invalidTargetURI(_:)`` when a derived component needs a URI that does not
    /// parse, and ``SignatureError/malformedField(_:reason:)`` for a value that would break the
    /// line structure of the base.
    public init(request: SignableRequest, parameters: SignatureParameters) throws(SignatureError) {
        var lines: [String] = []
        var target: TargetURI?
        func uri() throws(SignatureError) -> TargetURI {
            if let target { return target }
            let parsed = try TargetURI(request.targetURI)
            target = parsed
            return parsed
        }
        for component in parameters.components {
            let value: String
            switch component {
            case .method: value = request.method
            case .targetURI: value = try uri().absolute
            case .authority: value = try uri().authority
            case .scheme: value = try uri().scheme
            case .path: value = try uri().path
            case .query: value = "?" + (try uri().query ?? "")
            case .requestTarget: value = try uri().requestTarget
            case .field(let name):
                guard let fieldValue = request.field(name) else { throw .missingField(name) }
                value = fieldValue
            }
            guard value.utf8.count <= Self.maximumValueLength else {
                throw .tooLong("value of '\(component.identifier)'", limit: Self.maximumValueLength)
            }
            // A CR or LF would let one component forge further lines of the base.
            guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
                throw .malformedField(component.identifier, reason: "it contains a line break")
            }
            lines.append("\(try Self.serializedIdentifier(component.identifier)): \(value)")
        }
        let signatureParams = try Self.serializedIdentifier("@signature-params")
        lines.append("\(signatureParams): \(try parameters.serialized())")
        self.parameters = parameters
        self.text = lines.joined(separator: "\n")
    }

    /// The base as the bytes that are signed.
    public var bytes: [UInt8] { Array(text.utf8) }

    /// Signs the base with Ed25519 (RFC 8032; deterministic, so a fixed key and base give a
    /// fixed 64-byte signature).
    public func signature(using key: IdentityKey) throws(SignatureError) -> [UInt8] {
        do {
            return Array(try key.signature(for: bytes))
        } catch {
            throw .signingFailed(reason: "Ed25519 signing failed: \(error)")
        }
    }

    /// Whether `signature` is a valid Ed25519 signature of the base by `publicKey`.
    public func isValidSignature(_ signature: [UInt8], by publicKey: Curve25519.Signing.PublicKey) -> Bool {
        publicKey.isValidSignature(signature, for: bytes)
    }

    /// A component name as an sf-string: `"@method"`.
    private static func serializedIdentifier(_ name: String) throws(SignatureError) -> String {
        var serializer = StructuredFieldValueSerializer()
        do {
            let bytes = try serializer.writeItemFieldValue(Item.bare(.string(name)))
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            throw .unsupportedComponent(name)
        }
    }
}

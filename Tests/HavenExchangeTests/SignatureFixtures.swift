import Foundation
import HavenIdentity

@testable import HavenExchange

/// Keys, times and requests shared by the signature tests.
enum SignatureFixtures {
    static let key = try! IdentityKey(seed: [UInt8](repeating: 0x11, count: 32))
    static let otherKey = try! IdentityKey(seed: [UInt8](repeating: 0x22, count: 32))
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let targetURI = "https://alice.example:8420/exchange/v1/tree/photos/?a=1"
    static let body = Array(#"{"hello": "world"}"#.utf8)
    static let verifier = RequestVerifier(window: 300, skew: 60)

    /// A request signed by `RequestSigner`, as the receiving server sees it.
    static func signed(
        method: String = "POST", targetURI: String = targetURI, body: [UInt8]? = body, at time: Date = now,
        key: IdentityKey = key, nonce: String? = nil
    ) throws -> SignableRequest {
        let fields = try RequestSigner(key: key).sign(
            method: method, targetURI: targetURI, body: body, at: time, nonce: nonce)
        var request = SignableRequest(
            method: method, targetURI: targetURI, fields: [(name: "Host", value: "alice.example:8420")])
        if let body {
            request.fields.append((name: "Content-Length", value: "\(body.count)"))
        }
        return request.adding(fields)
    }

    /// Haven's parameters at `now`, each of which a test may change or drop.
    static func parameters(
        components: [MessageComponent] = [.method, .targetURI, .authority, .contentDigest],
        created: Int64? = Int64(now.timeIntervalSince1970), expires: Int64?? = nil, nonce: String? = "nonce-1",
        alg: String? = "ed25519", keyid: String? = key.did.description, tag: String? = "haven"
    ) -> SignatureParameters {
        SignatureParameters(
            components: components, created: created, expires: expires ?? created.map { $0 + 60 }, nonce: nonce,
            alg: alg, keyid: keyid, tag: tag)
    }

    /// A request signed over `parameters` with `key` directly, bypassing `RequestSigner`'s policy,
    /// to build requests that a careless or hostile signer could send.
    static func signed(
        parameters: SignatureParameters, key: IdentityKey = key, method: String = "POST",
        body: [UInt8]? = body, extraFields: [(name: String, value: String)] = [], label: String = "haven"
    ) throws -> SignableRequest {
        var request = SignableRequest(method: method, targetURI: targetURI, fields: extraFields)
        if let body {
            request.fields.append((name: "Content-Length", value: "\(body.count)"))
            request.fields.append((name: "Content-Digest", value: ContentDigest.fieldValue(for: body)))
        }
        let signature = try SignatureBase(request: request, parameters: parameters).signature(using: key)
        return request.adding([
            (name: "Signature-Input", value: try SignatureFields.signatureInput(label: label, parameters: parameters)),
            (name: "Signature", value: try SignatureFields.signature(label: label, bytes: signature)),
        ])
    }
}

extension SignableRequest {
    /// The request with every field called `name` replaced by one line holding `value`, or removed when `nil`.
    func replacing(_ name: String, with value: String?) -> SignableRequest {
        var copy = self
        copy.fields.removeAll { $0.name.lowercased() == name.lowercased() }
        if let value {
            copy.fields.append((name: name, value: value))
        }
        return copy
    }
}

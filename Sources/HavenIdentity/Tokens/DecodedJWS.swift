/// A compact JWS split into its parts by ``JSONWebSignature/decode(_:)``: its shape is checked,
/// its signature is not until ``isSigned(by:)`` is asked.
public struct DecodedJWS: Sendable, Equatable {
    /// The decoded header (a JSON object whose `alg` is `EdDSA`).
    public let header: [UInt8]
    /// The decoded payload, exactly as signed.
    public let payload: [UInt8]
    /// The bytes the signature covers: the first two segments as they appear in the token.
    public let signingInput: [UInt8]
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    init(header: [UInt8], payload: [UInt8], signingInput: [UInt8], signature: [UInt8]) {
        self.header = header
        self.payload = payload
        self.signingInput = signingInput
        self.signature = signature
    }

    /// Whether `signature` is a valid Ed25519 signature of `signingInput` by `did`'s key.
    public func isSigned(by did: DID) -> Bool {
        did.publicKey.isValidSignature(signature, for: signingInput)
    }
}

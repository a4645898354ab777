/// The constants of Haven's signature profile of RFC 9421, shared by ``RequestSigner`` and
/// ``RequestVerifier`` so that the two cannot drift apart.
public enum HavenSignaturePolicy {
    /// The `Signature-Input`/`Signature` label Haven signs under.
    public static let label = "haven"
    /// The `tag` parameter that marks a signature as Haven's; the verifier uses only such a label.
    public static let tag = "haven"
    /// The only algorithm signed and accepted.
    public static let algorithm = "ed25519"
    /// Components every Haven signature covers; `content-digest` joins them when there is a body.
    public static let requiredComponents: [MessageComponent] = [.method, .targetURI, .authority]
    /// Longest nonce accepted, in bytes.
    public static let maximumNonceLength = 128
}

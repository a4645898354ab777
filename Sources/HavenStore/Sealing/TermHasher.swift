import Crypto
import HavenIdentity

/// What stands in for a word in an encrypted home's full-text index: HMAC-SHA256 of the word
/// under a key derived from the data key, cut to 80 bits and written in base32 (16 letters and
/// digits, which FTS5's tokenizer keeps whole).
///
/// Equal words give equal terms, so a search still matches whole words and BM25 still ranks,
/// while no word is stored. What remains visible to someone holding the catalog is how often
/// each (unknown) term occurs and where: the shape of the text, not its words.
public struct TermHasher: Sendable {
    let key: SymmetricKey
    /// Bytes of the HMAC kept: 80 bits, so two words of a vocabulary of millions practically
    /// never share a term.
    static let kept = 10

    public init(dataKey: DataKey) {
        key = dataKey.terms
    }

    /// The term that stands for `token` (a word as the index's tokenizer produced it).
    public func term(for token: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(token.utf8), using: key)
        return Base32.encode(Array(code).prefix(Self.kept))
    }
}

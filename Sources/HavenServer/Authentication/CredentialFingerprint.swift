import Crypto

/// A short name for credentials that have no public id (garbled tokens, unparseable text), so
/// repeated failures with the same text can be told apart in the log without the text in it.
///
/// It is an HMAC under a key drawn when the server starts and never stored: the same text gets
/// the same fingerprint until the server restarts, and a fingerprint cannot be checked against
/// guesses offline (a password pasted by mistake does not become a hash in a log file).
public struct CredentialFingerprint: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
    }

    /// `fp:` and 16 hex digits.
    public func callAsFunction(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)
        return "fp:" + mac.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

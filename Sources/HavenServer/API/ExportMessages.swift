import HavenIdentity

/// Body of `POST /haven/export`: the passphrase that seals the owner's identity key in the
/// archive, and whether the installed models' files go in too.
public struct ExportRequest: Codable, Sendable {
    public let passphrase: String
    /// Include the models' GGUF files (large); without them the new home gets no models and
    /// they are added again there with `haven model add`.
    public let models: Bool?
    /// scrypt's cost, log2 N (default 17; 10 to 20). Lower only for tests: the passphrase is
    /// all that protects the key in an archive that may be copied anywhere.
    public let scryptLogN: Int?

    enum CodingKeys: String, CodingKey {
        case passphrase, models
        case scryptLogN = "scrypt_log_n"
    }

    public init(passphrase: String, models: Bool, scryptLogN: Int? = nil) {
        self.passphrase = passphrase
        self.models = models
        self.scryptLogN = scryptLogN
    }

    /// The scrypt parameters asked for, or `nil` when they are outside what import accepts.
    public var sealingParameters: SealedKey.Parameters? {
        let standard = SealedKey.Parameters.standard
        let parameters = SealedKey.Parameters(logN: scryptLogN ?? standard.logN, r: standard.r, p: standard.p)
        return parameters.isAccepted ? parameters : nil
    }

    /// A shorter passphrase is refused: it is all that protects the identity key in an
    /// archive that may be copied anywhere.
    public static let minimumPassphraseLength = 8
    /// Nobody types more; a longer one is refused rather than hashed.
    public static let maximumPassphraseBytes = 4096

    /// Why `passphrase` cannot seal an export, or `nil` when it can.
    public static func problem(with passphrase: String) -> String? {
        if passphrase.utf8.count > maximumPassphraseBytes { return "the passphrase is longer than \(maximumPassphraseBytes) bytes" }
        if passphrase.count < minimumPassphraseLength {
            return "the passphrase must have at least \(minimumPassphraseLength) characters"
        }
        return nil
    }
}

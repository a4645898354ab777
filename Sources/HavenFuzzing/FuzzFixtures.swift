import Foundation
import HavenIdentity
import HavenLedger

/// The fixed keys and clock the targets verify against and the seeds are signed with, so that
/// a committed seed (a capability chain, a signed request, a ledger record) passes every check
/// and the fuzzer starts from the deepest paths, not from a refused signature.
///
/// The keys come from constant seeds: they are public test keys and sign nothing real.
public enum FuzzFixtures {
    /// The owner of the server the targets pretend to be: the root of every capability chain.
    public static let owner = key(1)
    /// A peer: the audience of the owner's tokens, the signer of exchange requests.
    public static let peer = key(2)
    /// A third party, the audience of a delegated token.
    public static let stranger = key(3)
    /// The transparency log's note key (the owner's key, as Haven's ledger uses it).
    public static let logKey = try! NoteSignerKey(name: "fuzz.example/log", privateKey: owner.privateKey)
    /// A witness's cosigning key (the peer's key).
    public static let witnessKey = try! CosignerKey(name: "fuzz.example/witness", privateKey: peer.privateKey)
    /// The time every target checks validity at: 2027-01-15T08:00:00Z.
    public static let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func key(_ byte: UInt8) -> IdentityKey {
        // A 32-byte seed is always a valid Ed25519 key.
        try! IdentityKey(seed: [UInt8](repeating: byte, count: 32))
    }
}

import Crypto
import Foundation

/// Encrypts one provider's shard under a key of its own, so that no two providers hold the
/// same bytes: a provider that dropped its shard cannot answer a challenge from another's.
///
/// The shard is sealed in segments of ``plainSegment`` bytes with ChaCha20-Poly1305, the nonce
/// being the segment's index, so each sealed segment is exactly one ``ShardTree`` leaf
/// (``sealedSegment`` = 4 KiB) and is authenticated on its own: a restore finds a damaged leaf
/// and which one. Keys are derived from the owner's secret and the contract (HKDF-SHA256), so
/// the owner can rebuild them from the secret alone.
public struct ShardCipher: Sendable {
    /// Plaintext bytes per sealed segment.
    public static let plainSegment = ShardTree.leafSize - 16
    /// Bytes of one sealed segment: a ``ShardTree`` leaf.
    public static let sealedSegment = ShardTree.leafSize

    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// The key of one replica: HKDF-SHA256 of the owner's secret, salted with the context
    /// (the contract id, as text), so every contract's replica has its own.
    public init(secret: SymmetricKey, context: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: secret, salt: Array("haven-replica/v1".utf8), info: Array(context.utf8), outputByteCount: 32)
    }

    /// The sealed length of `count` plaintext bytes.
    public static func sealedLength(of count: Int) -> Int {
        let segments = (count + plainSegment - 1) / plainSegment
        return count + segments * 16
    }

    public func seal(_ plaintext: [UInt8]) throws(ReplicaError) -> [UInt8] {
        var sealed: [UInt8] = []
        sealed.reserveCapacity(Self.sealedLength(of: plaintext.count))
        var index: UInt64 = 0
        for start in stride(from: 0, to: plaintext.count, by: Self.plainSegment) {
            let segment = plaintext[start..<min(start + Self.plainSegment, plaintext.count)]
            do {
                let box = try ChaChaPoly.seal(segment, using: key, nonce: try Self.nonce(index))
                sealed.append(contentsOf: box.ciphertext)
                sealed.append(contentsOf: box.tag)
            } catch {
                throw .encryption("\(error)")
            }
            index += 1
        }
        return sealed
    }

    /// Opens a sealed shard; throws naming the first segment (leaf) that does not authenticate.
    public func open(_ sealed: [UInt8]) throws(ReplicaError) -> [UInt8] {
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(sealed.count)
        var index: UInt64 = 0
        for start in stride(from: 0, to: sealed.count, by: Self.sealedSegment) {
            let segment = sealed[start..<min(start + Self.sealedSegment, sealed.count)]
            guard segment.count > 16 else { throw .damagedSegment(Int(index)) }
            do {
                let box = try ChaChaPoly.SealedBox(
                    nonce: try Self.nonce(index), ciphertext: segment.dropLast(16), tag: segment.suffix(16))
                plaintext.append(contentsOf: try ChaChaPoly.open(box, using: key))
            } catch {
                throw .damagedSegment(Int(index))
            }
            index += 1
        }
        return plaintext
    }

    private static func nonce(_ index: UInt64) throws -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        for byte in 0..<8 { bytes[4 + byte] = UInt8(truncatingIfNeeded: index >> (8 * (7 - UInt64(byte)))) }
        return try ChaChaPoly.Nonce(data: bytes)
    }
}

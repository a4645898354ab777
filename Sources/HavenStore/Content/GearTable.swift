import Crypto

/// The 256 random values of the FastCDC gear hash, one per byte value.
///
/// Frozen: chunk boundaries, and so every stored chunk id, depend on these values. They are
/// derived, not listed, so that they can be checked: value `i` is the first 8 bytes, read
/// big-endian, of SHA-256 of the single byte `i`. Never change the derivation.
enum GearTable {
    static let values: [UInt64] = (0...255).map { (byte: UInt8) in
        var hasher = SHA256()
        withUnsafeBytes(of: byte) { hasher.update(bufferPointer: $0) }
        return hasher.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

import Crypto
import Foundation

/// The key an encrypted home's data is sealed under: 256 random bits, made once by
/// `haven init --encrypt` or `haven encrypt` and kept only wrapped in the home's keyring
/// (``HomeKeyring``).
///
/// Nothing is sealed with the data key itself: each use has its own key derived from it with
/// HKDF-SHA256 (chunk files, catalog columns, the keyed hashes of indexed words, and
/// ``derivedKey(for:)`` for uses outside the store), so no two uses ever share a key.
/// The key never appears in a description, a log line or an error.
public struct DataKey: Sendable {
    let material: SymmetricKey
    /// Seals chunk files (``ChunkSealer``).
    let chunks: SymmetricKey
    /// Seals the catalog's columns that hold people's content (``ColumnSealer``).
    let columns: SymmetricKey
    /// Keys the hashes that stand in for indexed words (``TermHasher``).
    let terms: SymmetricKey

    /// The length of a data key, in bytes.
    public static let byteCount = 32

    /// A new random data key.
    public static func generate() -> DataKey {
        DataKey(material: SymmetricKey(size: .bits256))
    }

    init(material: SymmetricKey) {
        self.material = material
        chunks = Self.derive(material, "haven-data-key/v1 chunks")
        columns = Self.derive(material, "haven-data-key/v1 columns")
        terms = Self.derive(material, "haven-data-key/v1 terms")
    }

    /// A data key from its 32 bytes, as unwrapped from a keyring or an export archive; `nil`
    /// for another length.
    package init?(bytes: some ContiguousBytes) {
        let key = SymmetricKey(data: bytes)
        guard key.bitCount == Self.byteCount * 8 else { return nil }
        self.init(material: key)
    }

    /// A key of its own for `purpose` (a fixed string naming the use, such as
    /// `"haven-export/v1 archive"`), derived with HKDF-SHA256: for code outside the store that
    /// seals data of this home under its data key.
    public func derivedKey(for purpose: String) -> SymmetricKey {
        Self.derive(material, "haven-data-key/v1 purpose " + purpose)
    }

    private static func derive(_ material: SymmetricKey, _ info: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Array(info.utf8), outputByteCount: 32)
    }

    /// The key's bytes, for wrapping it in a keyring or sealing it into an export archive.
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try material.withUnsafeBytes(body)
    }
}

extension DataKey: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "DataKey(redacted)" }
    public var debugDescription: String { description }
}

import Crypto
import Foundation

/// Seals chunk files of an encrypted home with AES-256-GCM: a random 96-bit nonce per chunk
/// and the chunk's id as associated data, so a chunk file moved under another chunk's name
/// does not open. The id stays the CID of the plaintext; readers check it after opening.
///
/// A sealed file is `HVSC`, a format byte (1), the nonce, the ciphertext and the tag: 33
/// bytes more than the chunk. The header tells a sealed file from a chunk written before the
/// home was encrypted, which is kept as it is until `haven encrypt` seals it.
public struct ChunkSealer: Sendable {
    let key: SymmetricKey

    /// `HVSC` and format 1.
    static let header: [UInt8] = Array("HVSC".utf8) + [1]
    /// Bytes a sealed chunk has beyond its plaintext.
    public static let overhead = header.count + 12 + 16

    public init(dataKey: DataKey) {
        key = dataKey.chunks
    }

    /// The file bytes of chunk `id`.
    public func seal(_ plaintext: UnsafeRawBufferPointer, as id: ContentID) -> [UInt8] {
        // AES-GCM fails only on a nonce of the wrong size or more than 64 GiB of plaintext.
        let box = try! AES.GCM.seal(plaintext, using: key, authenticating: Self.associatedData(id))
        var sealed = Self.header
        sealed.reserveCapacity(plaintext.count + Self.overhead)
        sealed.append(contentsOf: box.nonce)
        sealed.append(contentsOf: box.ciphertext)
        sealed.append(contentsOf: box.tag)
        return sealed
    }

    /// The plaintext of a sealed chunk file, or `nil` when the bytes are not a chunk sealed
    /// under this key as `id` (not sealed at all, damaged, or another chunk's).
    public func open(_ file: [UInt8], as id: ContentID) -> [UInt8]? {
        guard Self.isSealed(file),
            let box = try? AES.GCM.SealedBox(combined: file[Self.header.count...])
        else { return nil }
        guard let plaintext = try? AES.GCM.open(box, using: key, authenticating: Self.associatedData(id)) else { return nil }
        return Array(plaintext)
    }

    /// Whether the bytes start like a sealed chunk (a plaintext chunk may too, by chance; only
    /// ``open(_:as:)`` tells for sure).
    public static func isSealed(_ file: [UInt8]) -> Bool {
        file.count >= overhead && file.starts(with: header)
    }

    private static func associatedData(_ id: ContentID) -> [UInt8] {
        Array("haven-chunk/1 \(id.hex)".utf8)
    }
}

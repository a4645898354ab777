import Crypto
import Foundation
import GRDB

/// Seals the values of ``SealedColumn``s with AES-256-GCM under a key derived from the home's
/// data key, each with a random nonce and its column's name as associated data.
///
/// A sealed value is a BLOB: a format byte (1), the nonce, the ciphertext and the tag. Text
/// values (a plain home's, or rows written before `haven encrypt` finished) are read as they
/// are, so a home can be read at every step of its migration.
public struct ColumnSealer: Sendable {
    let key: SymmetricKey
    static let format: UInt8 = 1

    public init(dataKey: DataKey) {
        key = dataKey.columns
    }

    /// `bytes` sealed for `column`, as a BLOB.
    public func seal(_ bytes: some DataProtocol, for column: SealedColumn) -> DatabaseValue {
        let box = try! AES.GCM.seal(bytes, using: key, authenticating: Array(column.name.utf8))
        var sealed = Data([Self.format])
        sealed.append(contentsOf: box.nonce)
        sealed.append(box.ciphertext)
        sealed.append(box.tag)
        return sealed.databaseValue
    }

    /// The bytes of a value sealed for `column`.
    ///
    /// - Throws: ``CatalogError/database(reason:)`` when the value does not open: damaged, or
    ///   sealed for another column or under another key.
    public func open(_ sealed: Data, for column: SealedColumn) throws(CatalogError) -> Data {
        guard sealed.count >= 1 + 12 + 16, sealed.first == Self.format,
            let box = try? AES.GCM.SealedBox(combined: sealed.dropFirst()),
            let opened = try? AES.GCM.open(box, using: key, authenticating: Array(column.name.utf8))
        else { throw .database(reason: "a sealed value of \(column) does not open with this home's key; the catalog is damaged") }
        return opened
    }
}

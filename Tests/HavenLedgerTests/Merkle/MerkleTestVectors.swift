import Foundation
import HavenLedger
import Testing

/// The transparency-dev/merkle proof vectors copied under `Vectors/merkle` (see SOURCE.md there),
/// read from the source tree through `#filePath` rather than as SwiftPM resources.
enum MerkleTestVectors {
    /// `Tests/HavenLedgerTests/Vectors/merkle`, found from this file's real location (the test
    /// folder may be reached through a symbolic link).
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .resolvingSymlinksInPath()
        .deletingLastPathComponent()  // Merkle/
        .deletingLastPathComponent()  // HavenLedgerTests/
        .appendingPathComponent("Vectors/merkle")

    /// An inclusion vector: `testdata/inclusion/**.json`.
    struct Inclusion: Decodable, Sendable, CustomTestStringConvertible {
        var file = ""
        let leafIdx: UInt64
        let treeSize: UInt64
        let root: String
        let leafHash: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool

        enum CodingKeys: String, CodingKey { case leafIdx, treeSize, root, leafHash, proof, desc, wantErr }

        var testDescription: String { file }
    }

    /// A consistency vector: `testdata/consistency/**.json`.
    struct Consistency: Decodable, Sendable, CustomTestStringConvertible {
        var file = ""
        let size1: UInt64
        let size2: UInt64
        let root1: String
        let root2: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool

        enum CodingKeys: String, CodingKey { case size1, size2, root1, root2, proof, desc, wantErr }

        var testDescription: String { file }
    }

    static func inclusion() throws -> [Inclusion] {
        try load("inclusion").map { file, data in
            var vector = try JSONDecoder().decode(Inclusion.self, from: data)
            vector.file = file
            return vector
        }
    }

    static func consistency() throws -> [Consistency] {
        try load("consistency").map { file, data in
            var vector = try JSONDecoder().decode(Consistency.self, from: data)
            vector.file = file
            return vector
        }
    }

    /// Decodes a base64 hash field as the verifier's `MerkleHash`; a field that is not 32 bytes
    /// fails here with `MerkleError.invalidHashLength`, before any proof check.
    static func hash(_ base64: String) throws -> MerkleHash {
        guard let data = Data(base64Encoded: base64) else { throw VectorError.notBase64(base64) }
        return try MerkleHash(bytes: data)
    }

    enum VectorError: Error { case notBase64(String) }

    /// The files of one kind as (path relative to `Vectors/merkle`, contents), sorted by path.
    private static func load(_ kind: String) throws -> [(String, Data)] {
        let root = directory.appendingPathComponent(kind)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path])
        }
        var files: [(String, Data)] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            let relative = kind + "/" + url.path.dropFirst(root.path.count + 1)
            files.append((relative, try Data(contentsOf: url)))
        }
        return files.sorted { $0.0 < $1.0 }
    }
}

import HavenStore

extension FuzzTarget {
    /// Data paths as written and as they arrive percent-encoded in a URL.
    static let dataPath = FuzzTarget(
        name: "data-path",
        summary: "DataPath(parsing:) plain and percent-encoded; a parsed path is normal: it parses to itself"
    ) { bytes throws(FuzzFinding) in
        let input = text(bytes)
        for percentEncoded in [false, true] {
            guard let path = attempt({ try DataPath(parsing: input, percentEncoded: percentEncoded) }) else { continue }
            try expect(path.string.utf8.first == UInt8(ascii: "/"), "'\(path)' is not absolute")
            try expect(path.string.utf8.count <= DataPath.maximumLength, "'\(path.string.prefix(80))…' is longer than the limit")
            // Normalisation is idempotent: the normal form of a path is itself, or one path
            // would have two spellings (and a grant on one would miss the other).
            let again = attempt { try DataPath(parsing: path.string) }
            try expect(again == path, "'\(path.string.prefix(200))' (from '\(input.prefix(200))') does not parse back to itself")
            var ancestor = path
            for _ in 0...DataPath.maximumLength {
                guard let parent = ancestor.parent else { break }
                try expect(parent.isDirectory && parent < ancestor, "the parent of '\(ancestor)' is '\(parent)'")
                ancestor = parent
            }
            try expect(ancestor == .root, "'\(path)' has no root among its ancestors")
        }
    }

    /// Content ids in text (URLs, manifests, JSON) and binary (CAR sections) form.
    static let contentID = FuzzTarget(
        name: "content-id",
        summary: "ContentID text and binary parsing; an accepted id is written back byte for byte"
    ) { bytes throws(FuzzFinding) in
        let string = text(bytes)
        if let id = attempt({ try ContentID(parsing: string) }) {
            try expect(id.description == string, "'\(string)' is written back as '\(id)'")
            try expect(id.digest.count == 32, "\(id) has a \(id.digest.count)-byte digest")
        }
        if let id = attempt({ try ContentID(binary: bytes) }) {
            try expect(id.binaryRepresentation == bytes, "binary id \(id) is written back differently")
            try expect(attempt({ try ContentID(parsing: id.description) }) == id, "\(id) does not parse back to itself")
        }
        if let read = attempt({ try ContentID.readBinary(from: bytes) }) {
            try expect(
                read.byteCount <= bytes.count && Array(bytes.prefix(read.byteCount)) == read.id.binaryRepresentation,
                "readBinary took \(read.byteCount) bytes for \(read.id)")
        }
    }

    /// File manifests (canonical DAG-JSON), as they arrive from peers and from the object store.
    static let manifest = FuzzTarget(
        name: "manifest",
        summary: "Manifest(decoding:); an accepted manifest is its own canonical encoding and sums up"
    ) { bytes throws(FuzzFinding) in
        guard let manifest = attempt({ try Manifest(decoding: bytes) }) else { return }
        try expect(manifest.encoded() == bytes, "an accepted manifest is not its canonical encoding")
        try expect(
            manifest.chunks.reduce(Int64(0)) { $0 + Int64($1.size) } == manifest.size,
            "the chunk sizes do not add up to \(manifest.size)")
        try expect(manifest.chunks.allSatisfy { $0.id.codec == .raw && $0.size > 0 }, "a chunk is not a raw, non-empty chunk")
        try expect(manifest.id == ContentID.hashing(bytes, codec: .dagJSON), "the manifest's id is not the hash of its bytes")
    }
}

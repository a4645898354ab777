import Foundation
import HavenStore
import HavenTestSupport

/// A data store on a fresh temporary directory and in-memory catalog.
struct StoreFixture {
    let directory: TemporaryDirectory
    let store: DataStore

    init() throws {
        directory = try TemporaryDirectory()
        let catalog = try Catalog.inMemory(schema: CatalogSchema([.files, .changes]))
        store = try DataStore(catalog: catalog, objectsDirectory: directory.path + "/objects")
    }

    /// Chunk files on disk.
    var chunkFiles: Set<ContentID> { Set(store.objects.files!.allChunks()) }

    func remove() { directory.remove() }
}

/// Reproducible pseudo-random bytes (SplitMix64), fast enough for tens of MiB.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z) { word in
                let n = min(8, count - offset)
                buffer.baseAddress!.advanced(by: offset).copyMemory(from: word.baseAddress!, byteCount: n)
            }
            offset += 8
        }
    }
    return bytes
}

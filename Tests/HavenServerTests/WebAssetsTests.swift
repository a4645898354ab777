import Crypto
import Foundation
import HavenWebAssets
import Testing

/// The copy of the web app compiled into the binary is the one in `web/`: run
/// `scripts/embed-web` (make does) after changing it, or this fails.
@Suite struct WebAssetsTests {
    static let webDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("web")

    static func filesOnDisk() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let root = webDirectory.standardizedFileURL.path
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        for case let path as String in enumerator {
            var isDirectory: ObjCBool = false
            let full = root + "/" + path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                !path.split(separator: "/").contains(where: { $0.hasPrefix(".") })
            else { continue }
            files[path] = FileManager.default.contents(atPath: full)
        }
        return files
    }

    @Test func theEmbeddedAssetsAreExactlyTheFilesOfWebDirectory() throws {
        let disk = try Self.filesOnDisk()
        #expect(!disk.isEmpty)
        #expect(Set(WebAssets.embedded.keys) == Set(disk.keys), "run scripts/embed-web")
        for (path, data) in disk {
            let asset = try #require(WebAssets.embedded[path], "run scripts/embed-web")
            // Compared by digest, so a stale copy is reported in one line, not as two byte arrays.
            let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            let embedded = SHA256.hash(data: asset.bytes).map { String(format: "%02x", $0) }.joined()
            #expect(embedded == digest, "web/\(path) changed since it was embedded; run scripts/embed-web")
            #expect(asset.entityTag == "\"\(digest.prefix(32))\"")
            #expect(WebAsset.contentType(forExtension: (path as NSString).pathExtension) == asset.contentType)
        }
    }

    @Test func everyGzipCopyUnpacksToItsFile() throws {
        // gzip's trailer holds the CRC-32 and length of the original: check the length, and
        // that the copy is smaller (the point of having it).
        for asset in WebAssets.embedded.values {
            guard let gzipped = asset.gzipped else { continue }
            #expect(Array(gzipped.prefix(2)) == [0x1f, 0x8b])
            let size = gzipped.suffix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            #expect(size == asset.bytes.count)
            #expect(gzipped.count < asset.bytes.count)
        }
    }

    @Test func theFirstLoadIsUnder200KB() throws {
        // index.html, the stylesheet, the icon and every module: an upper bound on a first load.
        // The API's OpenAPI document lives in web/ too but no page loads it.
        let total = WebAssets.embedded.values.filter { $0.path != "openapi.json" }.reduce(0) { $0 + $1.bytes.count }
        #expect(total < 200_000, "the web app weighs \(total) bytes")
    }
}

import HavenMarket
import Testing

/// A folder packed into one archive for a backup, and read back with every file checked.
@Suite struct BackupArchiveTests {
    let files = [
        BackupArchive.Entry(path: "beach.jpg", mediaType: "image/jpeg", bytes: (0..<5000).map { UInt8($0 % 251) }),
        BackupArchive.Entry(path: "notes/day one.txt", mediaType: "text/plain", bytes: Array("The sea.\n".utf8)),
        BackupArchive.Entry(path: "empty", mediaType: nil, bytes: []),
    ]

    @Test func filesComeBackAsTheyWent() throws {
        let archive = try BackupArchive.pack(files)
        #expect(try BackupArchive.unpack(archive) == files)
        #expect(try BackupArchive.unpack(try BackupArchive.pack([])) == [])
    }

    @Test func anyChangedByteIsRefused() throws {
        let archive = try BackupArchive.pack(files)
        for index in 0..<archive.count {
            var changed = archive
            changed[index] ^= 0x01
            #expect(throws: ReplicaError.self, "byte \(index)") { try BackupArchive.unpack(changed) }
        }
        #expect(throws: ReplicaError.self) { try BackupArchive.unpack(Array(archive.dropLast())) }
        #expect(throws: ReplicaError.self) { try BackupArchive.unpack(archive + [0]) }
    }

    @Test(arguments: ["../etc/passwd", "/abs.txt", "a//b", "dir/", "a/./b", ""])
    func pathsOutsideTheFolderAreRefused(path: String) {
        #expect(throws: ReplicaError.self) {
            try BackupArchive.pack([BackupArchive.Entry(path: path, mediaType: nil, bytes: [1])])
        }
    }

    @Test func aRepeatedPathIsRefused() {
        let twice = [files[1], files[1]]
        #expect(throws: ReplicaError.archive("the path notes/day one.txt appears twice")) { try BackupArchive.pack(twice) }
    }
}

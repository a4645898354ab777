import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ObjectStore {
    /// What ``sealPlainChunks(batch:progress:)`` did.
    public struct SealingReport: Sendable, Equatable {
        /// Chunks sealed by this run.
        public var sealed = 0
        /// Chunks that were sealed already (by an earlier, interrupted run).
        public var alreadySealed = 0

        public init(sealed: Int = 0, alreadySealed: Int = 0) {
            self.sealed = sealed
            self.alreadySealed = alreadySealed
        }
    }

    /// Seals every chunk file still in plaintext: what `haven encrypt` does to `objects/`.
    ///
    /// Chunks go in batches the way writes publish them: each sealed copy is written to
    /// `objects/tmp/` and synced, then renamed over the plaintext file and the rename synced,
    /// so a crash leaves every chunk either plaintext or sealed, never lost; running again
    /// skips the sealed ones and finishes the job. The replaced plaintext file is then
    /// overwritten with zeros through a descriptor kept open across the rename: best effort,
    /// since a copy-on-write file system, a snapshot or an SSD's remapping may keep old blocks.
    ///
    /// - Throws: ``StoreError/damagedChunk(_:)`` for a file that is neither sealed under this
    ///   key nor the chunk its name says (nothing more is changed).
    public func sealPlainChunks(batch: Int = 256, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in })
        throws(StoreError) -> SealingReport
    {
        guard let sealer else { throw .io(operation: "seal the chunks", reason: "the store was opened without a key") }
        guard let files else {
            throw .io(
                operation: "seal the chunks",
                reason: "not possible in place with chunks in an S3 bucket; encrypt the home before moving its chunks there")
        }
        let chunks = files.allChunks()
        var report = SealingReport()
        for start in stride(from: 0, to: chunks.count, by: batch) {
            var pending: [PendingChunk] = []
            var replaced: [(descriptor: Int32, size: Int)] = []
            defer {
                for file in replaced { close(file.descriptor) }
            }
            do throws(StoreError) {
                for id in chunks[start..<min(start + batch, chunks.count)] {
                    let bytes = try files.bytes(of: id)
                    if sealer.open(bytes, as: id) != nil {
                        report.alreadySealed += 1
                        continue
                    }
                    guard ContentID.hashing(bytes, codec: .raw) == id else { throw .damagedChunk(id) }
                    pending.append(
                        try bytes.withUnsafeBytes { buffer in Result { () throws(StoreError) in try writeTemporary(buffer, as: id) } }
                            .get())
                    let descriptor = open(files.file(of: id), O_WRONLY | O_CLOEXEC)
                    if descriptor >= 0 { replaced.append((descriptor, bytes.count)) }
                }
                try files.publish(pending)
            } catch {
                discard(pending)
                throw error
            }
            report.sealed += pending.count
            if !replaced.isEmpty {
                for file in replaced { Self.overwriteWithZeros(file.descriptor, size: file.size) }
                try files.syncFileSystem()
            }
            progress(min(start + batch, chunks.count), chunks.count)
        }
        return report
    }

    /// Writes zeros over the first `size` bytes of an open file.
    private static func overwriteWithZeros(_ descriptor: Int32, size: Int) {
        let zeros = [UInt8](repeating: 0, count: min(size, 64 * 1024))
        var offset = 0
        while offset < size {
            let count = zeros.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, min($0.count, size - offset), off_t(offset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            offset += count
        }
    }
}

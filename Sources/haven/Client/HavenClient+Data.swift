import AsyncHTTPClient
import Foundation
import HavenStore
import NIOCore
import NIOHTTP1

extension HavenClient {
    /// Streams `file` to `PUT /data{path}`; `progress` gets the bytes sent so far.
    func upload(
        file: String, to path: DataPath, mediaType: String, progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> FileVersion {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw DataTransferError.cannotRead(file) }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        return try await upload(handle, size: size, to: path, mediaType: mediaType, progress: progress)
    }

    /// `PUT /data{path}` from an open handle: `size` bytes, or until its end when `size` is nil
    /// (standard input), sent chunked.
    func upload(
        _ handle: FileHandle, size: Int64?, to path: DataPath, mediaType: String,
        progress: @escaping @Sendable (Int64) -> Void
    ) async throws -> FileVersion {
        var request = makeRequest(.PUT, "/data" + Self.encode(path), body: nil)
        request.headers.replaceOrAdd(name: "Content-Type", value: mediaType)
        request.body = .stream(FilePieces(handle: handle, progress: progress), length: size.map { .known($0) } ?? .unknown)
        let response = try await execute(request, timeout: .hours(24))
        let data = try await Self.collect(response)
        return try Self.decoder.decode(FileVersion.self, from: data)
    }

    /// Streams `GET /data{path}` into `output`; returns the bytes written.
    func download(
        _ path: DataPath, version: Int?, to output: FileHandle, progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> Int64 {
        let query = version.map { "?version=\($0)" } ?? ""
        let request = makeRequest(.GET, "/data" + Self.encode(path) + query, body: nil)
        let response = try await execute(request, timeout: .hours(24))
        guard (200..<300).contains(response.status.code) else { _ = try await Self.collect(response); return 0 }
        let total = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        var written: Int64 = 0
        for try await buffer in response.body {
            try output.write(contentsOf: Data(buffer.readableBytesView))
            written += Int64(buffer.readableBytes)
            progress(written, total)
        }
        return written
    }

    /// `path` percent-encoded for a URL.
    static func encode(_ path: DataPath) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "%;?#")
        return path.string.addingPercentEncoding(withAllowedCharacters: allowed) ?? path.string
    }
}

/// A file read in pieces on demand, so an upload holds one piece in memory at a time.
struct FilePieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle
    let progress: @Sendable (Int64) -> Void
    static let pieceSize = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        let progress: @Sendable (Int64) -> Void
        var sent: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle.read(upToCount: FilePieces.pieceSize), !data.isEmpty else { return nil }
            sent += Int64(data.count)
            progress(sent)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: handle, progress: progress)
    }
}

/// A local file that cannot be used for a transfer.
enum DataTransferError: Error, UserFacingError {
    case cannotRead(String)
    case cannotWrite(String)

    var description: String {
        switch self {
        case .cannotRead(let file): "cannot read \(file)"
        case .cannotWrite(let file): "cannot write \(file)"
        }
    }
}

import Foundation

/// Checks that a bucket does what Haven's chunk store relies on, with a throwaway object:
/// signed access, write-once puts (`If-None-Match: *` answered 412 when the key exists),
/// ranged gets, heads, listing and deletes. `haven store check` runs it before a home is
/// pointed at the bucket.
public enum S3BucketCheck {
    /// Runs the check; returns one line per step that passed.
    /// - Throws: the first ``S3Error`` met, or ``S3Error/checkFailed(endpoint:bucket:reason:)``.
    public static func run(_ client: S3Client, prefix: String) async throws(S3Error) -> [String] {
        let bucket = client.bucket
        func fail(_ reason: String) -> S3Error { .checkFailed(endpoint: bucket.endpoint, bucket: bucket.name, reason: reason) }
        var lines: [String] = []
        // A listing rather than a head: its refusal carries S3's error code (a head's has no body).
        _ = try await client.list(prefix: prefix, maxKeys: 1)
        lines.append("bucket \(bucket.name) at \(bucket.endpoint) accepts the key \(client.signer.credentials.accessKeyID)")
        let key = prefix + "haven-check-" + UUID().uuidString.lowercased()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255) }
        guard try await client.putIfAbsent(key, bytes: bytes) == .created else {
            throw fail("a new object's put was answered as if it existed")
        }
        do throws(S3Error) {
            guard try await client.putIfAbsent(key, bytes: bytes) == .alreadyPresent else {
                throw fail("a put with If-None-Match: * replaced an existing object instead of answering 412")
            }
            lines.append("write-once put: created, then refused with 412 when repeated")
            guard try await client.get(key, range: 100..<200) == Array(bytes[100..<200]) else {
                throw fail("a ranged get returned other bytes")
            }
            lines.append("ranged get: bytes 100-199 read back")
            guard try await client.head(key)?.size == Int64(bytes.count) else { throw fail("a head reported another size") }
            lines.append("head: size \(bytes.count)")
            guard try await client.list(prefix: key).objects.contains(where: { $0.key == key }) else {
                throw fail("a listing left the object out")
            }
            lines.append("list: the object is listed")
        } catch {
            try? await client.delete(key)
            throw error
        }
        try await client.delete(key)
        guard try await client.head(key) == nil else { throw fail("a deleted object is still there") }
        lines.append("delete: the object is gone")
        return lines
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The on-disk form of an ``HNSWIndex``, version 1. Little-endian throughout:
///
///     header   "HAVENANN" · version u32 · dimension u32 · m u32 · efConstruction u32
///              · efSearch u32 · 0 u32 · seed u64 · random u64 · count u64 · entry i32
///              · topLevel u32 · upperLinks u64                                  (72 bytes)
///     body     ids i64[count] · levels u8[count] · removed u8[count] · scales f32[count]
///              · codes i8[count·dimension] · floats f32[count·dimension]
///              · base i32[count·(2m+1)] · upper i32[upperLinks]
///     trailer  CRC-32 of header and body, u32
///
/// The file's size must equal the size the header implies before anything large is read, so
/// a truncated or inflated file is refused without allocating for it.
enum HNSWIndexFile {
    static let magic: [UInt8] = Array("HAVENANN".utf8)
    static let version: UInt32 = 1
    static let headerSize = 72

    // MARK: Writing

    static func write(_ graph: HNSWGraph, to path: String) throws(HNSWError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw failure(path: temporary) }
        var writer = FileWriter(descriptor: descriptor, path: temporary)
        do throws(HNSWError) {
            let parameters = graph.parameters
            var header = magic
            for field in [version, UInt32(graph.vectors.dimension), UInt32(parameters.m),
                          UInt32(parameters.efConstruction), UInt32(parameters.efSearch), 0] {
                header.append(littleEndian: field)
            }
            header.append(littleEndian: parameters.seed)
            header.append(littleEndian: graph.random)
            header.append(littleEndian: UInt64(graph.count))
            header.append(littleEndian: UInt32(bitPattern: graph.entry))
            header.append(littleEndian: UInt32(graph.topLevel))
            header.append(littleEndian: UInt64(graph.upper.reduce(0) { $0 + $1.count }))
            try writer.append(header)
            try writer.append(graph.ids)
            try writer.append(graph.levels)
            try writer.append(graph.removed.map { $0 ? UInt8(1) : 0 })
            try writer.append(graph.vectors.scales)
            try writer.append(graph.vectors.codes)
            try writer.append(graph.vectors.floats)
            try writer.append(graph.base)
            for list in graph.upper where !list.isEmpty { try writer.append(list) }
            var trailer: [UInt8] = []
            trailer.append(littleEndian: writer.crc.value)
            try writer.append(trailer)
            guard fsync(descriptor) == 0 else { throw failure(path: temporary) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = failure(path: path)
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let directoryDescriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    // MARK: Reading

    static func read(from path: String, dimension expected: Int) throws(HNSWError) -> HNSWGraph {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure(path: path) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path: path) }
        let fileSize = Int(status.st_size)
        var reader = FileReader(descriptor: descriptor, path: path)
        guard fileSize >= headerSize + 4 else { throw .damagedFile(path: path, reason: "only \(fileSize) bytes") }
        var header = [UInt8](repeating: 0, count: headerSize)
        try reader.fill(&header)
        guard Array(header[0..<8]) == magic else { throw .damagedFile(path: path, reason: "not a vector index file") }
        var fields = FieldReader(bytes: header, offset: 8)
        let version = fields.u32()
        guard version == Self.version else {
            throw .unsupportedVersion(path: path, found: version, supported: Self.version)
        }
        let dimension = Int(fields.u32())
        let parameters = HNSWIndex.Parameters(
            m: Int(fields.u32()), efConstruction: Int(fields.u32()), efSearch: Int(fields.u32()),
            seed: { _ = fields.u32(); return fields.u64() }())
        let random = fields.u64()
        let count64 = fields.u64()
        let entry = Int32(bitPattern: fields.u32())
        let topLevel = Int(fields.u32())
        let upperLinks64 = fields.u64()
        guard dimension == expected else { throw .wrongDimension(path: path, found: dimension, expected: expected) }
        do {
            try HNSWIndex.validate(dimension: dimension, parameters: parameters)
        } catch {
            throw .damagedFile(path: path, reason: "invalid parameters in header")
        }
        guard count64 < UInt64(Int32.max), upperLinks64 < UInt64(Int32.max) * 32, topLevel <= 30 else {
            throw .damagedFile(path: path, reason: "impossible counts in header")
        }
        let count = Int(count64), upperLinks = Int(upperLinks64), m0 = parameters.m * 2
        let expectedSize = headerSize + count * (8 + 1 + 1 + 4 + dimension + 4 * dimension + 4 * (m0 + 1))
            + 4 * upperLinks + 4
        guard fileSize == expectedSize else {
            throw .damagedFile(path: path, reason: "\(fileSize) bytes where the header implies \(expectedSize)")
        }
        var graph = HNSWGraph(dimension: dimension, parameters: parameters)
        graph.random = random
        graph.entry = entry
        graph.topLevel = topLevel
        graph.ids = try reader.array(Int64.self, count: count)
        graph.levels = try reader.array(UInt8.self, count: count)
        graph.removed = try reader.array(UInt8.self, count: count).map { $0 != 0 }
        graph.vectors.scales = try reader.array(Float.self, count: count)
        graph.vectors.codes = try reader.array(Int8.self, count: count * dimension)
        graph.vectors.floats = try reader.array(Float.self, count: count * dimension)
        graph.base = try reader.array(Int32.self, count: count * (m0 + 1))
        let upper = try reader.array(Int32.self, count: upperLinks)
        let computed = reader.crc.value
        var trailer = [UInt8](repeating: 0, count: 4)
        try reader.fill(&trailer)
        var trailerFields = FieldReader(bytes: trailer, offset: 0)
        guard trailerFields.u32() == computed else { throw .damagedFile(path: path, reason: "checksum mismatch") }

        // The checksum only says the file is as written; check the structure a search relies on.
        var offset = 0
        graph.upper.reserveCapacity(count)
        for slot in 0..<count {
            let level = Int(graph.levels[slot])
            let length = level * (parameters.m + 1)
            guard level <= topLevel, offset + length <= upperLinks else {
                throw .damagedFile(path: path, reason: "inconsistent node levels")
            }
            graph.upper.append(Array(upper[offset..<offset + length]))
            offset += length
        }
        guard offset == upperLinks, count == 0 ? entry == -1 : (0..<Int32(count)).contains(entry) else {
            throw .damagedFile(path: path, reason: "inconsistent links")
        }
        guard count == 0 || Int(graph.levels[Int(entry)]) == topLevel else {
            throw .damagedFile(path: path, reason: "entry point below the top layer")
        }
        // A link on layer l must lead to a node that has layer l, or a search would index
        // past its lists.
        func linksValid(_ list: [Int32], stride: Int, capacity: Int, firstLayer: Int) -> Bool {
            var row = 0
            var layer = firstLayer
            while row < list.count {
                let links = Int(list[row])
                guard (0...capacity).contains(links) else { return false }
                for index in row + 1..<row + 1 + links {
                    let target = list[index]
                    guard (0..<Int32(count)).contains(target), Int(graph.levels[Int(target)]) >= layer else { return false }
                }
                row += stride
                if firstLayer > 0 { layer += 1 }
            }
            return true
        }
        guard linksValid(graph.base, stride: m0 + 1, capacity: m0, firstLayer: 0),
              graph.upper.allSatisfy({ linksValid($0, stride: parameters.m + 1, capacity: parameters.m, firstLayer: 1) })
        else { throw .damagedFile(path: path, reason: "links out of range") }
        for slot in 0..<count where !graph.removed[slot] {
            guard graph.slots.updateValue(Int32(slot), forKey: graph.ids[slot]) == nil else {
                throw .damagedFile(path: path, reason: "duplicate passage id \(graph.ids[slot])")
            }
        }
        graph.removedCount = count - graph.slots.count
        return graph
    }

    static func failure(path: String) -> HNSWError {
        .io(path: path, reason: String(cString: strerror(errno)))
    }
}

private struct FileWriter {
    let descriptor: Int32
    let path: String
    var crc = CRC32()

    mutating func append<Element>(_ values: [Element]) throws(HNSWError) {
        let result: HNSWError? = values.withUnsafeBytes { bytes in
            crc.update(bytes)
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 24))
                if written < 0 {
                    if errno == EINTR { continue }
                    return HNSWIndexFile.failure(path: path)
                }
                offset += written
            }
            return nil
        }
        if let result { throw result }
    }
}

private struct FileReader {
    let descriptor: Int32
    let path: String
    var crc = CRC32()

    mutating func array<Element>(_ type: Element.Type, count: Int) throws(HNSWError) -> [Element] {
        guard count > 0 else { return [] }
        var failed: HNSWError?
        let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialised in
            do throws(HNSWError) {
                try fill(UnsafeMutableRawBufferPointer(buffer))
                initialised = count
            } catch {
                failed = error
                initialised = 0
            }
        }
        if let failed { throw failed }
        return values
    }

    mutating func fill(_ bytes: inout [UInt8]) throws(HNSWError) {
        var failed: HNSWError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(HNSWError) { try fill(buffer) } catch { failed = error }
        }
        if let failed { throw failed }
    }

    /// Reads exactly `buffer.count` bytes (only trivial element types come through here).
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(HNSWError) {
        var offset = 0
        while offset < buffer.count {
            let got = read(descriptor, buffer.baseAddress! + offset, min(buffer.count - offset, 1 << 24))
            if got < 0, errno == EINTR { continue }
            guard got > 0 else {
                throw got == 0 ? .damagedFile(path: path, reason: "truncated") : HNSWIndexFile.failure(path: path)
            }
            offset += got
        }
        crc.update(UnsafeRawBufferPointer(buffer))
    }
}

private struct FieldReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func u32() -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * index) }
        offset += 4
        return value
    }

    mutating func u64() -> UInt64 {
        let low = UInt64(u32())
        return low | UInt64(u32()) << 32
    }
}


extension [UInt8] {
    fileprivate mutating func append<Field: FixedWidthInteger>(littleEndian field: Field) {
        Swift.withUnsafeBytes(of: field.littleEndian) { append(contentsOf: $0) }
    }
}

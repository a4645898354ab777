import HavenStore

/// Reads a CARv1 stream that arrives in pieces: ``append(_:)`` each piece as it comes, then
/// take what is complete with ``nextHeader()`` and ``nextBlock()`` (each returns `nil` until
/// its whole section has arrived), and call ``finish()`` at the end of the stream.
///
/// Section lengths are checked against the limits as soon as they arrive, before the section
/// does. Blocks are not hashed here: ``CARBlock/isValid`` says whether one matches its id, and
/// the caller decides what a bad one means. Memory holds the unread bytes plus at most as many
/// already read; drain the blocks after each append to keep it at about one section.
public struct CARReader: Sendable {
    /// The most bytes one block section may declare: its id (at most 37 bytes) and its block.
    public let maximumBlockSize: Int
    /// The most bytes the header may declare.
    public let maximumHeaderSize: Int
    /// The roots from the header, once it has been read.
    public private(set) var roots: [ContentID]?

    /// Bytes received; those before `readIndex` have been read and wait to be dropped.
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// A reader that refuses sections over the given sizes. The default block limit fits a
    /// 1 MiB block with its id.
    public init(maximumBlockSize: Int = 1 << 20 + 64, maximumHeaderSize: Int = 1 << 20) {
        precondition(maximumBlockSize > 0 && maximumHeaderSize > 0, "CAR size limits must be positive")
        self.maximumBlockSize = maximumBlockSize
        self.maximumHeaderSize = maximumHeaderSize
    }

    /// Adds the next piece of the stream.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        // Dropping the read prefix only once it is at least half the buffer moves each byte a
        // bounded number of times, however small the pieces.
        if readIndex > 0 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The header's roots (possibly none), or `nil` until the whole header has arrived. Once
    /// read, later calls return the same roots.
    public mutating func nextHeader() throws(CARError) -> [ContentID]? {
        if let roots { return roots }
        guard let (prefixLength, length) = try pendingSection(part: .header) else {
            return nil
        }
        let start = readIndex + prefixLength
        let roots = try CARHeader.decode(buffer[start..<start + length])
        readIndex = start + length
        self.roots = roots
        return roots
    }

    /// The next block, or `nil` until a whole block section has arrived. Reads the header
    /// first if ``nextHeader()`` was not called; its roots are then in ``roots``.
    public mutating func nextBlock() throws(CARError) -> CARBlock? {
        if roots == nil {
            guard try nextHeader() != nil else { return nil }
        }
        guard let (prefixLength, length) = try pendingSection(part: .block) else {
            return nil
        }
        guard length > 0 else { throw .emptySection }
        let start = readIndex + prefixLength
        let section = buffer[start..<start + length]
        let id: ContentID
        let idLength: Int
        do throws(ContentError) {
            (id, idLength) = try ContentID.readBinary(from: section)
        } catch {
            throw .invalidBlockID(error)
        }
        let block = CARBlock(id: id, bytes: Array(section.dropFirst(idLength)))
        readIndex = start + length
        return block
    }

    /// How many bytes the reader holds, read or not; for tests of its memory bound.
    var bufferedByteCount: Int { buffer.count }

    /// Confirms that the stream ended cleanly: the header arrived and no section was cut off.
    /// Call it once the sender is done and ``nextBlock()`` has returned `nil`.
    public func finish() throws(CARError) {
        let part: CARError.Part = roots == nil ? .header : .block
        let unread = buffer.count - readIndex
        if part == .block && unread == 0 { return }
        guard let (prefixLength, length) = try sectionLength(part: part) else {
            throw .truncated(part, received: unread, expected: nil)
        }
        guard unread - prefixLength >= length else {
            throw .truncated(part, received: unread - prefixLength, expected: length)
        }
        throw .unreadData(byteCount: unread)
    }

    /// The length prefix and length of the section at the read index, or `nil` until all of
    /// it has arrived.
    private func pendingSection(part: CARError.Part) throws(CARError) -> (prefixLength: Int, length: Int)? {
        guard let (prefixLength, length) = try sectionLength(part: part),
            buffer.count - readIndex - prefixLength >= length
        else { return nil }
        return (prefixLength, length)
    }

    /// The length prefix and declared length of the section at the read index, or `nil` until
    /// the prefix has arrived. Refuses a length over the part's limit as soon as it is known.
    private func sectionLength(part: CARError.Part) throws(CARError) -> (prefixLength: Int, length: Int)? {
        guard let (length, prefixLength) = try Varint.decode(buffer[readIndex...]) else { return nil }
        switch part {
        case .header:
            guard length <= UInt64(maximumHeaderSize) else {
                throw .headerTooLarge(length: length, limit: maximumHeaderSize)
            }
        case .block:
            guard length <= UInt64(maximumBlockSize) else {
                throw .blockTooLarge(length: length, limit: maximumBlockSize)
            }
        }
        return (prefixLength, Int(length))
    }
}

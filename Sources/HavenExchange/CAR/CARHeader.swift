import HavenStore

/// The DAG-CBOR body of a CARv1 header, `{"roots": [links…], "version": 1}`, written and read
/// by hand: it has one fixed shape, and nothing else in Haven speaks CBOR.
enum CARHeader {
    /// The canonical encoding: a two-entry map whose keys sort length-first ("roots" before
    /// "version"), each root a tag-42 link over `0x00 ++ binary CID`.
    static func encode(roots: [ContentID]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHead(major: map, argument: 2, to: &bytes)
        appendHead(major: text, argument: UInt64(rootsKey.count), to: &bytes)
        bytes += rootsKey
        appendHead(major: array, argument: UInt64(roots.count), to: &bytes)
        for root in roots {
            let binaryID = root.binaryRepresentation
            appendHead(major: tag, argument: linkTag, to: &bytes)
            appendHead(major: byteString, argument: UInt64(binaryID.count + 1), to: &bytes)
            bytes.append(0x00)  // the multibase "identity" prefix DAG-CBOR puts before a binary CID
            bytes += binaryID
        }
        appendHead(major: text, argument: UInt64(versionKey.count), to: &bytes)
        bytes += versionKey
        appendHead(major: unsignedInteger, argument: 1, to: &bytes)
        return bytes
    }

    /// The roots of a header body. Accepts a map holding exactly "roots" (an array of links to
    /// ids Haven accepts) and "version" (1), in either order, with DAG-CBOR's minimal lengths
    /// and nothing after it; refuses anything else.
    static func decode(_ bytes: ArraySlice<UInt8>) throws(CARError) -> [ContentID] {
        var cursor = Cursor(bytes: bytes)
        guard !bytes.isEmpty else { throw .malformedHeader(reason: "it is empty") }
        let (major, entryCount) = try cursor.head()
        guard major == map else { throw .malformedHeader(reason: "it is not a CBOR map") }

        var roots: [ContentID]?
        var version: UInt64?
        for _ in 0..<entryCount {
            let key = try cursor.text()
            if key.elementsEqual(rootsKey) {
                guard roots == nil else { throw .malformedHeader(reason: "it has \"roots\" twice") }
                roots = try cursor.links()
            } else if key.elementsEqual(versionKey) {
                guard version == nil else { throw .malformedHeader(reason: "it has \"version\" twice") }
                let (valueMajor, value) = try cursor.head()
                guard valueMajor == unsignedInteger else {
                    throw .malformedHeader(reason: "\"version\" is not an unsigned integer")
                }
                version = value
            } else {
                let name = String(decoding: key.prefix(40), as: UTF8.self)
                throw .malformedHeader(reason: "it has the key \"\(name)\"; a CARv1 header has only \"roots\" and \"version\"")
            }
        }
        guard cursor.isAtEnd else { throw .malformedHeader(reason: "it has bytes after the map") }
        guard let version else { throw .malformedHeader(reason: "it has no \"version\"") }
        guard version == 1 else { throw .unsupportedVersion(version) }
        guard let roots else { throw .malformedHeader(reason: "it has no \"roots\"") }
        return roots
    }

    // CBOR major types, already shifted into the top three bits.
    private static let unsignedInteger: UInt8 = 0 << 5
    private static let byteString: UInt8 = 2 << 5
    private static let text: UInt8 = 3 << 5
    private static let array: UInt8 = 4 << 5
    private static let map: UInt8 = 5 << 5
    private static let tag: UInt8 = 6 << 5
    /// The CBOR tag of an IPLD link (a CID).
    private static let linkTag: UInt64 = 42
    private static let rootsKey = Array("roots".utf8)
    private static let versionKey = Array("version".utf8)

    /// Appends a CBOR item head in the fewest bytes, as DAG-CBOR requires.
    private static func appendHead(major: UInt8, argument: UInt64, to bytes: inout [UInt8]) {
        switch argument {
        case 0..<24:
            bytes.append(major | UInt8(argument))
        case 24...0xFF:
            bytes += [major | 24, UInt8(argument)]
        case 0x100...0xFFFF:
            bytes.append(major | 25)
            appendBigEndian(argument, byteCount: 2, to: &bytes)
        case 0x1_0000...0xFFFF_FFFF:
            bytes.append(major | 26)
            appendBigEndian(argument, byteCount: 4, to: &bytes)
        default:
            bytes.append(major | 27)
            appendBigEndian(argument, byteCount: 8, to: &bytes)
        }
    }

    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to bytes: inout [UInt8]) {
        for index in stride(from: byteCount - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (UInt64(index) * 8)))
        }
    }

    /// Reads CBOR items from the front of a complete header body.
    private struct Cursor {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }

        var isAtEnd: Bool { index == bytes.endIndex }

        /// The next item head: its major type (top three bits) and argument. Refuses the
        /// indefinite lengths and over-long arguments that DAG-CBOR forbids.
        mutating func head() throws(CARError) -> (major: UInt8, argument: UInt64) {
            let initial = try takeByte()
            let major = initial & 0xE0
            let additional = initial & 0x1F
            let argument: UInt64
            let smallest: UInt64
            switch additional {
            case 0..<24: return (major, UInt64(additional))
            case 24: (argument, smallest) = (try bigEndian(1), 24)
            case 25: (argument, smallest) = (try bigEndian(2), 0x100)
            case 26: (argument, smallest) = (try bigEndian(4), 0x1_0000)
            case 27: (argument, smallest) = (try bigEndian(8), 0x1_0000_0000)
            default:
                throw .malformedHeader(reason: "it uses an indefinite length or a reserved CBOR head, which DAG-CBOR forbids")
            }
            guard argument >= smallest else {
                throw .malformedHeader(reason: "a CBOR number or length is not written in the fewest bytes, as DAG-CBOR requires")
            }
            return (major, argument)
        }

        /// The bytes of the next item, which must be a text string.
        mutating func text() throws(CARError) -> ArraySlice<UInt8> {
            let (major, length) = try head()
            guard major == CARHeader.text else { throw .malformedHeader(reason: "a map key is not a string") }
            return try take(length)
        }

        /// The next item, which must be an array of links.
        mutating func links() throws(CARError) -> [ContentID] {
            let (major, count) = try head()
            guard major == CARHeader.array else { throw .malformedHeader(reason: "\"roots\" is not an array") }
            var links: [ContentID] = []
            // Each link takes bytes, so running out of them bounds a lying count.
            for _ in 0..<count {
                let (tagMajor, tagNumber) = try head()
                guard tagMajor == CARHeader.tag, tagNumber == CARHeader.linkTag else {
                    throw .malformedHeader(reason: "a root is not a link (CBOR tag 42)")
                }
                let (bytesMajor, length) = try head()
                guard bytesMajor == CARHeader.byteString else {
                    throw .malformedHeader(reason: "a root link does not hold a byte string")
                }
                let link = try take(length)
                guard link.first == 0x00 else {
                    throw .malformedHeader(reason: "a root link lacks the 0x00 prefix DAG-CBOR puts before a binary CID")
                }
                do throws(ContentError) {
                    links.append(try ContentID(binary: link.dropFirst()))
                } catch {
                    throw .invalidRoot(error)
                }
            }
            return links
        }

        private mutating func takeByte() throws(CARError) -> UInt8 {
            guard index < bytes.endIndex else { throw .malformedHeader(reason: "it ends inside a CBOR item") }
            defer { index += 1 }
            return bytes[index]
        }

        private mutating func take(_ count: UInt64) throws(CARError) -> ArraySlice<UInt8> {
            guard count <= UInt64(bytes.endIndex - index) else {
                throw .malformedHeader(reason: "it ends inside a CBOR item")
            }
            let end = index + Int(count)
            defer { index = end }
            return bytes[index..<end]
        }

        private mutating func bigEndian(_ byteCount: UInt64) throws(CARError) -> UInt64 {
            try take(byteCount).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}

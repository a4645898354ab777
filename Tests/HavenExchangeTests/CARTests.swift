import HavenStore
import Testing

@testable import HavenExchange

struct CARTests {
    static let helloWorld = Array("hello world".utf8)
    static let helloWorldID = ContentID.hashing(helloWorld, codec: .raw)
    static let json = Array(#"{"a":1}"#.utf8)

    /// A CAR with the root "hello world" and the blocks "hello world" (raw), "" (raw) and
    /// `{"a":1}` (dag-json), built without Haven by /tmp/carcheck.py (Python 3, libipld 3.5.0,
    /// multiformats 0.3.1): CIDs by `multiformats.CID` over `hashlib.sha256`, the header body by
    /// `libipld.encode_dag_cbor({'version': 1, 'roots': [bytes(root)]})`, lengths by
    /// `multiformats.varint.encode`. The same script decoded Haven's output with
    /// `libipld.decode_car` and re-hashed every block.
    static let pythonReference = bytes(
        hex: "3aa265726f6f747381d82a58250001551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
            + "6776657273696f6e01"
            + "2f01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde968656c6c6f20776f726c64"
            + "2401551220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            + "2c01a9021220015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f8627b2261223a317d"
    )
    static let pythonReferenceHeaderLength = 59

    static var referenceBlocks: [CARBlock] {
        [
            CARBlock(id: helloWorldID, bytes: helloWorld),
            CARBlock(id: ContentID.hashing([], codec: .raw), bytes: []),
            CARBlock(id: ContentID.hashing(json, codec: .dagJSON), bytes: json),
        ]
    }

    // MARK: Writing

    @Test func headerForOneRootMatchesItsEncodingByHand() {
        let sha256OfHelloWorld = Self.bytes(hex: "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        var expected: [UInt8] = [0x3A]  // varint 58: the length of the DAG-CBOR body below
        expected += [0xA2]  // map of 2 entries
        expected += [0x65] + Array("roots".utf8)  // text of 5 bytes; sorts first (shorter key)
        expected += [0x81]  // array of 1 item
        expected += [0xD8, 0x2A]  // tag 42 (an IPLD link), argument in one byte
        expected += [0x58, 0x25]  // byte string of 37 bytes, length in one byte
        expected += [0x00]  // multibase identity prefix before a binary CID
        expected += [0x01, 0x55, 0x12, 0x20]  // CIDv1, raw, sha2-256, 32-byte digest
        expected += sha256OfHelloWorld
        expected += [0x67] + Array("version".utf8)  // text of 7 bytes
        expected += [0x01]  // unsigned integer 1
        #expect(expected.count == 1 + 0x3A)
        #expect(CARWriter.header(roots: [Self.helloWorldID]) == expected)
    }

    @Test func writerOutputEqualsThePythonReference() {
        #expect(
            CARWriter.header(roots: [Self.helloWorldID]) == Array(Self.pythonReference.prefix(Self.pythonReferenceHeaderLength))
        )
        var car = CARWriter.header(roots: [Self.helloWorldID])
        for block in Self.referenceBlocks {
            car += CARWriter.block(block.id, bytes: block.bytes)
        }
        #expect(car == Self.pythonReference)
    }

    @Test func blockPrefixThenBytesIsTheBlock() {
        let id = ContentID.hashing(Self.json, codec: .dagJSON)
        #expect(CARWriter.blockPrefix(id, length: Self.json.count) + Self.json == CARWriter.block(id, bytes: Self.json))
        // The section length counts the 37-byte dag-json id and the 7 bytes of the block.
        #expect(CARWriter.blockPrefix(id, length: Self.json.count).first == 44)
    }

    @Test func headerWithoutRootsIsAnEmptyArray() throws {
        // {"roots": [], "version": 1}
        let expected: [UInt8] = [0x11, 0xA2, 0x65] + Array("roots".utf8) + [0x80, 0x67] + Array("version".utf8) + [0x01]
        #expect(CARWriter.header(roots: []) == expected)
        var reader = CARReader()
        reader.append(expected)
        #expect(try reader.nextHeader() == [])
        try reader.finish()
    }

    // MARK: Reading

    @Test func readerReadsThePythonReference() throws {
        let (roots, blocks) = try Self.read(Self.pythonReference, pieceSize: Self.pythonReference.count)
        #expect(roots == [Self.helloWorldID])
        #expect(blocks == Self.referenceBlocks)
        #expect(blocks.allSatisfy { $0.isValid })
    }

    @Test func roundTripHoldsForPiecesOfEverySize() throws {
        let large = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }  // a two-byte section length
        let blocks = [
            CARBlock(id: ContentID.hashing(large, codec: .raw), bytes: large),
            CARBlock(id: ContentID.hashing([], codec: .raw), bytes: []),
            CARBlock(id: ContentID.hashing(Self.json, codec: .dagJSON), bytes: Self.json),
            CARBlock(id: Self.helloWorldID, bytes: Self.helloWorld),
        ]
        let roots = [blocks[2].id, blocks[0].id]
        var car = CARWriter.header(roots: roots)
        for block in blocks {
            car += CARWriter.block(block.id, bytes: block.bytes)
        }
        for pieceSize in 1...car.count {
            let (readRoots, readBlocks) = try Self.read(car, pieceSize: pieceSize)
            #expect(readRoots == roots, "piece size \(pieceSize)")
            #expect(readBlocks == blocks, "piece size \(pieceSize)")
        }
    }

    @Test func nextBlockReadsTheHeaderFirst() throws {
        var reader = CARReader()
        reader.append(Self.pythonReference)
        #expect(try reader.nextBlock() == Self.referenceBlocks[0])
        #expect(reader.roots == [Self.helloWorldID])
        #expect(try reader.nextHeader() == [Self.helloWorldID])
    }

    @Test func nothingIsReturnedBeforeASectionIsWhole() throws {
        var reader = CARReader()
        reader.append(Self.pythonReference.prefix(Self.pythonReferenceHeaderLength - 1))
        #expect(try reader.nextHeader() == nil)
        #expect(try reader.nextBlock() == nil)
        reader.append(Self.pythonReference[Self.pythonReferenceHeaderLength - 1..<Self.pythonReferenceHeaderLength + 10])
        #expect(try reader.nextHeader() == [Self.helloWorldID])
        #expect(try reader.nextBlock() == nil)
    }

    @Test func memoryStaysNearOneSectionOverALongStream() throws {
        let pieceSize = 7
        let block = [UInt8](repeating: 0xAB, count: 100)
        let section = CARWriter.block(ContentID.hashing(block, codec: .raw), bytes: block)
        var car = CARWriter.header(roots: [])
        for _ in 0..<1000 { car += section }

        var reader = CARReader()
        var largest = 0
        var count = 0
        for start in stride(from: 0, to: car.count, by: pieceSize) {
            reader.append(car[start..<min(start + pieceSize, car.count)])
            while try reader.nextBlock() != nil { count += 1 }
            largest = max(largest, reader.bufferedByteCount)
        }
        try reader.finish()
        #expect(count == 1000)
        #expect(largest <= 2 * (section.count + pieceSize) + pieceSize)
    }

    // MARK: Validity

    @Test func isValidChecksTheBytesAgainstTheID() {
        let block = CARBlock(id: Self.helloWorldID, bytes: Self.helloWorld)
        #expect(block.isValid)
        var flipped = Self.helloWorld
        flipped[3] ^= 0x01
        #expect(!CARBlock(id: Self.helloWorldID, bytes: flipped).isValid)
        #expect(CARBlock(id: ContentID.hashing([], codec: .raw), bytes: []).isValid)
    }

    // MARK: Refusals

    @Test func aCorruptedHeaderIsRefused() {
        var notAMap = Self.pythonReference
        notAMap[1] = 0x82  // an array of 2 items where the map was
        expectMalformedHeader(notAMap, mentioning: "not a CBOR map")

        var renamedKey = Self.pythonReference
        renamedKey[4] = UInt8(ascii: "x")  // "rxots"
        expectMalformedHeader(renamedKey, mentioning: "rxots")

        var indefinite = Self.pythonReference
        indefinite[1] = 0xBF  // an indefinite-length map
        expectMalformedHeader(indefinite, mentioning: "indefinite")

        // A byte of the body moved after the map: the declared length now covers a trailing byte.
        let trailing = [UInt8(0x12)] + CARWriter.header(roots: []).dropFirst() + [0x00]
        expectMalformedHeader(trailing, mentioning: "after the map")

        var lengthInTwoBytes = CARWriter.header(roots: [])
        lengthInTwoBytes[0] += 1
        lengthInTwoBytes.replaceSubrange(2...2, with: [0x78, 0x05])  // text of 5 bytes, length in a needless extra byte
        expectMalformedHeader(lengthInTwoBytes, mentioning: "fewest bytes")
    }

    @Test func aRootThatIsNotACIDv1IsRefused() {
        // {"roots": [CIDv0 link], "version": 1}: the link holds 0x00 ++ bare multihash.
        let digest = Self.helloWorldID.digest
        var body: [UInt8] = [0xA2, 0x65] + Array("roots".utf8) + [0x81, 0xD8, 0x2A, 0x58, 0x23, 0x00, 0x12, 0x20] + digest
        body += [0x67] + Array("version".utf8) + [0x01]
        let error = Self.firstError([UInt8(body.count)] + body)
        guard case .invalidRoot(.invalidContentID(_, let reason)) = error else {
            Issue.record("expected invalidRoot, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("CIDv0"))
    }

    @Test func otherVersionsAreRefused() {
        var version2 = CARWriter.header(roots: [Self.helloWorldID])
        version2[version2.count - 1] = 0x02
        #expect(Self.firstError(version2) == .unsupportedVersion(2))
        // The CARv2 pragma: {"version": 2}, which has no roots.
        let pragma: [UInt8] = [0x0A, 0xA1, 0x67] + Array("version".utf8) + [0x02]
        #expect(Self.firstError(pragma) == .unsupportedVersion(2))
        // The accepted version, next to them.
        #expect(Self.firstError(CARWriter.header(roots: [Self.helloWorldID])) == nil)
    }

    @Test func aTruncatedStreamIsRefusedAtFinish() {
        let car = Self.pythonReference
        #expect(Self.firstError(Array(car.dropLast())) == .truncated(.block, received: 43, expected: 44))
        let insideHeader = Array(car.prefix(20))
        #expect(Self.firstError(insideHeader) == .truncated(.header, received: 19, expected: 58))
        #expect(Self.firstError([]) == .truncated(.header, received: 0, expected: nil))
        // A block length prefix cut after its first byte (300 needs two).
        let cutPrefix = CARWriter.header(roots: []) + [0xAC]
        #expect(Self.firstError(cutPrefix) == .truncated(.block, received: 1, expected: nil))
        #expect(Self.firstError(car) == nil)
    }

    @Test func finishRefusesSectionsNobodyRead() throws {
        var reader = CARReader()
        reader.append(Self.pythonReference)
        _ = try reader.nextHeader()
        #expect(throws: CARError.unreadData(byteCount: Self.pythonReference.count - Self.pythonReferenceHeaderLength)) {
            try reader.finish()
        }
    }

    @Test func oversizeLengthsAreRefusedBeforeTheSectionArrives() throws {
        var reader = CARReader(maximumBlockSize: 100)
        reader.append(CARWriter.header(roots: []))
        reader.append(CARWriter.blockPrefix(Self.helloWorldID, length: 64))  // 36 + 64 = 100: at the limit
        #expect(try reader.nextBlock() == nil)

        var over = CARReader(maximumBlockSize: 100)
        over.append(CARWriter.header(roots: []))
        over.append(CARWriter.blockPrefix(Self.helloWorldID, length: 65))
        #expect(throws: CARError.blockTooLarge(length: 101, limit: 100)) { try over.nextBlock() }

        var smallHeader = CARReader(maximumHeaderSize: 57)
        smallHeader.append(Self.pythonReference.prefix(1))
        #expect(throws: CARError.headerTooLarge(length: 58, limit: 57)) { try smallHeader.nextHeader() }
    }

    @Test func lengthPrefixesMustBeMinimalAndShort() {
        let header = CARWriter.header(roots: [])
        // 0x11 spelled in two bytes: 0x91 0x00.
        #expect(Self.firstError([0x91, 0x00] + header.dropFirst()) == .lengthPrefixNotMinimal)
        #expect(Self.firstError(header + [0x80, 0x00]) == .lengthPrefixNotMinimal)
        #expect(Self.firstError([UInt8](repeating: 0xFF, count: 10)) == .lengthPrefixTooLong)
        // Ten bytes whose last carries more than the 64th bit.
        #expect(Self.firstError([UInt8](repeating: 0x80, count: 9) + [0x02]) == .lengthPrefixTooLong)
    }

    @Test func aBlockUnderACIDv0IsRefused() {
        let cidV0 = [0x12, 0x20] + Self.helloWorldID.digest
        let car = CARWriter.header(roots: []) + [UInt8(cidV0.count + Self.helloWorld.count)] + cidV0 + Self.helloWorld
        guard case .invalidBlockID(.invalidContentID(_, let reason)) = Self.firstError(car) else {
            Issue.record("expected invalidBlockID")
            return
        }
        #expect(reason.contains("CIDv0"))
        // The same block under its CIDv1, next to it.
        #expect(Self.firstError(CARWriter.header(roots: []) + CARWriter.block(Self.helloWorldID, bytes: Self.helloWorld)) == nil)
    }

    @Test func anEmptySectionIsRefused() {
        #expect(Self.firstError(CARWriter.header(roots: []) + [0x00]) == .emptySection)
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(CARError.unsupportedVersion(2).description == "CAR version 2 is not supported; send CARv1")
        #expect(
            CARError.truncated(.block, received: 3, expected: 44).description
                == "the CAR stream ended inside a block, after 3 of 44 bytes; the sender stopped early or the connection dropped"
        )
    }

    // MARK: Helpers

    /// Feeds `car` in pieces of `pieceSize`, taking every block as soon as it is whole.
    static func read(_ car: [UInt8], pieceSize: Int) throws(CARError) -> (roots: [ContentID]?, blocks: [CARBlock]) {
        var reader = CARReader()
        var blocks: [CARBlock] = []
        for start in stride(from: 0, to: car.count, by: pieceSize) {
            reader.append(car[start..<min(start + pieceSize, car.count)])
            while let block = try reader.nextBlock() { blocks.append(block) }
        }
        try reader.finish()
        return (reader.roots, blocks)
    }

    /// The error reading all of `car` ends with, or `nil` if it reads cleanly.
    static func firstError(_ car: [UInt8]) -> CARError? {
        do {
            _ = try read(car, pieceSize: max(car.count, 1))
            return nil
        } catch {
            return error
        }
    }

    func expectMalformedHeader(_ car: [UInt8], mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .malformedHeader(let reason) = Self.firstError(car) else {
            Issue.record("expected a malformed header, got \(String(describing: Self.firstError(car)))", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.contains(text), "reason was: \(reason)", sourceLocation: sourceLocation)
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
}

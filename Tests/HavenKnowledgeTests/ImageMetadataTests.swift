import Foundation
import Testing

@testable import HavenKnowledge

@Suite struct ImageMetadataTests {
    static let notAnImage = ExtractionError.malformed(
        "it is neither a JPEG nor a PNG image (its first bytes are not a JPEG or PNG signature)")

    // MARK: JPEG

    @Test(arguments: [true, false])
    func readsAJPEGsExifInEitherByteOrder(littleEndian: Bool) throws {
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: ImageFixtures.exif(littleEndian: littleEndian)))
        #expect(metadata.format == "JPEG")
        #expect(metadata.width == 4032)
        #expect(metadata.height == 3024)
        #expect(metadata.cameraMake == "Canon")
        #expect(metadata.cameraModel == "Canon EOS 5D")
        #expect(metadata.taken == "2024-06-01 14:03:22")
        #expect(metadata.description == "Tower Bridge at noon")
        #expect(metadata.orientation == 6)
        let latitude = try #require(metadata.latitude)
        let longitude = try #require(metadata.longitude)
        #expect(abs(latitude - (51 + 30.0 / 60 + 26.0 / 3_600)) < 1e-9)
        #expect(abs(longitude + 0.1275) < 1e-9)
        #expect(metadata.texts.isEmpty)
    }

    @Test(arguments: [true, false])
    func aJPEGBecomesSearchableText(littleEndian: Bool) throws {
        let jpeg = ImageFixtures.jpeg(exif: ImageFixtures.exif(littleEndian: littleEndian))
        let extracted = try TextExtractor.extract(jpeg, kind: .image)
        #expect(extracted.title == "Tower Bridge at noon")
        #expect(
            extracted.text == """
                Photo (JPEG, 4032 × 3024)
                Taken 2024-06-01 14:03:22
                Camera: Canon EOS 5D
                Place: 51.50722° N, 0.12750° W
                Description: Tower Bridge at noon
                """)
        #expect(try ImageText.extract(jpeg) == extracted)
    }

    @Test func withoutAFrameHeaderTheSizeComesFromExif() throws {
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: ImageFixtures.exif(littleEndian: true), width: nil, height: nil))
        #expect(metadata.width == 4032)
        #expect(metadata.height == 3024)
    }

    @Test func aJPEGWithoutExifGivesItsSizeAndComment() throws {
        let jpeg = ImageFixtures.jpeg(exif: nil, width: 800, height: 600, comment: "Lighthouse\nat dusk ")
        let metadata = try ImageMetadata.read(jpeg)
        #expect(metadata == ImageMetadata(format: "JPEG", width: 800, height: 600, texts: [.init(keyword: "Comment", text: "Lighthouse at dusk")]))
        let extracted = try ImageText.extract(jpeg)
        #expect(extracted == ExtractedText(title: nil, text: "Photo (JPEG, 800 × 600)\nComment: Lighthouse at dusk"))
    }

    @Test func theDateTimeIsUsedWhenThereIsNoDateTaken() throws {
        let tiff = ImageFixtures.tiff(littleEndian: false) { writer in
            [writer.ascii(0x010F, "FUJIFILM"), writer.ascii(0x0110, "X100V"), writer.ascii(0x0132, "2023:12:24 18:30:00")]
        }
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff))
        #expect(metadata.taken == "2023-12-24 18:30:00")
        #expect(ImageText.lines(metadata) == ["Photo (JPEG, 4032 × 3024)", "Taken 2023-12-24 18:30:00", "Camera: FUJIFILM X100V"])
    }

    @Test func datesAreRenderedOrKeptOrDropped() {
        #expect(ImageMetadata.renderedDate("2024:06:01 14:03:22") == "2024-06-01 14:03:22")
        #expect(ImageMetadata.renderedDate("0000:00:00 00:00:00") == nil)
        #expect(ImageMetadata.renderedDate("June 2024") == "June 2024")
        #expect(ImageMetadata.renderedDate("2024:6:1") == "2024:6:1")
    }

    @Test func shortStringsAreReadFromTheEntryAndNULsAndSpacesTrimmed() throws {
        let tiff = ImageFixtures.tiff(littleEndian: true) { writer in
            [
                ImageFixtures.Entry(tag: 0x010F, type: 2, count: 4, value: Array("LG\0\0".utf8)),
                ImageFixtures.Entry(tag: 0x0110, type: 2, count: 13, value: Array("  Pixel 8 \0\0\0".utf8)),
            ]
        }
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff))
        #expect(metadata.cameraMake == "LG")
        #expect(metadata.cameraModel == "Pixel 8")
    }

    @Test func southAndEastAreSigned() throws {
        let tiff = ImageFixtures.tiff(littleEndian: true) { writer in
            [writer.long(0x8825, 8 + 2 + 12 + 4)]
        }
        let writer = ImageFixtures.TIFFWriter(littleEndian: true)
        let gps = writer.ifd(
            [
                writer.ascii(1, "S"), writer.rationals(2, [(33, 1), (51, 1), (3540, 100)]),
                writer.ascii(3, "E"), writer.rationals(4, [(151, 1), (12, 1), (3000, 100)]),
            ], at: tiff.count)
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff + gps))
        let latitude = try #require(metadata.latitude)
        let longitude = try #require(metadata.longitude)
        #expect(abs(latitude + (33 + 51.0 / 60 + 35.4 / 3_600)) < 1e-9)
        #expect(abs(longitude - (151 + 12.0 / 60 + 30.0 / 3_600)) < 1e-9)
        #expect(ImageText.place(latitude: latitude, longitude: longitude) == "33.85983° S, 151.20833° E")
    }

    @Test func aZeroDenominatorGivesNoPlace() throws {
        let tiff = ImageFixtures.tiff(littleEndian: true) { writer in [writer.long(0x8825, 8 + 2 + 12 + 4)] }
        let writer = ImageFixtures.TIFFWriter(littleEndian: true)
        let gps = writer.ifd(
            [writer.rationals(2, [(51, 0), (30, 1), (0, 1)]), writer.rationals(4, [(1, 1), (0, 1), (0, 1)])], at: tiff.count)
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff + gps))
        #expect(metadata.latitude == nil)
        #expect(metadata.longitude == 1)
        #expect(!ImageText.lines(metadata).contains { $0.hasPrefix("Place:") })
    }

    // MARK: PNG

    @Test func readsAPNGsSizeAndTexts() throws {
        let metadata = try ImageMetadata.read(ImageFixtures.png())
        #expect(
            metadata
                == ImageMetadata(
                    format: "PNG", width: 640, height: 480,
                    texts: [
                        .init(keyword: "Title", text: "Harbour at dawn"), .init(keyword: "Author", text: "Zoë"),
                        .init(keyword: "Description", text: "Boats in the fog ⛵"),
                    ]))
        let extracted = try TextExtractor.extract(ImageFixtures.png(), kind: .image)
        #expect(extracted.title == "Harbour at dawn")
        #expect(extracted.text == "Photo (PNG, 640 × 480)\nTitle: Harbour at dawn\nAuthor: Zoë\nDescription: Boats in the fog ⛵")
    }

    @Test func aPNGsExifChunkIsRead() throws {
        var png = ImageFixtures.png()
        let end = png.count - 12  // before IEND
        png.insert(contentsOf: ImageFixtures.chunk("eXIf", ImageFixtures.exif(littleEndian: false)), at: end)
        let metadata = try ImageMetadata.read(png)
        #expect(metadata.width == 640)
        #expect(metadata.cameraModel == "Canon EOS 5D")
        #expect(metadata.taken == "2024-06-01 14:03:22")
        #expect(try ImageText.extract(png).title == "Tower Bridge at noon")
    }

    @Test func compressedInternationalTextIsSkipped() throws {
        let png = Array(ImageFixtures.png().prefix(8 + 25)) + ImageFixtures.chunk("iTXt", Array("Comment".utf8) + [0, 1, 0, 0, 0, 0x78, 0x9C])
            + ImageFixtures.chunk("IEND", [])
        let metadata = try ImageMetadata.read(png)
        #expect(metadata == ImageMetadata(format: "PNG", width: 640, height: 480))
    }

    // MARK: Untrusted bytes

    @Test func anythingElseIsNotAnImage() {
        for bytes in [[], Array("hello".utf8), Array("GIF89a".utf8) + [1, 0, 1, 0], [0xFF, 0xD8], [0x89, 0x50, 0x4E, 0x47]] as [[UInt8]] {
            #expect(throws: Self.notAnImage) { try ImageMetadata.read(bytes) }
            #expect(throws: Self.notAnImage) { try TextExtractor.extract(bytes, kind: .image) }
        }
    }

    @Test func everyPrefixOfAJPEGReadsWithoutTrapping() throws {
        for littleEndian in [true, false] {
            let jpeg = ImageFixtures.jpeg(exif: ImageFixtures.exif(littleEndian: littleEndian), comment: "a comment")
            for length in 0...jpeg.count {
                let prefix = Array(jpeg.prefix(length))
                if length < 3 {
                    #expect(throws: Self.notAnImage) { try ImageMetadata.read(prefix) }
                } else {
                    let metadata = try ImageMetadata.read(prefix)
                    #expect(metadata.format == "JPEG")
                    _ = try ImageText.extract(prefix)
                }
            }
        }
    }

    @Test func everyPrefixOfAPNGReadsWithoutTrapping() throws {
        let png = ImageFixtures.png()
        for length in 0...png.count {
            let prefix = Array(png.prefix(length))
            if length < 8 {
                #expect(throws: Self.notAnImage) { try ImageMetadata.read(prefix) }
            } else {
                #expect(try ImageMetadata.read(prefix).format == "PNG")
            }
        }
    }

    @Test func offsetsPastTheEndAreIgnored() throws {
        let tiff = ImageFixtures.tiff(littleEndian: true) { writer in
            [
                // A description of 20 bytes said to start near 4 GiB, a model just past the end.
                ImageFixtures.Entry(tag: 0x010E, type: 2, count: 20, value: writer.u32(0xFFFF_FFF0)),
                writer.ascii(0x010F, "Nikon"),
                ImageFixtures.Entry(tag: 0x0110, type: 2, count: 8, value: writer.u32(8 + 2 + 12 * 6 + 4 + 4)),
                ImageFixtures.Entry(tag: 0x0132, type: 2, count: 0xFFFF_FFFF, value: writer.u32(8)),
                writer.long(0x8769, 0x7FFF_FFFF),
                writer.long(0x8825, 0xFFFF_FFFF),
            ]
        }
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff))
        #expect(metadata == ImageMetadata(format: "JPEG", width: 4032, height: 3024, cameraMake: "Nikon"))
    }

    @Test func aHugeEntryCountReadsOnlyTheEntriesThatAreThere() throws {
        let tiff = ImageFixtures.tiff(littleEndian: false, claimedCount: 0xFFFF) { writer in
            [writer.ascii(0x010F, "Sony"), writer.ascii(0x0110, "ILCE-7M4")]
        }
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff))
        #expect(metadata.cameraMake == "Sony")
        #expect(metadata.cameraModel == "ILCE-7M4")
    }

    @Test func anIFDPointingAtItselfIsReadOnce() throws {
        let tiff = ImageFixtures.tiff(littleEndian: true) { writer in
            [writer.ascii(0x010F, "Leica"), writer.long(0x8769, 8), writer.long(0x8825, 8)]
        }
        let metadata = try ImageMetadata.read(ImageFixtures.jpeg(exif: tiff))
        #expect(metadata == ImageMetadata(format: "JPEG", width: 4032, height: 3024, cameraMake: "Leica"))
    }

    @Test func segmentsAndChunksWithLengthsPastTheEndStopTheWalk() throws {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x45, 0x78, 0x69, 0x66, 0, 0]
        #expect(try ImageMetadata.read(jpeg) == ImageMetadata(format: "JPEG"))
        let shortLength: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x01, 0xFF, 0xD9]
        #expect(try ImageMetadata.read(shortLength) == ImageMetadata(format: "JPEG"))
        let png = ImageFixtures.pngSignature + [0x7F, 0xFF, 0xFF, 0xFF] + Array("IHDR".utf8) + [0, 0, 2, 0x80]
        #expect(try ImageMetadata.read(png) == ImageMetadata(format: "PNG"))
        let hugeChunk = ImageFixtures.pngSignature + [0xFF, 0xFF, 0xFF, 0xFF] + Array("tEXt".utf8)
        #expect(try ImageMetadata.read(hugeChunk) == ImageMetadata(format: "PNG"))
    }

    @Test func garbageAfterTheSignaturesNeverTraps() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let exif = ImageFixtures.exif(littleEndian: true)
        for round in 0..<300 {
            let count = 1 + Int(next()) + Int(next())
            let garbage = (0..<count).map { _ in next() }
            // Raw garbage, garbage as an Exif body, and the real Exif with bytes overwritten.
            _ = try ImageMetadata.read([0xFF, 0xD8, 0xFF] + garbage)
            _ = try ImageMetadata.read(ImageFixtures.pngSignature + garbage)
            _ = try ImageMetadata.read(ImageFixtures.jpeg(exif: [0x49, 0x49, 0x2A, 0x00] + garbage))
            _ = try ImageMetadata.read(ImageFixtures.jpeg(exif: [0x4D, 0x4D, 0x00, 0x2A] + garbage))
            var damaged = exif
            for index in 0..<(1 + round % 8) {
                damaged[(Int(next()) << 8 | Int(next())) % damaged.count] = garbage[index % garbage.count]
            }
            _ = try ImageText.extract(ImageFixtures.jpeg(exif: damaged))
            var chunks = ImageFixtures.png()
            chunks[8 + Int(next()) % (chunks.count - 8)] = next()
            _ = try ImageText.extract(chunks)
        }
    }
}

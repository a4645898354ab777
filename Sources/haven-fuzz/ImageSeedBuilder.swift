/// Writes small JPEG and PNG files for the `extract-image` target: a JPEG with an Exif segment
/// (IFD0, the Exif and GPS IFDs) in either byte order and a PNG with text chunks. No pixels are
/// encoded and PNG CRCs are zero; `ImageMetadata` reads neither. The same shapes as the test
/// fixtures in `Tests/HavenKnowledgeTests/ImageFixtures.swift`.
enum ImageSeedBuilder {
    /// A JPEG of `width` × `height` with a full Exif segment and, when given, a comment.
    static func jpeg(littleEndian: Bool, width: Int, height: Int, comment: String? = nil) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
        bytes += segment(0xE1, Array("Exif".utf8) + [0, 0] + exif(littleEndian: littleEndian))
        if let comment { bytes += segment(0xFE, Array(comment.utf8)) }
        bytes += segment(
            0xC0,
            [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 3]
                + [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
        return bytes + [0xFF, 0xD9]
    }

    /// A 640 × 480 PNG with Latin-1 and international texts.
    static func png() -> [UInt8] {
        let header: [UInt8] = [0, 0, 0x02, 0x80, 0, 0, 0x01, 0xE0, 8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header)
            + chunk("tEXt", Array("Title".utf8) + [0] + Array("Harbour at dawn".utf8))
            + chunk("tEXt", Array("Author".utf8) + [0, 0x5A, 0x6F, 0xEB])
            + chunk("tEXt", Array("Software".utf8) + [0] + Array("GIMP".utf8))
            + chunk("iTXt", Array("Description".utf8) + [0, 0, 0] + Array("en".utf8) + [0, 0] + Array("Boats in the fog ⛵".utf8))
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00])
            + chunk("IEND", [])
    }

    private static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let length = UInt32(data.count)
        return [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + Array(type.utf8) + data + [0, 0, 0, 0]
    }

    /// Header, Exif IFD, GPS IFD, then IFD0 pointing back to both.
    private static func exif(littleEndian: Bool) -> [UInt8] {
        let writer = Writer(littleEndian: littleEndian)
        let exifIFD = writer.ifd(
            [writer.ascii(0x9003, "2024:06:01 14:03:22"), writer.long(0xA002, 4032), writer.short(0xA003, 3024)], at: 8)
        let gpsOffset = 8 + exifIFD.count
        let gpsIFD = writer.ifd(
            [
                writer.ascii(1, "N"), writer.rationals(2, [(51, 1), (30, 1), (2600, 100)]),
                writer.ascii(3, "W"), writer.rationals(4, [(0, 1), (7, 1), (39, 1)]),
            ], at: gpsOffset)
        let ifd0Offset = gpsOffset + gpsIFD.count
        let ifd0 = writer.ifd(
            [
                writer.ascii(0x010E, "Tower Bridge at noon"), writer.ascii(0x010F, "Canon"),
                writer.ascii(0x0110, "Canon EOS 5D"), writer.short(0x0112, 6),
                writer.ascii(0x0132, "2024:06:02 09:00:00"),
                writer.long(0x8769, 8), writer.long(0x8825, UInt32(gpsOffset)),
            ], at: ifd0Offset)
        let mark: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        return mark + writer.u16(42) + writer.u32(UInt32(ifd0Offset)) + exifIFD + gpsIFD + ifd0
    }

    /// One IFD entry: its value bytes in the file's byte order.
    private struct Entry {
        let tag: UInt16
        let type: UInt16
        let count: UInt32
        let value: [UInt8]
    }

    private struct Writer {
        let littleEndian: Bool

        func u16(_ value: UInt16) -> [UInt8] {
            let bytes = [UInt8(value >> 8), UInt8(value & 0xFF)]
            return littleEndian ? bytes.reversed() : bytes
        }

        func u32(_ value: UInt32) -> [UInt8] {
            let bytes = [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
            return littleEndian ? bytes.reversed() : bytes
        }

        func ascii(_ tag: UInt16, _ text: String) -> Entry {
            Entry(tag: tag, type: 2, count: UInt32(text.utf8.count + 1), value: Array(text.utf8) + [0])
        }

        func short(_ tag: UInt16, _ value: UInt16) -> Entry { Entry(tag: tag, type: 3, count: 1, value: u16(value)) }

        func long(_ tag: UInt16, _ value: UInt32) -> Entry { Entry(tag: tag, type: 4, count: 1, value: u32(value)) }

        func rationals(_ tag: UInt16, _ values: [(UInt32, UInt32)]) -> Entry {
            Entry(tag: tag, type: 5, count: UInt32(values.count), value: values.flatMap { u32($0.0) + u32($0.1) })
        }

        /// An IFD at `offset`, its long values right after it.
        func ifd(_ entries: [Entry], at offset: Int) -> [UInt8] {
            var table = u16(UInt16(entries.count))
            var data: [UInt8] = []
            let dataStart = offset + 2 + 12 * entries.count + 4
            for entry in entries {
                table += u16(entry.tag) + u16(entry.type) + u32(entry.count)
                if entry.value.count <= 4 {
                    table += entry.value + [UInt8](repeating: 0, count: 4 - entry.value.count)
                } else {
                    table += u32(UInt32(dataStart + data.count))
                    data += entry.value
                    if data.count % 2 == 1 { data.append(0) }
                }
            }
            return table + u32(0) + data
        }
    }
}

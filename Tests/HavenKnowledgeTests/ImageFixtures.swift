/// Small JPEG and PNG files built in code for the image metadata tests, so that no binary file is
/// committed: a JPEG with an Exif segment written in either byte order, a PNG with text chunks.
/// No pixels are encoded (nothing reads them), and PNG CRCs are zero: `ImageMetadata` does not
/// check them.
enum ImageFixtures {
    /// One IFD entry as written: its value bytes already in the file's byte order; values of four
    /// bytes or fewer are stored in the entry itself, longer ones after the IFD.
    struct Entry {
        let tag: UInt16
        let type: UInt16
        let count: UInt32
        let value: [UInt8]
    }

    /// Writes TIFF structures (the body of an Exif segment) in one byte order.
    struct TIFFWriter {
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

        func short(_ tag: UInt16, _ value: UInt16) -> Entry {
            Entry(tag: tag, type: 3, count: 1, value: u16(value))
        }

        func long(_ tag: UInt16, _ value: UInt32) -> Entry {
            Entry(tag: tag, type: 4, count: 1, value: u32(value))
        }

        func rationals(_ tag: UInt16, _ values: [(UInt32, UInt32)]) -> Entry {
            Entry(tag: tag, type: 5, count: UInt32(values.count), value: values.flatMap { u32($0.0) + u32($0.1) })
        }

        /// The header: byte order mark, 42, and where IFD0 starts.
        func header(ifd0: Int) -> [UInt8] {
            let mark: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
            return mark + u16(42) + u32(UInt32(ifd0))
        }

        /// An IFD written at `offset` (from the TIFF header), its long values right after it.
        /// `claimedCount` writes another entry count than there are entries.
        func ifd(_ entries: [Entry], at offset: Int, claimedCount: UInt16? = nil) -> [UInt8] {
            var table = u16(claimedCount ?? UInt16(entries.count))
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

    /// A photo's Exif: IFD0 (make, model, date, description, orientation), the Exif IFD (date
    /// taken, pixel dimensions) and the GPS IFD (51° 30′ 26″ N, 0° 7′ 39″ W: 51.50722, -0.1275).
    /// Laid out as header, Exif IFD, GPS IFD, then IFD0, which points back to the other two.
    static func exif(littleEndian: Bool) -> [UInt8] {
        let writer = TIFFWriter(littleEndian: littleEndian)
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
        return writer.header(ifd0: ifd0Offset) + exifIFD + gpsIFD + ifd0
    }

    /// A TIFF of IFD0 alone, written right after the header.
    static func tiff(littleEndian: Bool, claimedCount: UInt16? = nil, _ entries: (TIFFWriter) -> [Entry]) -> [UInt8] {
        let writer = TIFFWriter(littleEndian: littleEndian)
        return writer.header(ifd0: 8) + writer.ifd(entries(writer), at: 8, claimedCount: claimedCount)
    }

    /// SOI, APP0 (JFIF), APP1 (Exif, when given), a comment (when given), SOF0 (when the size is
    /// given), EOI.
    static func jpeg(exif: [UInt8]?, width: Int? = 4032, height: Int? = 3024, comment: String? = nil) -> [UInt8] {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            let length = payload.count + 2
            return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
        if let exif { bytes += segment(0xE1, Array("Exif".utf8) + [0, 0] + exif) }
        if let comment { bytes += segment(0xFE, Array(comment.utf8)) }
        if let width, let height {
            bytes += segment(
                0xC0,
                [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 3]
                    + [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
        }
        return bytes + [0xFF, 0xD9]
    }

    /// The eight bytes every PNG starts with.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// One PNG chunk, its CRC left at zero.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let length = UInt32(data.count)
        return [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
            + Array(type.utf8) + data + [0, 0, 0, 0]
    }

    /// Signature, IHDR (640 × 480, 8-bit RGB), a Latin-1 title and author (`Zoë`), a text whose
    /// keyword is not read (`Software`), an iTXt description in UTF-8, an IDAT of no real pixels,
    /// IEND.
    static func png() -> [UInt8] {
        let header: [UInt8] = [0, 0, 0x02, 0x80, 0, 0, 0x01, 0xE0, 8, 2, 0, 0, 0]
        return pngSignature
            + chunk("IHDR", header)
            + chunk("tEXt", Array("Title".utf8) + [0] + Array("Harbour at dawn".utf8))
            + chunk("tEXt", Array("Author".utf8) + [0, 0x5A, 0x6F, 0xEB])
            + chunk("tEXt", Array("Software".utf8) + [0] + Array("GIMP".utf8))
            + chunk("iTXt", Array("Description".utf8) + [0, 0, 0] + Array("en".utf8) + [0, 0] + Array("Boats in the fog ⛵".utf8))
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00])
            + chunk("IEND", [])
    }
}

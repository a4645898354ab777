import Foundation

/// What a photo says about itself, read from a JPEG's SOF and Exif segments or a PNG's IHDR,
/// text and `eXIf` chunks. The bytes are untrusted: every offset the file gives is checked before
/// it is used, every loop moves forward or is capped, and Exif sub-IFDs are followed one level deep
/// from IFD0 only, so any input gives metadata (perhaps partial) or `ExtractionError`, never a trap.
/// Pixels are never decoded; turning what a photo shows into words needs a vision model.
public struct ImageMetadata: Sendable, Equatable {
    /// One text a PNG carries (`tEXt`, uncompressed `iTXt`) or a JPEG comment (`COM`).
    public struct KeywordText: Sendable, Equatable {
        /// The PNG keyword (`Title`, `Description`, `Author`, `Creation Time`, `Comment`).
        public var keyword: String
        /// The text, control characters turned into spaces, trimmed and capped.
        public var text: String

        public init(keyword: String, text: String) {
            self.keyword = keyword
            self.text = text
        }
    }

    /// `"JPEG"` or `"PNG"`.
    public var format: String
    /// Pixels across and down: from the frame header (JPEG SOF, PNG IHDR), else Exif's PixelXDimension.
    public var width: Int?
    public var height: Int?
    /// Exif Make and Model (IFD0 0x010F, 0x0110).
    public var cameraMake: String?
    public var cameraModel: String?
    /// When it was taken (Exif DateTimeOriginal, else DateTime) as `2024-06-01 14:03:22`.
    public var taken: String?
    /// Exif ImageDescription (0x010E).
    public var description: String?
    /// Exif Orientation (0x0112), 1...8.
    public var orientation: Int?
    /// Decimal degrees from the GPS IFD: north and east positive.
    public var latitude: Double?
    public var longitude: Double?
    /// PNG texts with the keywords above, and JPEG comments (keyword `Comment`), in file order.
    public var texts: [KeywordText]

    public init(
        format: String, width: Int? = nil, height: Int? = nil, cameraMake: String? = nil, cameraModel: String? = nil,
        taken: String? = nil, description: String? = nil, orientation: Int? = nil, latitude: Double? = nil,
        longitude: Double? = nil, texts: [KeywordText] = []
    ) {
        self.format = format
        self.width = width
        self.height = height
        self.cameraMake = cameraMake
        self.cameraModel = cameraModel
        self.taken = taken
        self.description = description
        self.orientation = orientation
        self.latitude = latitude
        self.longitude = longitude
        self.texts = texts
    }

    /// The longest Exif string kept, in bytes.
    static let maximumExifString = 256
    /// The longest PNG text or JPEG comment kept, in bytes.
    static let maximumText = 2_048
    /// The most texts kept from one file.
    static let maximumTexts = 32
    /// The most entries read from one IFD, whatever count the file claims.
    static let maximumEntries = 256
    /// The PNG text keywords that describe a photo.
    static let keywords: Set<String> = ["Title", "Description", "Author", "Creation Time", "Comment"]

    /// Reads a JPEG or a PNG. Throws `.malformed` when the bytes are neither; a damaged or
    /// truncated image gives what could be read before the damage.
    public static func read(_ bytes: [UInt8]) throws(ExtractionError) -> ImageMetadata {
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF {
            return readJPEG(bytes)
        }
        if bytes.count >= 8, Array(bytes[0..<8]) == pngSignature {
            return readPNG(bytes)
        }
        throw .malformed("it is neither a JPEG nor a PNG image (its first bytes are not a JPEG or PNG signature)")
    }

    // MARK: JPEG

    private static func readJPEG(_ bytes: [UInt8]) -> ImageMetadata {
        var metadata = ImageMetadata(format: "JPEG")
        var exifRead = false
        var frameRead = false
        var index = 2
        // Every pass moves `index` forward by at least one byte, so the loop ends.
        while index < bytes.count {
            guard bytes[index] == 0xFF else { break }
            var markerIndex = index + 1
            while markerIndex < bytes.count, bytes[markerIndex] == 0xFF { markerIndex += 1 }  // fill bytes
            guard markerIndex < bytes.count else { break }
            let marker = bytes[markerIndex]
            index = markerIndex + 1
            if marker == 0xD9 || marker == 0xDA { break }  // EOI, or SOS: entropy-coded data follows
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }  // no length
            guard let length = bigEndian16(bytes, at: index), length >= 2, length <= bytes.count - index else { break }
            let payload = (index + 2)..<(index + length)
            switch marker {
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                if !frameRead, payload.count >= 5 {
                    frameRead = true
                    let height = bigEndian16(bytes, at: payload.lowerBound + 1) ?? 0
                    let width = bigEndian16(bytes, at: payload.lowerBound + 3) ?? 0
                    if height > 0 { metadata.height = height }
                    if width > 0 { metadata.width = width }
                }
            case 0xE1:
                if !exifRead, payload.count >= 6, Array(bytes[payload.lowerBound..<(payload.lowerBound + 6)]) == exifHeader,
                    let tiff = TIFFBlock(bytes, start: payload.lowerBound + 6, end: payload.upperBound)
                {
                    exifRead = true
                    readExif(tiff, into: &metadata)
                }
            case 0xFE:
                if metadata.texts.count < maximumTexts,
                    let comment = cleaned(latin1(bytes[payload].prefix(maximumText)), limit: maximumText)
                {
                    metadata.texts.append(KeywordText(keyword: "Comment", text: comment))
                }
            default:
                break
            }
            index += length
        }
        return metadata
    }

    // MARK: PNG

    private static func readPNG(_ bytes: [UInt8]) -> ImageMetadata {
        var metadata = ImageMetadata(format: "PNG")
        var exifRead = false
        var index = 8
        // Every pass moves `index` forward by at least twelve bytes, so the loop ends.
        while let length = bigEndian32(bytes, at: index), bytes.count - index >= 8 {
            let dataStart = index + 8
            guard length <= bytes.count - dataStart else { break }  // the chunk runs past the end
            let data = bytes[dataStart..<(dataStart + length)]
            switch String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self) {
            case "IHDR":
                if data.count >= 8 {
                    let width = bigEndian32(bytes, at: dataStart) ?? 0
                    let height = bigEndian32(bytes, at: dataStart + 4) ?? 0
                    if width > 0 { metadata.width = width }
                    if height > 0 { metadata.height = height }
                }
            case "tEXt":
                if let text = latin1Text(data) { append(text, to: &metadata) }
            case "iTXt":
                if let text = internationalText(data) { append(text, to: &metadata) }
            case "eXIf":
                if !exifRead, let tiff = TIFFBlock(bytes, start: dataStart, end: dataStart + length) {
                    exifRead = true
                    readExif(tiff, into: &metadata)
                }
            case "IEND":
                return metadata
            default:
                break
            }
            index = dataStart + length + 4  // and the CRC, which is not checked
        }
        return metadata
    }

    private static func append(_ text: KeywordText, to metadata: inout ImageMetadata) {
        guard keywords.contains(text.keyword), metadata.texts.count < maximumTexts else { return }
        metadata.texts.append(text)
    }

    /// `tEXt`: a Latin-1 keyword, a NUL, Latin-1 text.
    private static func latin1Text(_ data: ArraySlice<UInt8>) -> KeywordText? {
        guard let nul = data.firstIndex(of: 0) else { return nil }
        let keyword = String(latin1(data[data.startIndex..<nul]))
        guard let text = cleaned(latin1(data[(nul + 1)...].prefix(maximumText)), limit: maximumText) else { return nil }
        return KeywordText(keyword: keyword, text: text)
    }

    /// `iTXt`: keyword NUL, compression flag and method, language tag NUL, translated keyword NUL,
    /// UTF-8 text. Compressed text is skipped (no zlib here).
    private static func internationalText(_ data: ArraySlice<UInt8>) -> KeywordText? {
        guard let nul = data.firstIndex(of: 0) else { return nil }
        let keyword = String(latin1(data[data.startIndex..<nul]))
        let rest = data[(nul + 1)...]
        guard rest.count >= 2, rest[rest.startIndex] == 0 else { return nil }
        let afterFlags = rest.dropFirst(2)
        guard let languageEnd = afterFlags.firstIndex(of: 0) else { return nil }
        let afterLanguage = afterFlags[(languageEnd + 1)...]
        guard let translatedEnd = afterLanguage.firstIndex(of: 0) else { return nil }
        let utf8 = afterLanguage[(translatedEnd + 1)...].prefix(maximumText)
        guard let text = cleaned(String(decoding: utf8, as: UTF8.self).unicodeScalars, limit: maximumText) else { return nil }
        return KeywordText(keyword: keyword, text: text)
    }

    // MARK: Exif

    /// IFD0, then the Exif and GPS IFDs it points to (one level, no further links followed).
    private static func readExif(_ tiff: TIFFBlock, into metadata: inout ImageMetadata) {
        guard let ifd0 = tiff.unsigned32(at: 4) else { return }
        var dateTime: String?
        var original: String?
        var exifIFD: Int?
        var gpsIFD: Int?
        for entry in tiff.entries(at: ifd0) {
            switch entry.tag {
            case 0x010E: metadata.description = metadata.description ?? tiff.ascii(entry)
            case 0x010F: metadata.cameraMake = metadata.cameraMake ?? tiff.ascii(entry)
            case 0x0110: metadata.cameraModel = metadata.cameraModel ?? tiff.ascii(entry)
            case 0x0132: dateTime = dateTime ?? tiff.ascii(entry)
            case 0x0112:
                if let value = tiff.integer(entry), (1...8).contains(value) { metadata.orientation = value }
            case 0x8769: exifIFD = exifIFD ?? tiff.integer(entry)
            case 0x8825: gpsIFD = gpsIFD ?? tiff.integer(entry)
            default: break
            }
        }
        if let exifIFD {
            for entry in tiff.entries(at: exifIFD) {
                switch entry.tag {
                case 0x9003: original = original ?? tiff.ascii(entry)
                case 0xA002:
                    if metadata.width == nil, let value = tiff.integer(entry), value > 0 { metadata.width = value }
                case 0xA003:
                    if metadata.height == nil, let value = tiff.integer(entry), value > 0 { metadata.height = value }
                default: break
                }
            }
        }
        if let gpsIFD {
            var latitudeReference: String?
            var longitudeReference: String?
            var latitude: Double?
            var longitude: Double?
            for entry in tiff.entries(at: gpsIFD) {
                switch entry.tag {
                case 1: latitudeReference = tiff.ascii(entry)
                case 2: latitude = tiff.degrees(entry)
                case 3: longitudeReference = tiff.ascii(entry)
                case 4: longitude = tiff.degrees(entry)
                default: break
                }
            }
            if let latitude, latitude <= 90 {
                metadata.latitude = latitudeReference?.uppercased() == "S" ? -latitude : latitude
            }
            if let longitude, longitude <= 180 {
                metadata.longitude = longitudeReference?.uppercased() == "W" ? -longitude : longitude
            }
        }
        if metadata.taken == nil, let raw = original ?? dateTime {
            metadata.taken = renderedDate(raw)
        }
    }

    /// `2024:06:01 14:03:22` becomes `2024-06-01 14:03:22`; other spellings are kept as they are,
    /// and the all-zero "unknown" date is dropped.
    static func renderedDate(_ raw: String) -> String? {
        var scalars = Array(raw.unicodeScalars)
        let zero: Unicode.Scalar = "0"
        let nine: Unicode.Scalar = "9"
        let colon: Unicode.Scalar = ":"
        let isDigit = { (scalar: Unicode.Scalar) -> Bool in scalar >= zero && scalar <= nine }
        guard scalars.count >= 10, scalars[4] == colon, scalars[7] == colon,
            scalars[0..<4].allSatisfy(isDigit), scalars[5..<7].allSatisfy(isDigit), scalars[8..<10].allSatisfy(isDigit)
        else { return raw }
        if scalars[0..<10].allSatisfy({ $0 == zero || $0 == colon }) { return nil }
        scalars[4] = "-"
        scalars[7] = "-"
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    // MARK: Bytes

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]

    static func bigEndian16(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        return Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
    }

    static func bigEndian32(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }

    static func latin1(_ bytes: ArraySlice<UInt8>) -> String.UnicodeScalarView {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return view
    }

    /// Control characters become spaces, the ends are trimmed, at most `limit` scalars are kept;
    /// nil when nothing is left.
    static func cleaned(_ scalars: String.UnicodeScalarView, limit: Int) -> String? {
        let space: Unicode.Scalar = " "
        var view = String.UnicodeScalarView()
        for scalar in scalars.prefix(limit) {
            view.append(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? space : scalar)
        }
        let text = String(view).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

/// A TIFF structure (the body of an Exif segment) inside a larger byte array: its byte order and
/// bounds-checked reads at offsets relative to its header, which is where Exif offsets count from.
struct TIFFBlock {
    /// One IFD entry: `field` is the offset of its 4-byte value (or value offset) field.
    struct Entry {
        let tag: Int
        let type: Int
        let count: Int
        let field: Int
    }

    let bytes: [UInt8]
    let start: Int
    let length: Int
    let littleEndian: Bool

    /// nil unless `start..<end` lies inside `bytes` and begins with `II*\0` or `MM\0*`.
    init?(_ bytes: [UInt8], start: Int, end: Int) {
        guard start >= 0, end <= bytes.count, start <= end, end - start >= 8 else { return nil }
        switch (bytes[start], bytes[start + 1], bytes[start + 2], bytes[start + 3]) {
        case (0x49, 0x49, 0x2A, 0x00): littleEndian = true
        case (0x4D, 0x4D, 0x00, 0x2A): littleEndian = false
        default: return nil
        }
        self.bytes = bytes
        self.start = start
        self.length = end - start
    }

    func unsigned16(at offset: Int) -> Int? {
        guard offset >= 0, offset <= length - 2 else { return nil }
        let first = Int(bytes[start + offset])
        let second = Int(bytes[start + offset + 1])
        return littleEndian ? second << 8 | first : first << 8 | second
    }

    func unsigned32(at offset: Int) -> Int? {
        guard let first = unsigned16(at: offset), let second = unsigned16(at: offset + 2) else { return nil }
        return littleEndian ? second << 16 | first : first << 16 | second
    }

    /// The entries of the IFD at `offset`, at most `ImageMetadata.maximumEntries`, stopping at the
    /// first that runs past the end.
    func entries(at offset: Int) -> [Entry] {
        guard let count = unsigned16(at: offset) else { return [] }
        var entries: [Entry] = []
        for index in 0..<min(count, ImageMetadata.maximumEntries) {
            let at = offset + 2 + index * 12
            guard at <= length - 12, let tag = unsigned16(at: at), let type = unsigned16(at: at + 2),
                let valueCount = unsigned32(at: at + 4)
            else { break }
            entries.append(Entry(tag: tag, type: type, count: valueCount, field: at + 8))
        }
        return entries
    }

    /// Where an entry's value starts: in the entry when it fits in four bytes, else at the offset
    /// the entry gives (checked by the reads that follow).
    private func valueOffset(of entry: Entry, size: Int) -> Int? {
        let (total, overflow) = size.multipliedReportingOverflow(by: entry.count)
        guard !overflow else { return nil }
        return total <= 4 ? entry.field : unsigned32(at: entry.field)
    }

    /// An ASCII (or UNDEFINED) value up to its first NUL, decoded as UTF-8, cleaned and capped.
    func ascii(_ entry: Entry) -> String? {
        guard entry.type == 2 || entry.type == 7, entry.count > 0, let offset = valueOffset(of: entry, size: 1) else { return nil }
        let count = min(entry.count, ImageMetadata.maximumExifString)
        guard offset >= 0, offset <= length, count <= length - offset else { return nil }
        let value = bytes[(start + offset)..<(start + offset + count)]
        let text = value.prefix { $0 != 0 }
        return ImageMetadata.cleaned(String(decoding: text, as: UTF8.self).unicodeScalars, limit: ImageMetadata.maximumExifString)
    }

    /// The first value of a SHORT, LONG or IFD entry.
    func integer(_ entry: Entry) -> Int? {
        guard entry.count > 0 else { return nil }
        switch entry.type {
        case 3: return valueOffset(of: entry, size: 2).flatMap { unsigned16(at: $0) }
        case 4, 13: return valueOffset(of: entry, size: 4).flatMap { unsigned32(at: $0) }
        default: return nil
        }
    }

    /// Three RATIONALs (degrees, minutes, seconds) as decimal degrees; nil if any denominator is 0.
    func degrees(_ entry: Entry) -> Double? {
        guard entry.type == 5, entry.count >= 3, let offset = valueOffset(of: entry, size: 8) else { return nil }
        var parts: [Double] = []
        for index in 0..<3 {
            guard let numerator = unsigned32(at: offset + index * 8), let denominator = unsigned32(at: offset + index * 8 + 4),
                denominator != 0
            else { return nil }
            parts.append(Double(numerator) / Double(denominator))
        }
        let value = parts[0] + parts[1] / 60 + parts[2] / 3_600
        return value.isFinite ? value : nil
    }
}

/// The searchable text of an image: what its metadata says, one fact a line.
enum ImageText {
    static func extract(_ bytes: [UInt8]) throws(ExtractionError) -> ExtractedText {
        let metadata = try ImageMetadata.read(bytes)
        func text(_ keyword: String) -> String? { metadata.texts.first { $0.keyword == keyword }?.text }
        let title = metadata.description ?? text("Title") ?? text("Description")
        return ExtractedText(title: title, text: lines(metadata).joined(separator: "\n"))
    }

    /// `Photo (JPEG, 4032 × 3024)`, `Taken …`, `Camera: …`, `Place: …`, `Description: …`, then the
    /// texts as `Keyword: text`.
    static func lines(_ metadata: ImageMetadata) -> [String] {
        var lines: [String] = []
        if let width = metadata.width, let height = metadata.height {
            lines.append("Photo (\(metadata.format), \(width) × \(height))")
        } else {
            lines.append("Photo (\(metadata.format))")
        }
        if let taken = metadata.taken { lines.append("Taken \(taken)") }
        if let camera = camera(make: metadata.cameraMake, model: metadata.cameraModel) { lines.append("Camera: \(camera)") }
        if let latitude = metadata.latitude, let longitude = metadata.longitude {
            lines.append("Place: " + place(latitude: latitude, longitude: longitude))
        }
        if let description = metadata.description { lines.append("Description: \(description)") }
        for text in metadata.texts { lines.append("\(text.keyword): \(text.text)") }
        return lines
    }

    /// Make and model, the make left out when the model already starts with it (`Canon` + `Canon EOS 5D`).
    static func camera(make: String?, model: String?) -> String? {
        guard let make else { return model }
        guard let model else { return make }
        return model.lowercased().hasPrefix(make.lowercased()) ? model : "\(make) \(model)"
    }

    /// `51.50722° N, 0.12750° W`.
    static func place(latitude: Double, longitude: Double) -> String {
        let north: String = String(format: "%.5f", abs(latitude)) + (latitude < 0 ? "° S" : "° N")
        let east: String = String(format: "%.5f", abs(longitude)) + (longitude < 0 ? "° W" : "° E")
        return north + ", " + east
    }
}

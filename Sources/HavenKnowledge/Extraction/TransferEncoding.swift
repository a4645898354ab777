import Foundation

/// A MIME part's Content-Transfer-Encoding, and the decoding back to the part's bytes. Both
/// decoders are lenient the way mail readers are: stray characters are skipped, not refused.
enum TransferEncoding: Sendable, Equatable {
    case identity, base64, quotedPrintable

    init(header: String?) {
        switch header?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .identity
        }
    }

    func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .identity: Array(bytes)
        case .base64: Self.base64(bytes)
        case .quotedPrintable: Self.quotedPrintable(bytes, underscoreIsSpace: false)
        }
    }

    static func base64(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            guard let value = base64Value(byte) else {
                if byte == UInt8(ascii: "=") { break }
                continue
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    /// Quoted-printable (RFC 2045): `=XX` is a byte, `=` at a line's end joins it to the next.
    /// In an RFC 2047 "Q" encoded word `_` also stands for a space.
    static func quotedPrintable(_ bytes: some Collection<UInt8>, underscoreIsSpace: Bool) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < input.count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                // A soft line break: "=" then optional spaces, then the end of the line.
                var next = index + 1
                while next < input.count, input[next] == 0x20 || input[next] == 0x09 { next += 1 }
                if next < input.count, input[next] == 0x0D { next += 1 }
                if next < input.count, input[next] == 0x0A {
                    index = next + 1
                    continue
                }
                if next == input.count {
                    index = next
                    continue
                }
                output.append(byte)
            } else if underscoreIsSpace, byte == UInt8(ascii: "_") {
                output.append(0x20)
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

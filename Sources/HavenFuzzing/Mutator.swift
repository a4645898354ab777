/// Makes new inputs from old ones the way libFuzzer's mutation engine does — flipped bits,
/// bytes set or erased, interesting integers and syntax characters inserted, ranges repeated,
/// pieces of another seed spliced in — but without coverage feedback: what `make test` runs on
/// every target for a few seconds in the normal build (`haven-fuzz --mutate`), where the
/// sanitized, coverage-guided build of `make fuzz` would take too long.
///
/// Deterministic for a given ``seed``: a finding in CI's log is found again by running with the
/// seed it prints.
public struct Mutator: Sendable {
    /// The seed the random choices start from.
    public let seed: UInt64
    /// No input grows beyond this many bytes.
    public let maximumLength: Int
    private var random: SplitMix64

    public init(seed: UInt64, maximumLength: Int = 64 * 1024) {
        self.seed = seed
        self.maximumLength = max(1, maximumLength)
        random = SplitMix64(seed: seed)
    }

    /// A number in `0..<bound` from the mutator's own generator.
    public mutating func next(below bound: Int) -> Int {
        Int.random(in: 0..<max(1, bound), using: &random)
    }

    /// `input` with one to eight mutations applied; `donor` (another seed) supplies pieces
    /// to splice in. Never longer than ``maximumLength``.
    public mutating func mutate(_ input: [UInt8], donor: [UInt8] = []) -> [UInt8] {
        var bytes = Array(input.prefix(maximumLength))
        let count = 1 + next(below: 8)
        for _ in 0..<count {
            apply(Operation.allCases[next(below: Operation.allCases.count)], to: &bytes, donor: donor)
            if bytes.count > maximumLength { bytes.removeLast(bytes.count - maximumLength) }
        }
        return bytes
    }

    /// What one mutation does.
    enum Operation: CaseIterable {
        case flipBit, setByte, insertByte, eraseRange, repeatRange, copyRange, insertInteger, insertSyntax,
            spliceDonor, truncate, shuffleRange, incrementNumber
    }

    /// Values that sit on the edges parsers get wrong: signs, widths, powers of two.
    static let interestingIntegers: [UInt64] = [
        0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ]

    /// Pieces of the text syntaxes Haven parses (JSON, headers, paths, CIDs, DIDs, e-mail,
    /// HTML, TOML-like keys), to reach past a parser's first refusal.
    static let syntax: [[UInt8]] = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "/", "//", "..", "%", "%00", "%2F", "=", ";",
        "\r\n", "\n", "\r\n\r\n", " ", "\t", "<", ">", "</", "<!--", "-->", "&amp;", "&#", "null", "true", "false", "-0",
        "1e999", "-1", "9999999999999999999999", "0.", ".5", "\u{0}", "\u{FEFF}", "\u{300}", "é", "did:key:z", "did:web:",
        "bafy", "baguqeera", "sig1=", "(\"@method\")", ";created=", ":YQ==:", "==", "base64,", "Content-Type: ",
        "boundary=", "--", "=?utf-8?B?", "#", "*", "**", "`", "```", "|", "&", "'", "+", "\u{7F}", "\u{FFFD}",
    ].map { Array($0.utf8) }

    private mutating func apply(_ operation: Operation, to bytes: inout [UInt8], donor: [UInt8]) {
        switch operation {
        case .flipBit:
            guard !bytes.isEmpty else { return insertRandom(into: &bytes) }
            bytes[next(below: bytes.count)] ^= 1 << UInt8(next(below: 8))
        case .setByte:
            guard !bytes.isEmpty else { return insertRandom(into: &bytes) }
            bytes[next(below: bytes.count)] = UInt8(truncatingIfNeeded: next(below: 256))
        case .insertByte:
            insertRandom(into: &bytes)
        case .eraseRange:
            guard !bytes.isEmpty else { return }
            let start = next(below: bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + next(below: 16)))
        case .repeatRange:
            guard !bytes.isEmpty else { return }
            let start = next(below: bytes.count)
            let piece = bytes[start..<min(bytes.count, start + 1 + next(below: 32))]
            let times = 1 + next(below: 8)
            bytes.insert(contentsOf: Array(repeating: Array(piece), count: times).joined(), at: start)
        case .copyRange:
            guard bytes.count > 1 else { return }
            let start = next(below: bytes.count)
            let piece = Array(bytes[start..<min(bytes.count, start + 1 + next(below: 32))])
            let target = next(below: bytes.count)
            for (offset, byte) in piece.enumerated() where target + offset < bytes.count { bytes[target + offset] = byte }
        case .insertInteger:
            let value = Self.interestingIntegers[next(below: Self.interestingIntegers.count)]
            let width = [1, 2, 4, 8][next(below: 4)]
            var encoded = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
            if next(below: 2) == 0 { encoded.reverse() }
            if next(below: 2) == 0 {
                encoded = Array(String(value).utf8)
            }
            bytes.insert(contentsOf: encoded, at: next(below: bytes.count + 1))
        case .insertSyntax:
            bytes.insert(contentsOf: Self.syntax[next(below: Self.syntax.count)], at: next(below: bytes.count + 1))
        case .spliceDonor:
            guard !donor.isEmpty else { return insertRandom(into: &bytes) }
            let start = next(below: donor.count)
            let piece = donor[start..<min(donor.count, start + 1 + next(below: 256))]
            bytes.insert(contentsOf: piece, at: next(below: bytes.count + 1))
        case .truncate:
            guard !bytes.isEmpty else { return }
            bytes.removeLast(bytes.count - next(below: bytes.count))
        case .shuffleRange:
            guard bytes.count > 1 else { return }
            let start = next(below: bytes.count)
            let end = min(bytes.count, start + 2 + next(below: 8))
            bytes[start..<end].shuffle(using: &random)
        case .incrementNumber:
            // A decimal digit run made one larger or smaller, as a length or count would be.
            guard let digit = bytes.indices.dropFirst(next(below: bytes.count + 1)).first(where: { (48...57).contains(bytes[$0]) })
            else { return insertRandom(into: &bytes) }
            bytes[digit] = next(below: 2) == 0 ? (bytes[digit] == 57 ? 48 : bytes[digit] + 1) : (bytes[digit] == 48 ? 57 : bytes[digit] - 1)
        }
    }

    private mutating func insertRandom(into bytes: inout [UInt8]) {
        let count = 1 + next(below: 4)
        let piece = (0..<count).map { _ in UInt8(truncatingIfNeeded: next(below: 256)) }
        bytes.insert(contentsOf: piece, at: next(below: bytes.count + 1))
    }
}

/// Sebastiano Vigna's SplitMix64: a small, fast generator whose whole state is one seed, so a
/// run can be repeated from the number it printed. Not for secrets.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import HavenExchange
import HavenIdentity
import HavenStore

extension FuzzTarget {
    /// CARv1 streams as a pull receives them, in pieces of any size.
    static let car = FuzzTarget(
        name: "car",
        summary: "CARReader fed whole, byte by byte and in 7-byte pieces agrees; what it reads writes back and reads again"
    ) { bytes throws(FuzzFinding) in
        let whole = CARReading(bytes, pieceSize: max(1, bytes.count))
        for pieceSize in [1, 7] {
            let pieces = CARReading(bytes, pieceSize: pieceSize)
            try expect(pieces == whole, "read in \(pieceSize)-byte pieces: \(pieces); read whole: \(whole)")
        }
        for block in whole.blocks {
            _ = block.isValid
        }
        guard whole.error == nil, let roots = whole.roots else { return }
        var written = CARWriter.header(roots: roots)
        for block in whole.blocks {
            written += CARWriter.block(block.id, bytes: block.bytes)
        }
        let rewritten = CARReading(written, pieceSize: written.count)
        try expect(rewritten == whole, "the stream written back reads as \(rewritten), not \(whole)")
    }

    /// RFC 9421 request signatures and RFC 9530 digests, on a request written as HTTP/1.1 text:
    /// `METHOD absolute-URI`, `Name: value` lines, a blank line, the body.
    static let httpSignature = FuzzTarget(
        name: "http-signature",
        summary: "RequestVerifier.verify at the fixtures' time; Content-Digest; a signature base over every component"
    ) { bytes throws(FuzzFinding) in
        let (request, body) = RequestText.parse(bytes)
        if let verified = attempt({ try RequestVerifier().verify(request, body: body, at: FuzzFixtures.now) }) {
            try expect(!verified.nonce.isEmpty && verified.expires > verified.created, "an accepted signature has \(verified)")
        }
        if let digest = request.field("content-digest") {
            _ = attempt { try ContentDigest.verify(fieldValue: digest, body: body) }
        }
        // Every derived component and every field the request carries, so that the target URI
        // and each value are read whether or not a signature covers them.
        var components: [MessageComponent] = [.method, .targetURI, .authority, .scheme, .path, .query, .requestTarget]
        for field in request.fields {
            if let component = attempt({ try MessageComponent(identifier: field.name.lowercased()) }),
                !components.contains(component)
            {
                components.append(component)
            }
        }
        let parameters = SignatureParameters(
            components: components, created: 1_800_000_000, expires: 1_800_000_060, nonce: "n",
            alg: HavenSignaturePolicy.algorithm, keyid: FuzzFixtures.peer.did.description, tag: HavenSignaturePolicy.tag)
        guard let base = attempt({ try SignatureBase(request: request, parameters: parameters) }) else { return }
        // One line per component and one for the parameters: no value can add a line.
        let lines = base.text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
        try expect(lines == components.count + 1, "a base of \(components.count) components has \(lines) lines")
    }
}

/// What a ``CARReader`` made of a stream: the roots, the blocks in order, and the error that
/// stopped it (`nil` when ``CARReader/finish()`` accepted the end).
private struct CARReading: Equatable, CustomStringConvertible {
    var roots: [ContentID]?
    var blocks: [CARBlock] = []
    var error: CARError?

    /// Reads `stream` appended `pieceSize` bytes at a time, draining blocks after each piece
    /// as a pull does. The limits are small so that inputs of fuzzing size can reach them.
    init(_ stream: [UInt8], pieceSize: Int) {
        var reader = CARReader(maximumBlockSize: 4096, maximumHeaderSize: 1024)
        var offset = 0
        do throws(CARError) {
            repeat {
                let end = min(stream.count, offset + pieceSize)
                reader.append(stream[offset..<end])
                offset = end
                while let block = try reader.nextBlock() {
                    blocks.append(block)
                }
            } while offset < stream.count
            try reader.finish()
        } catch {
            self.error = error
        }
        roots = reader.roots
    }

    var description: String {
        "\(roots?.count ?? 0) roots, \(blocks.count) blocks, " + (error.map { "error \($0)" } ?? "no error")
    }
}

/// A request written as text, the way a fuzzer can mutate it: the request line
/// `METHOD absolute-URI`, header lines `Name: value`, a blank line, then the body. Lines end in
/// LF or CRLF; a header line without a colon is skipped.
private enum RequestText {
    static func parse(_ bytes: [UInt8]) -> (SignableRequest, body: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        var rest = bytes[...]
        var body: [UInt8] = []
        while !rest.isEmpty {
            let end = rest.firstIndex(of: 0x0A) ?? rest.endIndex
            var line = rest[..<end]
            if line.last == 0x0D { line = line.dropLast() }
            rest = end < rest.endIndex ? rest[(end + 1)...] : rest[end...]
            if line.isEmpty && !lines.isEmpty {
                body = Array(rest)
                break
            }
            lines.append(line)
        }
        let requestLine = lines.first.map { text(Array($0)) } ?? ""
        let parts = requestLine.split(separator: " ", maxSplits: 1)
        var fields: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            fields.append((name: text(Array(line[..<colon])), value: text(Array(line[(colon + 1)...]))))
        }
        let request = SignableRequest(
            method: parts.first.map(String.init) ?? "", targetURI: parts.dropFirst().first.map(String.init) ?? "",
            fields: fields)
        return (request, body)
    }
}

import HavenKnowledge

extension FuzzTarget {
    /// E-mail (RFC 5322 and MIME: encoded words, charsets, transfer encodings, multiparts).
    static let extractEmail = extraction(.email, name: "extract-email")
    /// HTML pages (tags, entities, scripts and styles dropped, the title kept).
    static let extractHTML = extraction(.html, name: "extract-html")
    /// JSON documents (strings and keys as text).
    static let extractJSON = extraction(.json, name: "extract-json")
    /// Markdown (headings, emphasis, links, code, lists, tables).
    static let extractMarkdown = extraction(.markdown, name: "extract-markdown")
    /// Images by their metadata (JPEG SOF and Exif IFDs with offsets from the file, PNG chunks).
    static let extractImage = extraction(.image, name: "extract-image")

    /// The target for one kind of document: the text the indexer would get from an uploaded
    /// file, split into passages small enough that fuzzing-sized inputs give several.
    private static func extraction(_ kind: DocumentKind, name: String) -> FuzzTarget {
        FuzzTarget(
            name: name,
            summary: "TextExtractor.extract(kind: .\(kind.rawValue)), then PassageSplitter on the text"
        ) { bytes throws(FuzzFinding) in
            guard let extracted = attempt({ try TextExtractor.extract(bytes, kind: kind) }) else { return }
            let passages = PassageSplitter(targetTokens: 16, overlapTokens: 4).split(extracted.text, title: extracted.title)
            for (index, passage) in passages.enumerated() {
                try expect(passage.index == index, "passage \(index) says it is number \(passage.index)")
                try expect(!passage.text.isEmpty, "passage \(index) is empty")
            }
        }
    }
}

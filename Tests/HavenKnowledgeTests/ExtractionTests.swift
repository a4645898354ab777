import Foundation
import HavenTestSupport
import Testing

@testable import HavenKnowledge

@Suite struct ExtractionTests {
    // MARK: Detecting the kind

    @Test(arguments: [
        ("text/markdown; charset=utf-8", "upload.bin", DocumentKind.markdown),
        ("TEXT/HTML; Charset=ISO-8859-1", "page", .html),
        ("application/xhtml+xml", "page", .html),
        ("message/rfc822", "mail", .email),
        ("application/pdf", "scan", .pdf),
        ("application/ld+json; profile=x", "data", .json),
        ("application/json", "data.txt", .json),
        ("text/plain; charset=us-ascii", "notes", .plainText),
        ("text/csv", "tides", .plainText),
        ("image/jpeg", "upload.bin", .image),
        ("IMAGE/PNG", "upload", .image),
    ])
    func detectsTheKindFromTheMediaTypeIgnoringParameters(mediaType: String, name: String, kind: DocumentKind) {
        #expect(DocumentKind.detect(mediaType: mediaType, name: name) == kind)
    }

    @Test(arguments: [
        (String?.none, "Notes/Plan.MD", DocumentKind.markdown),
        (nil, "readme.txt", .plainText),
        (nil, "index.htm", .html),
        (nil, "letter.eml", .email),
        (nil, "report.pdf", .pdf),
        (nil, "keepers.json", .json),
        ("application/octet-stream", "letter.eml", .email),
        ("", "journal.markdown", .markdown),
        (nil, "photos/2026/beach.JPG", .image),
        (nil, "scan.jpeg", .image),
        ("application/octet-stream", "map.png", .image),
    ])
    func fallsBackToTheExtension(mediaType: String?, name: String, kind: DocumentKind) {
        #expect(DocumentKind.detect(mediaType: mediaType, name: name) == kind)
    }

    @Test(arguments: [
        ("image/svg+xml", "drawing.svg"),
        ("video/mp4", "clip.mp4"),
        (nil, "animation.gif"),
        (nil, "archive.tar.gz"),
        (nil, "Makefile"),
        (nil, ".bashrc"),
        ("application/octet-stream", "blob"),
        ("application/zip", "notes.zip"),
    ] as [(String?, String)])
    func unknownKindsAreNotIndexed(mediaType: String?, name: String) {
        #expect(DocumentKind.detect(mediaType: mediaType, name: name) == nil)
    }

    // MARK: Plain text

    @Test func plainTextDropsTheBOMAndRepairsInvalidBytes() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("High tide 06:12\r\nLow tide ".utf8) + [0xFF] + Array("12:40".utf8)
        let extracted = try TextExtractor.extract(bytes, kind: .plainText)
        #expect(extracted == ExtractedText(title: nil, text: "High tide 06:12\nLow tide \u{FFFD}12:40"))
    }

    @Test func plainTextReadsUTF16WithAByteOrderMark() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "Phare d’Ouessant".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try TextExtractor.extract(bytes, kind: .plainText).text == "Phare d’Ouessant")
    }

    @Test func binaryBytesAreNotText() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]
        for kind in [DocumentKind.plainText, .markdown, .html, .json] {
            #expect(throws: ExtractionError.notText) { try TextExtractor.extract(png, kind: kind) }
        }
        #expect(ExtractionError.notText.description.contains("binary"))
    }

    // MARK: Markdown

    @Test func markdownKeepsTheWordsAndDropsTheMarkup() throws {
        let markdown = """
            # Lighthouse *Logbook*

            The **keeper** writes _every_ evening. See [the tide tables](https://tides.example/brest "Tides") \
            and ![a drawing of the lamp](lamp.png), or <https://example.org/log>.

            ## Rules ##

            - Trim the `wick` daily
            * [x] Log the weather
            1. Check the lens&nbsp;&amp; the clock

            > Storms come from the *west*.

            ```swift
            let beam = Lamp(range: 20) // **not** emphasis
            ```

            | Day | Wind |
            |-----|------|
            | Mon | NW 5 |

            <div align="center">Made with care</div>
            snake_case_name stays, 2 * 3 stays, \\*escaped\\* too,\\
            a hard break [^1] and [sic].

            [^1]: The footnote's text.
            [tides]: https://tides.example
            """
        let extracted = try TextExtractor.extract(Array(markdown.utf8), kind: .markdown)
        #expect(extracted.title == "Lighthouse Logbook")
        #expect(extracted.text == """
            Lighthouse Logbook

            The keeper writes every evening. See the tide tables and a drawing of the lamp, or https://example.org/log.

            Rules

            Trim the wick daily
            Log the weather
            Check the lens & the clock

            Storms come from the west.

            let beam = Lamp(range: 20) // **not** emphasis

            Day\tWind
            Mon\tNW 5

            Made with care
            snake_case_name stays, 2 * 3 stays, *escaped* too,
            a hard break and [sic].

            The footnote's text.
            """)
    }

    @Test func markdownWithoutALevelOneHeadingHasNoTitle() throws {
        let extracted = try TextExtractor.extract(Array("## Notes\n\nJust notes.".utf8), kind: .markdown)
        #expect(extracted == ExtractedText(title: nil, text: "Notes\n\nJust notes."))
        let setext = try TextExtractor.extract(Array("Keeper's Log\n============\n\nDay one.".utf8), kind: .markdown)
        #expect(setext == ExtractedText(title: "Keeper's Log", text: "Keeper's Log\n\nDay one."))
    }

    // MARK: HTML

    @Test func htmlKeepsTheVisibleTextAndTheTitle() throws {
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Tide &amp; Lamp &mdash; Log</title>
            <style>body { color: red; } p > b { content: "hidden style"; }</style>
            <script>var secret = "do not index </p>";</script>
            </head>
            <body>
            <!-- a comment that must not show -->
            <h1>Keeper&#39;s   notes</h1>
            <p>Wind &gt; 40&nbsp;knots at &#x2605; dawn.<br>Lamp lit at 18:00.</p>
            <ul><li>Oil: 3&nbsp;l</li><li>Wick &lt;trimmed&gt;</li></ul>
            <SCRIPT type="text/javascript">document.write("<p>hidden</p>")</SCRIPT>
            <table><tr><td>Mon</td><td>NW 5</td></tr></table>
            <p>Caf&eacute; <img src="c.png" alt="a cup"> &copy; 2025 &unknown; &#150;</p>
            </body></html>
            """
        let extracted = try TextExtractor.extract(Array(html.utf8), kind: .html)
        #expect(extracted.title == "Tide & Lamp — Log")
        #expect(extracted.text == """
            Keeper's notes

            Wind > 40 knots at ★ dawn.
            Lamp lit at 18:00.

            Oil: 3 l
            Wick <trimmed>

            Mon NW 5

            Café a cup © 2025 &unknown; –
            """)
    }

    @Test func htmlWithAHeadNeverClosedStillShowsItsBody() throws {
        let extracted = try TextExtractor.extract(Array("<html><head><title>Log</title><p>Lamp lit.<p>Sea calm.".utf8), kind: .html)
        #expect(extracted == ExtractedText(title: "Log", text: "Lamp lit.\n\nSea calm."))
        let untitled = try TextExtractor.extract(Array("<pre>a  b\nc</pre>".utf8), kind: .html)
        #expect(untitled == ExtractedText(title: nil, text: "a b\nc"))
    }

    // MARK: E-mail

    @Test func emailShowsItsHeadersAndPlainTextButNoAttachment() throws {
        let extracted = try TextExtractor.extract(DocumentFixtures.lighthouseEmail, kind: .email)
        #expect(extracted.title == "Relevés du phare — mars")
        #expect(extracted.text == """
            From: Anaïs Le Gall <anais@example.org>
            To: Ada <ada@example.org>
            Date: Tue, 4 Mar 2025 09:15:00 +0100
            Subject: Relevés du phare — mars

            Bonjour Ada,

            Le phare de l'île est repeint. Les relevés de marée sont dans le carnet.

            P.S. The März tide tables are in the blue folder.
            """)
        #expect(!extracted.text.contains("SECRET"))
        #expect(!extracted.text.contains("HTML version"))
    }

    @Test func emailFallsBackToItsHTMLPart() throws {
        let extracted = try TextExtractor.extract(DocumentFixtures.htmlOnlyEmail, kind: .email)
        #expect(extracted == ExtractedText(
            title: "Storm warning",
            text: "From: harbour@example.org\nSubject: Storm warning\n\nStorm warning\n\nWind > 60 knots. Keep the lamp lit."))
    }

    @Test func emailInLatin1QuotedPrintable() throws {
        let message = """
            From: Yann <yann@example.org>
            Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?=
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Le caf=E9 est pr=EAt =E0 la cr=E8me.

            """
        let extracted = try TextExtractor.extract(Array(message.utf8), kind: .email)
        #expect(extracted == ExtractedText(
            title: "Café crème",
            text: "From: Yann <yann@example.org>\nSubject: Café crème\n\nLe café est prêt à la crème."))
    }

    @Test func textWithoutHeadersIsNotAnEmail() {
        #expect(throws: ExtractionError.malformed("it is not an e-mail message: it has no header lines such as From: or Subject:")) {
            try TextExtractor.extract(Array("just some words\nand more".utf8), kind: .email)
        }
    }

    // MARK: JSON

    @Test func jsonFlattensValuesUnderTheirKeyPathsInDocumentOrder() throws {
        let json = #"""
            {"station": "Ar-Men", "keepers": [{"name": "Yann", "years": 12}, {"name": "Ma\u00ebl", "retired": true}],
             "notes": {"2025-03-04": "Fog \"thick\" at dawn\u2014horn sounded \ud83c\udf0a"}, "lamp": null, "empty": {}}
            """#
        let extracted = try TextExtractor.extract(Array(json.utf8), kind: .json)
        #expect(extracted == ExtractedText(title: nil, text: """
            station: Ar-Men
            keepers[0].name: Yann
            keepers[0].years: 12
            keepers[1].name: Maël
            keepers[1].retired: true
            notes.2025-03-04: Fog "thick" at dawn—horn sounded 🌊
            """))
    }

    @Test func malformedJSONSaysWhere() {
        #expect(throws: ExtractionError.malformed("the JSON is not valid at line 2, column 8: expected ',' or ']' in an array")) {
            try TextExtractor.extract(Array("{\"tides\":\n [1, 2 3]}".utf8), kind: .json)
        }
        #expect(throws: ExtractionError.malformed("the JSON is not valid at line 1, column 12: a string is not closed")) {
            try TextExtractor.extract(Array(#"{"a": "open"#.utf8), kind: .json)
        }
    }

    // MARK: PDF

    @Test func pdfTextComesFromPdftotext() async throws {
        let pdf = DocumentFixtures.onePagePDF(saying: "Haven keeps the lighthouse logbook")
        do throws(ExtractionError) {
            let extracted = try await TextExtractor.extract(pdf, kind: .pdf)
            #expect(extracted == ExtractedText(title: nil, text: "Haven keeps the lighthouse logbook"))
        } catch .toolMissing(let tool, let hint) {
            Issue.record("\(tool) is not installed, so PDF extraction cannot be tested: \(hint) (scripts/setup does)")
        }
    }

    @Test func aDamagedPDFIsAToolFailureWithPdftotextsMessage() async throws {
        let error = await #expect(throws: ExtractionError.self) {
            try await TextExtractor.extract(Array("%PDF-1.4\nnot really a pdf".utf8), kind: .pdf)
        }
        guard case .toolFailed("pdftotext", let status, _) = error else {
            Issue.record("expected pdftotext to fail, got \(String(describing: error))")
            return
        }
        #expect(status != 0)
    }

    @Test func aMissingPdftotextSaysWhatToInstall() async {
        let pdf = DocumentFixtures.onePagePDF(saying: "unread")
        let error = ExtractionError.toolMissing("pdftotext", hint: "install poppler-utils")
        await #expect(throws: error) {
            try await TextExtractor.extract(pdf, kind: .pdf, pdftotext: "/nonexistent/bin/pdftotext")
        }
        #expect(error.description == "pdftotext is needed to read this file but is not installed; install poppler-utils")
    }

    @Test func theSynchronousExtractorSendsPDFsToTheTool() {
        #expect(throws: ExtractionError.requiresTool("pdftotext")) {
            try TextExtractor.extract(DocumentFixtures.onePagePDF(saying: "x"), kind: .pdf)
        }
    }

    @Test func aToolThatHangsIsStoppedAtTheTimeout() async throws {
        try await TemporaryDirectory.with { directory in
            let pidFile = directory.path + "/tool.pid"
            let tool = try script(in: directory, "echo $$ > '\(pidFile)'; exec sleep 120")
            let started = ContinuousClock.now
            await #expect(throws: ExtractionError.timedOut("pdftotext")) {
                try await TextExtractor.extract([1, 2, 3], kind: .pdf, pdftotext: tool, timeout: .milliseconds(300))
            }
            // It was stopped, not waited for: the process is gone, and the call ended short of the
            // tool's own two minutes. (How much shorter depends on the rest of the suite, which
            // shares the cooperative pool's two threads with this test's timer.)
            #expect(ContinuousClock.now - started < .seconds(110))
            let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "the tool (pid \(pid)) is still running")
        }
    }

    @Test func aToolThatExitsWithoutReadingItsInputIsAFailureNotACrash() async throws {
        try await TemporaryDirectory.with { directory in
            let tool = try script(in: directory, "echo 'no input wanted' >&2; exit 3")
            let large = [UInt8](repeating: 0x41, count: 4 << 20)
            await #expect(throws: ExtractionError.toolFailed("pdftotext", status: 3, message: "no input wanted")) {
                try await TextExtractor.extract(large, kind: .pdf, pdftotext: tool)
            }
        }
    }

    @Test func theAsyncExtractorReadsTheOtherKindsToo() async throws {
        let extracted = try await TextExtractor.extract(Array("# Log\n\nCalm sea.".utf8), kind: .markdown)
        #expect(extracted == ExtractedText(title: "Log", text: "Log\n\nCalm sea."))
    }

    private func script(in directory: TemporaryDirectory, _ body: String) throws -> String {
        let path = directory.path + "/fake-pdftotext"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }
}

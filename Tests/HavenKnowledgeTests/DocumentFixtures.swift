import Foundation

/// Documents the extraction tests read, built in code so that no binary file is committed.
enum DocumentFixtures {
    /// A minimal, valid PDF 1.4: one US-letter page showing `text` in Helvetica, with a
    /// cross-reference table whose byte offsets are computed here.
    static func onePagePDF(saying text: String) -> [UInt8] {
        let content = "BT /F1 24 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                + "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (number, body) in zip(1..., objects) {
            offsets.append(pdf.utf8.count)
            pdf += "\(number) 0 obj\n\(body)\nendobj\n"
        }
        let crossReference = pdf.utf8.count
        // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, space, newline.
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            pdf += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(crossReference)\n%%EOF\n"
        return Array(pdf.utf8)
    }

    /// A message as a mail client sends it, with CRLF line ends: multipart/mixed holding a
    /// multipart/alternative (quoted-printable UTF-8 text and base64 HTML), an inline base64 text
    /// part, and an attachment; encoded words in From and a folded Subject.
    static let lighthouseEmail: [UInt8] = {
        let html = "<html><body><p>HTML version: the <b>lamp</b> was lit.</p></body></html>"
        let postscript = "P.S. The März tide tables are in the blue folder."
        let attachment = "SECRET attachment text that must never be indexed."
        let lines = [
            "Return-Path: <anais@example.org>",
            "From: =?iso-8859-1?Q?Ana=EFs_Le_Gall?= <anais@example.org>",
            "To: Ada <ada@example.org>",
            "Date: Tue, 4 Mar 2025 09:15:00 +0100",
            "Subject: =?UTF-8?B?\(base64("Relevés du phare"))?=",
            " =?UTF-8?Q?_=E2=80=94_mars?=",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed;",
            "\tboundary=\"outer-boundary\"",
            "",
            "This is a multi-part message in MIME format.",
            "--outer-boundary",
            "Content-Type: multipart/alternative; boundary=inner",
            "",
            "--inner",
            "Content-Type: text/plain; charset=\"utf-8\"",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Bonjour Ada,",
            "",
            "Le phare de l'=C3=AEle est repeint. Les relev=C3=A9s de mar=C3=A9e sont dans l=",
            "e carnet.",
            "--inner",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            base64(html),
            "--inner--",
            "--outer-boundary",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: inline",
            "",
            base64(postscript),
            "--outer-boundary",
            "Content-Type: text/plain; name=\"secret-plans.txt\"",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"secret-plans.txt\"",
            "",
            base64(attachment),
            "--outer-boundary--",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }()

    /// A message whose only text is HTML: base64 UTF-8 in a multipart/alternative with an image.
    static let htmlOnlyEmail: [UInt8] = {
        let html = "<html><head><title>ignored</title></head><body><h1>Storm warning</h1>"
            + "<p>Wind &gt; 60 knots. Keep the lamp lit.</p></body></html>"
        let lines = [
            "From: harbour@example.org",
            "Subject: Storm warning",
            "Content-Type: multipart/alternative; boundary=\"b1\"",
            "",
            "--b1",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            base64(html),
            "--b1",
            "Content-Type: image/png",
            "Content-Transfer-Encoding: base64",
            "",
            "iVBORw0KGgo=",
            "--b1--",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }()

    private static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }
}

import Foundation

extension SeedWriter {
    /// Small documents of each extracted kind, with the features their readers handle (images:
    /// Exif in both byte orders, PNG texts).
    static func documentSeeds() -> [Seed] {
        let crlf = { (lines: [String]) in lines.joined(separator: "\r\n") + "\r\n" }
        let multipart = crlf([
            "From: =?utf-8?Q?Zo=C3=AB_Martin?= <zoe@example.org>",
            "To: sam@example.org",
            "Subject: =?ISO-8859-1?B?UmFwcG9ydCBkJ+l06Q==?=",
            "  =?utf-8?q?_(suite)?=",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1\"",
            "",
            "preamble",
            "--b1",
            "Content-Type: multipart/alternative; boundary=b2",
            "",
            "--b2",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Le rapport d'=E9t=E9 est pr=EAt, lisez-le avant jeudi. Une ligne longue coup=",
            "=E9e en deux.",
            "--b2",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Data("<p>Le <b>rapport</b> d&#39;&eacute;t&eacute;</p>".utf8).base64EncodedString(),
            "--b2--",
            "--b1",
            "Content-Type: application/pdf; name=report.pdf",
            "Content-Disposition: attachment; filename=report.pdf",
            "Content-Transfer-Encoding: base64",
            "",
            "JVBERi0xLjQK",
            "--b1--",
            "epilogue",
        ])
        let plain = "From: sam@example.org\nSubject: lunch\n\nNoon at the usual place?\n\n> quoted reply\n"
        let html = """
            <!DOCTYPE html>
            <html lang="fr"><head><meta charset="utf-8"><title>Journal &amp; notes — été</title>
            <style>p { color: red }</style><script>var a = "<p>not text</p>";</script></head>
            <body><h1>Été&nbsp;2026</h1><p>Un <a href="/x?a=1&amp;b=2">lien</a>, un &lt;tag&gt; échappé, &#x1F30A; et &#8212; des entités.</p>
            <ul><li>un</li><li>deux<br>trois</li></ul><table><tr><td>a</td><td>b</td></tr></table>
            <pre>  code
              indenté</pre><!-- un commentaire --><p>fin
            """
        let markdown = """
            ---
            title: front matter
            ---
            # Carnet de bord

            Un paragraphe avec *emphase*, **gras**, `code`, un [lien](https://example.org "titre") et une
            image ![alt](img.png). Une ligne\\
            coupée.

            ## Liste
            - un
              - imbriqué
            1. premier
            2. second

            > citation
            > sur deux lignes

            ```swift
            let x = "# pas un titre"
            ```

            | a | b |
            |---|---|
            | 1 | 2 |

            Titre souligné
            ==============
            """
        let json = #"{"title":"Voyage","tags":["mer","été"],"nested":{"deep":[1,2.5e3,true,null,{"k":"\u00e9\ud83c\udf0a"}]},"empty":{}}"#
        return [
            Seed("extract-email", "multipart.eml", crlf([multipart])),
            Seed("extract-email", "plain.eml", plain),
            Seed("extract-html", "page.html", html),
            Seed("extract-html", "fragment.html", "<b>bold</b> &amp;amp; <i>it</i>"),
            Seed("extract-markdown", "notes.md", markdown),
            Seed("extract-json", "document.json", json),
            Seed("extract-json", "array.json", #"[{"a":"b"},"text",-0.5]"#),
            Seed("extract-image", "photo.jpg", ImageSeedBuilder.jpeg(littleEndian: false, width: 64, height: 48)),
            Seed("extract-image", "photo-little-endian.jpg", ImageSeedBuilder.jpeg(littleEndian: true, width: 64, height: 48, comment: "a comment")),
            Seed("extract-image", "text.png", ImageSeedBuilder.png()),
        ]
    }

    /// JSON Schemas, model outputs with tool calls, and small GGUF files.
    static func inferenceSeeds() -> [Seed] {
        let schema = #"""
            {"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":20},
            "tags":{"type":"array","items":{"enum":["a","b",3,null]},"minItems":1,"maxItems":3},
            "kind":{"anyOf":[{"const":"x"},{"type":["integer","null"]}]},"next":{"$ref":"#/$defs/node"}},
            "required":["name"],"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}},
            "additionalProperties":false}
            """#
        return [
            Seed("json-schema", "object.json", schema),
            Seed("json-schema", "one-of.json", #"{"oneOf":[{"type":"number"},{"type":"boolean"},{"type":"array","items":{"type":"string"}}]}"#),
            Seed("tool-calls", "one-call.txt", "Let me look.\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"query\": \"été \\\"x\\\"\", \"limit\": 3}}\n</tool_call>"),
            Seed("tool-calls", "two-calls.txt", "<tool_call>{\"arguments\":{},\"name\":\"a\"}</tool_call><tool_call>{\"name\":\"b\",\"arguments\":{\"n\":[1,{\"x\":null}]}}</tool_call> after"),
            Seed("tool-calls", "broken.txt", "text <tool_call>{\"name\": \"x\", \"arguments\": {\"a\": \"</tool_call>"),
            Seed("gguf", "tiny.gguf", GGUFBuilder.tiny(blockCount: .uint32(2))),
            Seed("gguf", "tiny-u64-layers.gguf", GGUFBuilder.tiny(blockCount: .uint64(22))),
            Seed("gguf", "tiny-i32-layers.gguf", GGUFBuilder.tiny(blockCount: .int32(30))),
        ]
    }
}

import Testing

@testable import HavenInference

@Suite struct OutputTextTests {
    @Test func splitMultibyteCharactersAreSentWhole() {
        var output = OutputText(stops: [])
        let bytes = Array("é€😀".utf8)
        var text = ""
        for byte in bytes {
            let (piece, stopped) = output.append([byte])
            #expect(!stopped)
            #expect(!piece.contains("\u{FFFD}"))
            text += piece
        }
        text += output.flush()
        #expect(text == "é€😀")
    }

    @Test func aStopStringSplitAcrossPiecesIsNeverSent() {
        var output = OutputText(stops: ["\nUser:"])
        var sent = ""
        var stoppedAt: Int?
        for (index, piece) in ["Hello", " there\n", "Us", "er:", " more"].enumerated() {
            let (text, stopped) = output.append(Array(piece.utf8))
            sent += text
            if stopped {
                stoppedAt = index
                break
            }
        }
        #expect(sent == "Hello there")
        #expect(stoppedAt == 3)
    }

    @Test func heldTextThatIsNotAStopIsReleased() {
        var output = OutputText(stops: ["STOP"])
        let first = output.append(Array("go ST".utf8))
        #expect(first.text == "go ")
        let second = output.append(Array("ART".utf8))
        #expect(second.text == "START")
        #expect(!second.stopped)
        let held = output.append(Array(" ST".utf8))
        #expect(held.text == " ")
        #expect(output.flush() == "ST")
    }
}

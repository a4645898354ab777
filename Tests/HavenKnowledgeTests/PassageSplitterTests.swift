import Testing

@testable import HavenKnowledge

@Suite struct PassageSplitterTests {
    /// A long logbook: numbered sentences (so every word is traceable) in paragraphs of one to
    /// five sentences.
    private static let logbook: String = {
        var paragraphs: [String] = []
        var sentence = 0
        for paragraph in 0..<60 {
            var sentences: [String] = []
            for _ in 0...(paragraph % 5) {
                sentence += 1
                sentences.append("Entry \(sentence) records the tide at station s\(sentence % 7) and lamp l\(sentence).")
            }
            paragraphs.append(sentences.joined(separator: " "))
        }
        return paragraphs.joined(separator: "\n\n")
    }()

    private static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: \.isWhitespace)
    }

    @Test func emptyTextGivesNoPassages() {
        let splitter = PassageSplitter()
        #expect(splitter.split("").isEmpty)
        #expect(splitter.split(" \n\n\t  \n").isEmpty)
        #expect(splitter.split("", title: "Logbook").isEmpty)
    }

    @Test func shortTextIsOnePassageWithWhitespaceNormalised() {
        let passages = PassageSplitter().split("  The lamp   is lit.\r\n\r\n\r\n\tWind from\nthe west.  ")
        #expect(passages == [Passage(index: 0, text: "The lamp is lit.\n\nWind from the west.")])
    }

    @Test func passagesStayNearTheTargetSize() {
        let passages = PassageSplitter(targetTokens: 100, overlapTokens: 20).split(Self.logbook)
        #expect(passages.count > 10)
        for passage in passages {
            #expect(PassageSplitter.estimatedTokens(passage.text) <= 100, "passage \(passage.index) is too long")
        }
        for passage in passages.dropLast() {
            #expect(PassageSplitter.estimatedTokens(passage.text) >= 50, "passage \(passage.index) is too short")
        }
        #expect(passages.map(\.index) == Array(passages.indices))
    }

    @Test func consecutivePassagesOverlapAndTogetherHoldTheWholeText() {
        let passages = PassageSplitter(targetTokens: 100, overlapTokens: 20).split(Self.logbook)
        var rebuilt = Self.words(passages[0].text)
        for (previous, next) in zip(passages, passages.dropFirst()) {
            let previousWords = Self.words(previous.text)
            let nextWords = Self.words(next.text)
            let overlap = (1...min(previousWords.count, nextWords.count)).last {
                Array(previousWords.suffix($0)) == Array(nextWords.prefix($0))
            }
            guard let overlap else {
                Issue.record("passage \(next.index) does not begin with the end of passage \(previous.index)")
                return
            }
            let repeated = nextWords.prefix(overlap).joined(separator: " ")
            #expect(PassageSplitter.estimatedTokens(repeated) <= 20)
            #expect(PassageSplitter.estimatedTokens(repeated) >= 5)
            rebuilt += nextWords.dropFirst(overlap)
        }
        #expect(rebuilt == Self.words(Self.logbook))
    }

    @Test func wordsAreNeverSplit() {
        let sourceWords = Set(Self.words(Self.logbook))
        for passage in PassageSplitter(targetTokens: 64, overlapTokens: 16).split(Self.logbook) {
            for word in Self.words(passage.text) {
                #expect(sourceWords.contains(word), "\"\(word)\" in passage \(passage.index) is not a word of the text")
            }
        }
    }

    @Test func passagesEndAtParagraphsWhenOneIsNear() {
        // Paragraphs of about 35 tokens: a 100-token passage holds two or three whole ones.
        let paragraphs = (1...20).map { "Paragraph \($0) tells of the storm and the keeper's long night, ending p\($0)." }
        let passages = PassageSplitter(targetTokens: 100, overlapTokens: 10).split(paragraphs.joined(separator: "\n\n"))
        for passage in passages {
            #expect(passage.text.hasSuffix("."), "passage \(passage.index) ends mid-paragraph: …\(passage.text.suffix(30))")
            #expect(passage.text.contains("\n\n"))
        }
    }

    @Test func passagesEndAtSentencesInsideOneLongParagraph() {
        let paragraph = (1...80).map { "The beam turned \($0) times before dawn." }.joined(separator: " ")
        let passages = PassageSplitter(targetTokens: 60, overlapTokens: 10).split(paragraph)
        #expect(passages.count > 5)
        for passage in passages {
            #expect(passage.text.hasSuffix("dawn."), "passage \(passage.index) ends mid-sentence")
        }
    }

    @Test func theTitleIsPrefixedToTheFirstPassageOnly() {
        let passages = PassageSplitter(targetTokens: 100, overlapTokens: 20).split(Self.logbook, title: "Ar-Men  logbook")
        #expect(passages[0].text.hasPrefix("Ar-Men logbook\n\nEntry 1 records"))
        #expect(passages.dropFirst().allSatisfy { !$0.text.contains("Ar-Men logbook") })
        #expect(PassageSplitter.estimatedTokens(passages[0].text) <= 100)

        let short = PassageSplitter().split("Calm sea.", title: "Day 3")
        #expect(short == [Passage(index: 0, text: "Day 3\n\nCalm sea.")])
    }

    @Test func aTitleTheTextAlreadyOpensWithIsNotRepeated() {
        let passages = PassageSplitter().split("Storm warning\n\nWind over 60 knots.", title: "Storm warning")
        #expect(passages == [Passage(index: 0, text: "Storm warning\n\nWind over 60 knots.")])
    }

    @Test func aWordLongerThanAPassageIsCutToFit() {
        let blob = String(repeating: "A", count: 1000)
        let passages = PassageSplitter(targetTokens: 100, overlapTokens: 0).split("Key: \(blob) end.")
        #expect(passages.allSatisfy { PassageSplitter.estimatedTokens($0.text) <= 100 })
        #expect(passages.map(\.text).joined(separator: " ").filter { $0 == "A" }.count == 1000)
    }

    @Test func tokensAreEstimatedAsFourCharactersEach() {
        #expect(PassageSplitter.estimatedTokens("") == 0)
        #expect(PassageSplitter.estimatedTokens("tide") == 1)
        #expect(PassageSplitter.estimatedTokens("tides") == 2)
        #expect(PassageSplitter.estimatedTokens(String(repeating: "x", count: 1200)) == 300)
    }

    @Test func settingsAreClampedToWorkableValues() {
        let splitter = PassageSplitter(targetTokens: 0, overlapTokens: 500)
        #expect(splitter.targetTokens == 1)
        #expect(splitter.overlapTokens == 0)
        #expect(PassageSplitter(targetTokens: 100, overlapTokens: 80).overlapTokens == 50)
        #expect(!PassageSplitter(targetTokens: 1).split("a few words here").isEmpty)
    }
}

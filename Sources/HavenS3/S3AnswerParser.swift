import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads the XML documents S3 answers with: a ListObjectsV2 page, or an `<Error>`.
enum S3AnswerParser {
    /// The code and message of an `<Error>` document; `nil` when the body is not one.
    static func error(_ body: [UInt8]) -> (code: String, message: String)? {
        guard let elements = try? parse(body) else { return nil }
        let code = elements.first { $0.path == ["Error", "Code"] }?.text ?? ""
        let message = elements.first { $0.path == ["Error", "Message"] }?.text ?? ""
        return code.isEmpty ? nil : (code, message)
    }

    /// A ListObjectsV2 page.
    static func listPage(_ body: [UInt8]) throws(S3AnswerParserError) -> S3ListPage {
        let elements = try parse(body)
        guard elements.contains(where: { $0.path.first == "ListBucketResult" }) else {
            throw S3AnswerParserError(reason: "expected a ListBucketResult document")
        }
        var objects: [S3ListPage.Object] = []
        var key: String?
        var size: Int64?
        var truncated = false
        var token: String?
        for element in elements {
            switch element.path {
            case ["ListBucketResult", "Contents", "Key"]: key = element.text
            case ["ListBucketResult", "Contents", "Size"]: size = Int64(element.text)
            case ["ListBucketResult", "Contents"]:
                guard let found = key, let foundSize = size else {
                    throw S3AnswerParserError(reason: "an object listed without a key or size")
                }
                objects.append(S3ListPage.Object(key: found, size: foundSize))
                key = nil
                size = nil
            case ["ListBucketResult", "IsTruncated"]: truncated = element.text == "true"
            case ["ListBucketResult", "NextContinuationToken"]: token = element.text
            default: break
            }
        }
        if truncated, token == nil || token!.isEmpty {
            throw S3AnswerParserError(reason: "a truncated listing without a continuation token")
        }
        return S3ListPage(objects: objects, nextContinuationToken: truncated ? token : nil)
    }

    /// Every element of the document in the order it closes, with its path from the root and
    /// its own text.
    static func parse(_ body: [UInt8]) throws(S3AnswerParserError) -> [Element] {
        let collector = Collector()
        let parser = XMLParser(data: Data(body))
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        guard parser.parse() else {
            throw S3AnswerParserError(reason: parser.parserError.map { "\($0.localizedDescription)" } ?? "not XML")
        }
        return collector.elements
    }

    struct Element {
        let path: [String]
        let text: String
    }

    /// Collects closed elements; used by one parse on one thread, never shared.
    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        private var stack: [String] = []
        private var texts: [String] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(elementName)
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !texts.isEmpty else { return }
            texts[texts.count - 1] += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            elements.append(Element(path: stack, text: texts.last ?? ""))
            stack.removeLast()
            texts.removeLast()
        }
    }
}

/// An S3 answer that is not the XML expected.
struct S3AnswerParserError: Error {
    let reason: String
}

import Foundation

/// A stored response's id, `resp_<conversation>_<count>`: the Haven conversation that keeps
/// it and how many of its messages the response covers (its answer being the last). The ids
/// of its output items and calls derive from it, so a response read back names them as it did
/// when it was made. A response not stored gets an id that names no conversation.
struct ResponseID: Hashable, Sendable, CustomStringConvertible {
    /// `conv_…`, as the catalog names conversations.
    let conversation: String
    let messageCount: Int

    private static let conversationPrefix = "conv_"

    init(conversation: String, messageCount: Int) {
        self.conversation = conversation
        self.messageCount = messageCount
    }

    /// Reads `resp_<hex>_<count>`; `nil` for anything else.
    init?(_ text: String) {
        guard text.hasPrefix("resp_"), let separator = text.lastIndex(of: "_"), separator > text.index(text.startIndex, offsetBy: 4),
            let count = Int(text[text.index(after: separator)...]), count > 0
        else { return nil }
        let key = text[text.index(text.startIndex, offsetBy: 5)..<separator]
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        self.init(conversation: Self.conversationPrefix + key, messageCount: count)
    }

    /// An id for a response that is not kept.
    static func unstored(messageCount: Int) -> ResponseID {
        ResponseID(
            conversation: conversationPrefix + "x" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
            messageCount: messageCount)
    }

    private var key: String { "\(conversation.dropFirst(Self.conversationPrefix.count))_\(messageCount)" }

    var description: String { "resp_" + key }
    var messageItemID: String { "msg_" + key }
    func callID(_ index: Int) -> String { "call_\(key)_\(index)" }
    func callItemID(_ index: Int) -> String { "fc_\(key)_\(index)" }
}

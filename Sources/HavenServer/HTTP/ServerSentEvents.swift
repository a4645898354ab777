import Foundation
import Hummingbird

/// A `text/event-stream` response in OpenAI's dialect: each event is `data: <json>`, and the
/// stream ends with `data: [DONE]`.
enum ServerSentEvents {
    /// Something that sends one event.
    struct Sender: Sendable {
        fileprivate let encoder: JSONEncoder

        func data(_ event: some Encodable) throws -> ByteBuffer {
            ByteBuffer(string: "data: " + String(decoding: try encoder.encode(event), as: UTF8.self) + "\n\n")
        }
    }

    /// A comment line, which clients ignore: a keep-alive that also finds out whether the
    /// client is still there.
    static var comment: ByteBuffer { ByteBuffer(string: ": keep-alive\n\n") }

    /// Thrown by a producer that has written its stream's last event itself (an error event):
    /// the stream then ends without `[DONE]`, cleanly, and nothing is logged as a failure.
    struct Ended: Error {}

    static func response(
        _ produce: @escaping @Sendable (Sender, inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let sender = Sender(encoder: encoder)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await produce(sender, &writer)
            } catch is Ended {
                try await writer.finish(nil)
                return
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        })
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import MCP

/// Converts between Hummingbird's requests and responses and the MCP SDK's framework-free ones.
enum MCPHTTPBridge {
    /// The SDK's view of `request`, with its body already collected. HTTP/1's `Host` header
    /// arrives as the request's authority, so it is put back for the SDK's host check.
    static func request(_ request: Request, body: ByteBuffer) -> MCP.HTTPRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        if let authority = request.head.authority {
            headers["host"] = authority
        }
        return MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers, body: Data(body.readableBytesView), path: request.uri.path)
    }

    /// The Hummingbird response for the SDK's `response`. A stream is written out event by
    /// event as the SDK yields it; `finished` runs once the body is complete (at once when there
    /// is no stream), so whatever serves the stream can be stopped then and not before.
    static func response(
        _ response: MCP.HTTPResponse, finished: @escaping @Sendable () async -> Void
    ) async -> Response {
        var headers = HTTPFields()
        for (name, value) in response.headers {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: response.statusCode)
        guard case .stream(let events, _) = response else {
            await finished()
            let body = ByteBuffer(bytes: response.bodyData ?? Data())
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
        }
        if headers[.contentType] == nil { headers[.contentType] = "text/event-stream" }
        headers[.cacheControl] = "no-cache"
        return Response(
            status: status, headers: headers,
            body: ResponseBody { writer in
                do {
                    for try await event in events {
                        try await writer.write(ByteBuffer(bytes: event))
                    }
                } catch {
                    await finished()
                    throw error
                }
                await finished()
                try await writer.finish(nil)
            })
    }
}

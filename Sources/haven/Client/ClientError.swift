/// Why a client command could not get an answer from the server.
enum ClientError: Error, UserFacingError {
    /// Nothing answered at the server's address.
    case serverUnreachable(url: String)
    /// No token in `$HAVEN_TOKEN` and none in the data directory.
    case noToken(lookedIn: String)
    /// The server answered with an error body.
    case server(status: Int, code: String?, message: String)
    /// The server answered with something that is not what this client expects.
    case unexpectedResponse(status: Int, reason: String)

    var description: String {
        switch self {
        case .serverUnreachable(let url):
            "no Haven server is answering at \(url); start one with 'haven serve'"
        case .noToken(let path):
            "no API token: set HAVEN_TOKEN, or point --home / HAVEN_HOME at a data directory holding \(path)"
        case .server(let status, let code, let message):
            "\(message) (HTTP \(status)\(code.map { ", \($0)" } ?? ""))"
        case .unexpectedResponse(let status, let reason):
            "unexpected response from the server (HTTP \(status)): \(reason)"
        }
    }
}

import Foundation
import HavenExchange
import HavenIdentity
import Hummingbird

/// `POST /haven/export`: the owner's whole home as one archive (``ExportManifest``), streamed
/// while the server keeps running. Owner only; the export itself is an audit entry, the last
/// one the archive holds.
struct ExportController {
    let environment: ServerEnvironment

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post(use: export)
    }

    @Sendable func export(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let authentication = try context.requireOwner()
        let body = try await request.decode(as: ExportRequest.self, context: context)
        if let problem = ExportRequest.problem(with: body.passphrase) {
            throw APIError(.badRequest, code: "weak_passphrase", message: "\(problem); nothing was exported")
        }
        // An encrypted home's catalog holds columns sealed under its data key, which the archive
        // does not carry yet: imported as it is, the new home could not read them.
        let home = HomeExporter.homeDirectory(of: environment)
        for keyring in ["keyring.json", "keyring.pending.json"] where FileManager.default.fileExists(atPath: home + "/" + keyring) {
            throw APIError(
                .conflict, code: "encrypted_home",
                message: "this home is encrypted at rest, and exporting an encrypted home is not supported yet; nothing was exported")
        }
        guard let parameters = body.sealingParameters else {
            throw APIError(.badRequest, code: "invalid_request", message: "scrypt_log_n takes a whole number from 10 to 20")
        }
        let owner = environment.owner
        let identity = try SealedKey.seal(
            Array(environment.ownerKey.privateKey.rawRepresentation), passphrase: body.passphrase,
            context: ExportManifest.identityContext(owner: owner), parameters: parameters)
        let includeModels = body.models ?? false
        try environment.audit.record(
            principal: authentication.principal.description, action: "export", resource: "/", allowed: true,
            reason: includeModels ? "export of the whole home, models included" : "export of the whole home, without models")
        let exporter = HomeExporter(environment: environment, identity: identity, includeModels: includeModels)
        let logger = context.logger
        var headers = HTTPFields()
        headers[.contentType] = CARWriter.mediaType + "; version=1"
        headers[.cacheControl] = "no-store"
        headers[.contentDisposition] = "attachment; filename=\"haven-export.car\""
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                do {
                    let summary = try await exporter.write { try await writer.write($0) }
                    logger.notice(
                        "exported the home",
                        metadata: [
                            "export.files": "\(summary.files)", "export.chunks": "\(summary.chunks)",
                            "export.models": "\(summary.models)", "export.bytes": "\(summary.bytes)",
                        ])
                } catch {
                    // The status is sent: ending the stream early is how the client learns.
                    logger.error("the export failed; the archive was cut off", metadata: ["error": "\(error)"])
                    throw error
                }
                try await writer.finish(nil)
            })
    }
}

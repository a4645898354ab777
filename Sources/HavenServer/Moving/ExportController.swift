import Foundation
import HavenExchange
import HavenIdentity
import HavenStore
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
        // A home half-way through `haven encrypt` has plaintext and sealed chunks side by side;
        // a running server never has one (it refuses to start on it), but the check is cheap.
        let home = HavenHome(path: HomeExporter.homeDirectory(of: environment))
        if home.encryptionState == .unfinished {
            throw APIError(
                .conflict, code: "encryption_unfinished",
                message: "this home's encryption was started and not finished; run 'haven encrypt' to finish it, then export")
        }
        guard let parameters = body.sealingParameters else {
            throw APIError(.badRequest, code: "invalid_request", message: "scrypt_log_n takes a whole number from 10 to 20")
        }
        let owner = environment.owner
        let identity = try SealedKey.seal(
            Array(environment.ownerKey.privateKey.rawRepresentation), passphrase: body.passphrase,
            context: ExportManifest.identityContext(owner: owner), parameters: parameters)
        // An encrypted home's archive stays encrypted: its data key goes along, sealed under the
        // same passphrase for a context of its own.
        let dataKey = try environment.catalog.dataKey.map { key in
            try SealedKey.seal(
                key.withUnsafeBytes { Array($0) }, passphrase: body.passphrase, context: ExportManifest.dataKeyContext(owner: owner),
                parameters: parameters)
        }
        let includeModels = body.models ?? false
        try environment.audit.record(
            principal: authentication.principal.description, action: "export", resource: "/", allowed: true,
            reason: includeModels ? "export of the whole home, models included" : "export of the whole home, without models")
        let exporter = HomeExporter(environment: environment, identity: identity, dataKey: dataKey, includeModels: includeModels)
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

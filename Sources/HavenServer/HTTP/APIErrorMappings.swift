import HavenAccess
import HavenIdentity
import HavenStore
import Hummingbird

extension AuthenticationError: APIErrorConvertible {
    public var apiError: APIError {
        var error: APIError
        switch self {
        case .missingCredentials: error = APIError(.unauthorized, code: "missing_token", message: description)
        case .notBearer: error = APIError(.unauthorized, code: "invalid_authorization", message: description)
        case .invalidToken: error = APIError(.unauthorized, code: "invalid_token", message: description)
        case .revokedToken: error = APIError(.unauthorized, code: "token_revoked", message: description)
        case .catalogUnavailable: return APIError(.serviceUnavailable, code: "catalog_unavailable", message: description)
        }
        error.headers[.wwwAuthenticate] = #"Bearer realm="haven""#
        return error
    }
}

extension CatalogError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(.internalServerError, code: "catalog_error", message: "the catalog failed")
    }
}

extension RegistryError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .tokenNameTaken: APIError(.conflict, code: "token_name_taken", message: description)
        case .tokenNotFound: APIError(.notFound, code: "token_not_found", message: description)
        case .modelNameTaken: APIError(.conflict, code: "model_name_taken", message: description)
        case .modelNotFound: APIError(.notFound, code: "model_not_found", message: description)
        case .ownerTokenProtected: APIError(.badRequest, code: "owner_token_protected", message: description)
        }
    }
}

extension AccessError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .unknownRight, .noRights, .invalidGrant: APIError(.badRequest, code: "invalid_grant", message: description)
        case .grantNotFound: APIError(.notFound, code: "grant_not_found", message: description)
        case .shareNotFound: APIError(.notFound, code: "share_not_found", message: description)
        }
    }
}

extension IdentityError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .invalidPrincipal: APIError(.badRequest, code: "invalid_name", message: description)
        case .invalidDID: APIError(.badRequest, code: "invalid_did", message: description)
        case .malformedToken: APIError(.unauthorized, code: "invalid_token", message: description)
        case .invalidKey: APIError(.internalServerError, code: "key_error", message: "the server's key is unusable")
        }
    }
}

import HavenAccess
import HavenAgents
import HavenExchange
import HavenKnowledge
import HavenIdentity
import HavenInference
import HavenStore
import Hummingbird

extension AuthenticationError: APIErrorConvertible {
    public var apiError: APIError {
        var error: APIError
        switch self {
        case .missingCredentials: error = APIError(.unauthorized, code: "missing_token", message: description)
        case .notBearer: error = APIError(.unauthorized, code: "invalid_authorization", message: description)
        case .malformedToken, .invalidToken: error = APIError(.unauthorized, code: "invalid_token", message: description)
        case .revokedToken: error = APIError(.unauthorized, code: "token_revoked", message: description)
        case .capabilityNotAccepted: error = APIError(.unauthorized, code: "invalid_token", message: description)
        case .invalidCapability: error = APIError(.unauthorized, code: "invalid_capability", message: description)
        case .catalogUnavailable: return APIError(.serviceUnavailable, code: "catalog_unavailable", message: description)
        case .sessionEnded: return APIError(.unauthorized, code: "session_ended", message: description)
        case .crossSite: return APIError(.forbidden, code: "cross_site_request", message: description)
        }
        error.headers[.wwwAuthenticate] = #"Bearer realm="haven""#
        return error
    }
}

extension SessionError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .notFound: APIError(.notFound, code: "session_not_found", message: description)
        case .invalidLoginCode: APIError(.unauthorized, code: "invalid_login_code", message: description)
        }
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

extension StoreError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .notFound, .versionNotFound: APIError(.notFound, code: "not_found", message: description)
        case .preconditionFailed: APIError(.preconditionFailed, code: "precondition_failed", message: description)
        case .isDirectory: APIError(.badRequest, code: "invalid_path", message: description)
        case .tooLarge: APIError(.contentTooLarge, code: "request_too_large", message: description)
        case .missingChunk, .damagedChunk: APIError(.internalServerError, code: "store_damaged", message: description)
        case .io: APIError(.internalServerError, code: "store_error", message: "the data store could not complete the operation")
        }
    }
}

extension DataPathError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(.badRequest, code: "invalid_path", message: description)
    }
}

extension AgentError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .invalidDefinition: APIError(.badRequest, code: "invalid_agent", message: description)
        case .notFound: APIError(.notFound, code: "agent_not_found", message: description)
        case .alreadyExists: APIError(.conflict, code: "agent_exists", message: description)
        case .conversationNotFound: APIError(.notFound, code: "conversation_not_found", message: description)
        case .io: APIError(.internalServerError, code: "agent_store_error", message: description)
        }
    }
}

extension KnowledgeError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(.serviceUnavailable, code: "no_embedding_model", message: description)
    }
}

extension ExchangeError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .invalidPeerName, .invalidURL, .invalidChallenge:
            APIError(.badRequest, code: "invalid_request", message: description)
        case .peerNameTaken, .mirrorExists: APIError(.conflict, code: "conflict", message: description)
        case .unknownPeer: APIError(.notFound, code: "peer_not_found", message: description)
        case .mirrorNotFound: APIError(.notFound, code: "mirror_not_found", message: description)
        case .peerBlocked: APIError(.forbidden, code: "peer_blocked", message: description)
        case .proofMissing, .proofInvalid: APIError(.badGateway, code: "peer_not_proven", message: description)
        // The URL is this server's own: the request is wrong, not the peer (schemathesis added
        // the server to itself and got a 502).
        case .peerIsSelf: APIError(.badRequest, code: "peer_is_self", message: description + "; a server is not its own peer")
        case .capabilityRefused: APIError(.badRequest, code: "invalid_capability", message: description)
        case .noCapability: APIError(.forbidden, code: "no_capability", message: description)
        case .peerUnreachable: APIError(.badGateway, code: "peer_unreachable", message: description)
        case .peerRefused(let status, _, _):
            APIError(status == 404 ? .notFound : .badGateway, code: "peer_refused", message: description)
        case .badResponse, .incomplete: APIError(.badGateway, code: "peer_error", message: description)
        case .noSource: APIError(.badRequest, code: "invalid_request", message: description)
        case .signingFailed, .store, .catalog: APIError(.internalServerError, code: "exchange_error", message: description)
        case .invalidMessage: APIError(.badRequest, code: "invalid_message", message: description)
        case .messageTooLarge: APIError(.contentTooLarge, code: "request_too_large", message: description)
        case .rateLimited(let seconds):
            {
                var error = APIError(.tooManyRequests, code: "rate_limited", message: description)
                error.headers[.retryAfter] = "\(seconds)"
                return error
            }()
        }
    }
}

extension SignatureError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(.unauthorized, code: "invalid_signature", message: description)
    }
}

extension AdapterError: APIErrorConvertible {
    public var apiError: APIError {
        APIError(.badRequest, code: "invalid_adapter", message: description)
    }
}

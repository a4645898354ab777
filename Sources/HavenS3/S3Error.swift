/// An S3 request that did not do what was asked, with a message naming the endpoint and bucket
/// so a user can tell which configuration to fix. Secrets never appear in it.
public enum S3Error: Error, Equatable, Sendable {
    /// The service refused the access key or its signature (403 `InvalidAccessKeyId`,
    /// `SignatureDoesNotMatch`, `AccessDenied`...).
    case refused(endpoint: String, bucket: String, code: String, message: String)
    /// The bucket does not exist at this endpoint.
    case noSuchBucket(endpoint: String, bucket: String)
    /// No object has this key.
    case noSuchKey(bucket: String, key: String)
    /// The range asked for starts past the object's end.
    case rangeNotSatisfiable(bucket: String, key: String)
    /// The service could not be reached, or did not answer in time.
    case unreachable(endpoint: String, reason: String)
    /// An answer larger than this client accepts.
    case answerTooLarge(endpoint: String, limit: Int)
    /// Any other failing answer from the service.
    case failed(endpoint: String, bucket: String, status: Int, code: String, message: String)
    /// An answer that is not what S3 sends.
    case malformedAnswer(endpoint: String, reason: String)
    /// The credentials file is missing, unsafe or unreadable.
    case credentials(path: String, reason: String)
    /// The configured endpoint is not an http(s) URL.
    case invalidEndpoint(String)
    /// The service answered, but not as S3 does (``S3BucketCheck``).
    case checkFailed(endpoint: String, bucket: String, reason: String)
}

extension S3Error: CustomStringConvertible {
    public var description: String {
        switch self {
        case .refused(let endpoint, let bucket, let code, let message):
            "the S3 service at \(endpoint) refused access to bucket \(bucket) (\(code)\(message.isEmpty ? "" : ": " + message)); "
                + "check the access key and secret in [store] credentials_file"
        case .noSuchBucket(let endpoint, let bucket):
            "bucket \(bucket) does not exist at \(endpoint); create it or fix [store] bucket"
        case .noSuchKey(let bucket, let key): "bucket \(bucket) has no object \(key)"
        case .rangeNotSatisfiable(let bucket, let key): "the range asked of \(key) in bucket \(bucket) starts past its end"
        case .unreachable(let endpoint, let reason): "cannot reach the S3 service at \(endpoint): \(reason)"
        case .answerTooLarge(let endpoint, let limit): "the S3 service at \(endpoint) answered with more than \(limit) bytes"
        case .failed(let endpoint, let bucket, let status, let code, let message):
            "the S3 service at \(endpoint) failed a request on bucket \(bucket): HTTP \(status) \(code)\(message.isEmpty ? "" : ": " + message)"
        case .malformedAnswer(let endpoint, let reason): "the S3 service at \(endpoint) sent an answer that cannot be read: \(reason)"
        case .credentials(let path, let reason): "cannot use the S3 credentials file \(path): \(reason)"
        case .invalidEndpoint(let endpoint): "\(endpoint) is not an http:// or https:// URL; set [store] endpoint to the S3 service's URL"
        case .checkFailed(let endpoint, let bucket, let reason):
            "the S3 service at \(endpoint) does not behave as Haven needs on bucket \(bucket): \(reason)"
        }
    }
}

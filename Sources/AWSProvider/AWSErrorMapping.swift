import CloudCore

/// AWS error codes as `CloudProviderError`s, for the JSON (EKS) and Query (EC2, STS) protocols alike.
enum AWSErrorMapping {
    /// An error response's parts: HTTP status, the AWS error code, its message and request id.
    struct Failure: Sendable, Equatable {
        var status: Int
        var code: String
        var message: String
        var requestID: String?
    }

    /// - Parameter resource: what the request was about, for not-found and conflict errors.
    static func error(_ failure: Failure, resourceType: String, name: String) -> CloudProviderError {
        let code = failure.code
        let reason = failure.message.isEmpty ? (code.isEmpty ? "HTTP \(failure.status)" : code)
            : code.isEmpty ? failure.message : "\(failure.message) (\(code))"
        switch code {
        case "ResourceNotFoundException", "NotFoundException", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed",
             "NoSuchEntity":
            return .notFound(resourceType: resourceType, name: name)
        case "ResourceInUseException", "ResourceLimitExceededException", "IncorrectInstanceState", "IncorrectState",
             "IdempotentParameterMismatch", "InvalidKeyPair.Duplicate":
            return .conflict(resourceType: resourceType, name: name, reason: reason)
        case "InvalidParameterException", "InvalidParameterValue", "InvalidParameterCombination", "InvalidRequestException",
             "ValidationError", "ValidationException", "MissingParameter", "InvalidAMIID.NotFound", "InvalidAMIID.Malformed",
             "InvalidSubnetID.NotFound", "InvalidGroup.NotFound", "InvalidKeyPair.NotFound", "UnsupportedAvailabilityZoneException":
            return .invalidRequest(field: field(for: failure), reason: reason)
        case "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "AuthFailure", "ExpiredToken",
             "ExpiredTokenException", "InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken",
             "RequestExpired", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredTokenException.WebIdentity":
            return .unauthenticated(reason: reason)
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "OptInRequired":
            return .permissionDenied(reason: reason)
        case "ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown",
             "RequestThrottled", "RequestThrottledException":
            return .throttled(retryAfterSeconds: nil, reason: reason)
        case "IDPCommunicationError", "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure",
             "ServerException", "Unavailable":
            // The identity provider or AWS could not be reached or failed: worth another try.
            return .providerError(ProviderFailure(httpStatus: failure.status, code: code, message: failure.message,
                                                  requestID: failure.requestID, retryable: true))
        default:
            if failure.status == 429 { return .throttled(retryAfterSeconds: nil, reason: reason) }
            if failure.status == 401 { return .unauthenticated(reason: reason) }
            if failure.status == 403, code.isEmpty { return .permissionDenied(reason: reason) }
            return .providerError(ProviderFailure(httpStatus: failure.status, code: code.isEmpty ? "HTTP\(failure.status)" : code,
                                                  message: failure.message, requestID: failure.requestID,
                                                  retryable: RetryPolicy.isRetryable(status: failure.status)))
        }
    }

    /// The request field an invalid-parameter message names, when it names one we know.
    private static func field(for failure: Failure) -> String {
        let text = failure.message.lowercased()
        for (needle, field) in [("subnet", "subnets"), ("version", "version"), ("role", "roleArn"), ("instancetype", "instanceType"),
                                ("instance type", "instanceType"), ("ami", "image"), ("image", "image"), ("security group", "securityGroups"),
                                ("key pair", "keyName"), ("size", "nodeCount"), ("zone", "zone")]
        where text.contains(needle) {
            return field
        }
        return "params"
    }
}

import CloudCore
import Testing
@testable import AWSProvider

/// Each documented AWS error code lands on its `CloudProviderError` case.
struct AWSErrorMappingTests {
    private func mapped(_ code: String, status: Int = 400, message: String = "m") -> CloudProviderError {
        AWSErrorMapping.error(.init(status: status, code: code, message: message, requestID: "r-1"), resourceType: "cluster", name: "demo")
    }

    @Test(arguments: ["ResourceNotFoundException", "NotFoundException", "InvalidInstanceID.NotFound", "NoSuchEntity"])
    func notFound(_ code: String) {
        #expect(mapped(code, status: 404) == .notFound(resourceType: "cluster", name: "demo"))
    }

    @Test(arguments: ["ResourceInUseException", "IncorrectInstanceState", "IdempotentParameterMismatch", "InvalidKeyPair.Duplicate"])
    func conflict(_ code: String) {
        #expect(mapped(code) == .conflict(resourceType: "cluster", name: "demo", reason: "m (\(code))"))
    }

    @Test func invalidParametersNameTheFieldTheMessageMentions() {
        #expect(mapped("InvalidParameterException", message: "Subnets specified must be in at least two different AZs")
                    == .invalidRequest(field: "subnets", reason: "Subnets specified must be in at least two different AZs (InvalidParameterException)"))
        #expect(mapped("InvalidParameterValue", message: "Invalid value 'x' for instanceType.") == .invalidRequest(
            field: "instanceType", reason: "Invalid value 'x' for instanceType. (InvalidParameterValue)"))
        #expect(mapped("ValidationError", message: "something else") == .invalidRequest(field: "params", reason: "something else (ValidationError)"))
    }

    @Test(arguments: ["UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "AuthFailure", "ExpiredToken",
                      "RequestExpired", "InvalidIdentityToken", "IDPRejectedClaim"])
    func unauthenticated(_ code: String) {
        #expect(mapped(code, status: 403) == .unauthenticated(reason: "m (\(code))"))
    }

    @Test(arguments: ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "OptInRequired"])
    func permissionDenied(_ code: String) {
        #expect(mapped(code, status: 403) == .permissionDenied(reason: "m (\(code))"))
    }

    @Test(arguments: ["ThrottlingException", "Throttling", "RequestLimitExceeded", "TooManyRequestsException"])
    func throttled(_ code: String) {
        #expect(mapped(code) == .throttled(retryAfterSeconds: nil, reason: "m (\(code))"))
    }

    @Test func identityProviderAndServerTroubleIsRetryable() {
        for code in ["IDPCommunicationError", "ServiceUnavailable", "InternalError"] {
            guard case .providerError(let failure) = mapped(code, status: 400) else {
                Issue.record("\(code) is not a provider error")
                continue
            }
            #expect(failure.retryable && failure.code == code && failure.requestID == "r-1")
        }
    }

    @Test func unknownCodesKeepTheStatusAndRequestID() {
        guard case .providerError(let failure) = mapped("", status: 503, message: "") else {
            Issue.record("expected a provider error")
            return
        }
        #expect(failure == ProviderFailure(httpStatus: 503, code: "HTTP503", message: "", requestID: "r-1", retryable: true))
        #expect(mapped("Weird", status: 429) == .throttled(retryAfterSeconds: nil, reason: "m (Weird)"))
        #expect(mapped("Weird", status: 401) == .unauthenticated(reason: "m (Weird)"))
        #expect(mapped("", status: 403, message: "no") == .permissionDenied(reason: "no"))
        #expect(mapped("", status: 403, message: "") == .permissionDenied(reason: "HTTP 403"))
    }
}

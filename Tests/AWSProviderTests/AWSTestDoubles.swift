import CloudCore
import Foundation
@testable import AWSProvider

extension HTTPResponse {
    /// An XML response, as the Query API services send them.
    static func xml(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.merging(["Content-Type": "text/xml;charset=UTF-8"]) { given, _ in given },
                     body: Array(body.utf8))
    }
}

/// An STS that must not be called (the tests that use it sign with fixed keys).
struct UnusedSTS: AWSSecurityTokenService {
    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String, externalId: String?) async throws -> AWSCredentials {
        throw CloudProviderError.unauthenticated(reason: "this test has no STS")
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        throw CloudProviderError.unauthenticated(reason: "this test has no STS")
    }
}

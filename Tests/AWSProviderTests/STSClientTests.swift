import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import AWSProvider

// Responses as the STS API reference shows them (its AssumeRole example wraps the session
// token across lines; real responses do not, and the client accepts both).

private let assumeRoleResponse = """
    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <AssumeRoleResult>
    <SourceIdentity>DevUser123</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>
       AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW
       LWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGd
       QrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU
       9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz
       +scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==
      </SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
    </AssumeRoleResult>
    <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
    </ResponseMetadata>
    </AssumeRoleResponse>
    """

private let exampleToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW"
    + "LWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGd"
    + "QrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU"
    + "9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz"
    + "+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

private let webIdentityResponse = """
    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <AssumeRoleWithWebIdentityResult>
        <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
        <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
        <AssumedRoleUser>
          <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
          <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
        </AssumedRoleUser>
        <Credentials>
          <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
          <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
          <Expiration>2014-10-24T23:00:23Z</Expiration>
          <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
        </Credentials>
        <SourceIdentity>SourceIdentityValue</SourceIdentity>
        <Provider>www.amazon.com</Provider>
      </AssumeRoleWithWebIdentityResult>
      <ResponseMetadata>
        <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
      </ResponseMetadata>
    </AssumeRoleWithWebIdentityResponse>
    """

private let callerIdentityResponse = """
    <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <GetCallerIdentityResult>
      <Arn>arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name</Arn>
        <UserId>ARO123EXAMPLE123:my-role-session-name</UserId>
        <Account>123456789012</Account>
      </GetCallerIdentityResult>
      <ResponseMetadata>
        <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
      </ResponseMetadata>
    </GetCallerIdentityResponse>
    """

private func stsError(_ code: String, _ message: String) -> String {
    """
    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <Error>
        <Type>Sender</Type>
        <Code>\(code)</Code>
        <Message>\(message)</Message>
      </Error>
      <RequestId>a9866d16-d5f3-4b66-9d1a-example</RequestId>
    </ErrorResponse>
    """
}

@Suite struct STSClientTests {
    private static let base = AWSCredentials(accessKeyId: "AKIDBASE", secretAccessKey: "base-secret", sessionToken: "base-token")
    private static let contentType = "application/x-www-form-urlencoded; charset=utf-8"
    private let quiet = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))

    private func sts(_ transport: ScriptedTransport, attempts: Int = 3) -> STSClient {
        STSClient(transport: transport, endpoints: AWSEndpoints(region: "us-east-1", override: nil, environment: [:]),
                  retry: RetryPolicy(maxAttempts: attempts, base: .milliseconds(1), maximumDelay: .milliseconds(5)), logger: quiet)
    }

    // MARK: - Request shapes and responses

    @Test func assumeRoleSendsTheDocumentedFormSignedWithTheGivenKeys() async throws {
        let transport = ScriptedTransport(.xml(200, assumeRoleResponse))
        let assumed = try await sts(transport).assumeRole(with: Self.base, roleArn: "arn:aws:iam::123456789012:role/demo",
                                                          sessionName: "John", externalId: "ext 1/\u{E9}", durationSeconds: 900)
        #expect(assumed == AWSCredentials(accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                                          sessionToken: exampleToken, expiration: Date(timeIntervalSince1970: 1_573_306_481)))

        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://sts.us-east-1.amazonaws.com/")
        #expect(request.header("Content-Type") == Self.contentType)
        #expect(transport.bodies == [
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
                + "&RoleSessionName=John&ExternalId=ext%201%2F%C3%A9&DurationSeconds=900",
        ])
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDBASE/"))
        #expect(authorization.contains("/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "))
        #expect(request.header("X-Amz-Security-Token") == "base-token")
    }

    @Test func theChainsAssumeRoleLeavesOutWhatItDoesNotSet() async throws {
        let transport = ScriptedTransport(.xml(200, assumeRoleResponse))
        let service: any AWSSecurityTokenService = sts(transport)
        _ = try await service.assumeRole(with: AWSCredentials(accessKeyId: "AKIDLONG", secretAccessKey: "s"),
                                         roleArn: "arn:aws:iam::123456789012:role/demo", sessionName: "cloud-agent-1", externalId: nil)
        #expect(transport.bodies == [
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=cloud-agent-1",
        ])
        #expect(transport.requests.first?.header("X-Amz-Security-Token") == nil)
        #expect(transport.requests.first?.header("Authorization")?.contains("Credential=AKIDLONG/") == true)
    }

    @Test func webIdentityIsAssumedWithoutASignature() async throws {
        let transport = ScriptedTransport(.xml(200, webIdentityResponse))
        let assumed = try await sts(transport).assumeRoleWithWebIdentity(roleArn: "arn:aws:iam::123456789012:role/FederatedWebIdentityRole",
                                                                         sessionName: "app1", token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln+/=")
        #expect(assumed == AWSCredentials(accessKeyId: "ASgeIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                                          sessionToken: "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE",
                                          expiration: Date(timeIntervalSince1970: 1_414_191_623)))
        let request = try #require(transport.requests.first)
        #expect(request.header("Authorization") == nil && request.header("X-Amz-Date") == nil && request.header("X-Amz-Security-Token") == nil)
        #expect(transport.bodies == [
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FFederatedWebIdentityRole"
                + "&RoleSessionName=app1&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.e30.c2ln%2B%2F%3D",
        ])
    }

    @Test func callerIdentityNamesTheARNAccountAndUser() async throws {
        let transport = ScriptedTransport(.xml(200, callerIdentityResponse))
        let identity = try await sts(transport).callerIdentity(with: Self.base)
        #expect(identity == .init(arn: "arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name",
                                  account: "123456789012", userId: "ARO123EXAMPLE123:my-role-session-name"))
        #expect(transport.bodies == ["Action=GetCallerIdentity&Version=2011-06-15"])
        #expect(transport.requests.first?.header("Authorization")?.contains("Credential=AKIDBASE/") == true)
    }

    @Test func theCredentialChainAssumesItsRoleThroughThisClient() async throws {
        let transport = ScriptedTransport(.xml(200, assumeRoleResponse))
        let chain = AWSCredentialChain(settings: .init(accessKeyId: "AKIDSETTINGS", secretAccessKey: "s", roleArn: "arn:aws:iam::123456789012:role/demo",
                                                       externalId: "ext-1"),
                                       environment: [:], metadataTransport: transport, sts: sts(transport), logger: quiet)
        let (credentials, source) = try await chain.resolve()
        #expect(credentials.accessKeyId == "ASIAIOSFODNN7EXAMPLE" && credentials.sessionToken == exampleToken)
        #expect(source == .assumedRole(arn: "arn:aws:iam::123456789012:role/demo", from: AWSCredentialSource.providerSettings.description))
        #expect(transport.bodies.first?.contains("&ExternalId=ext-1") == true)
        #expect(transport.requests.first?.header("Authorization")?.contains("Credential=AKIDSETTINGS/") == true)
    }

    // MARK: - Malformed answers

    @Test func credentialsWithoutAnExpirationAreRefused() async throws {
        let undated = assumeRoleResponse.replacingOccurrences(of: "<Expiration>2019-11-09T13:34:41Z</Expiration>", with: "")
        await #expect(throws: CloudProviderError.providerError(ProviderFailure(
            code: "MalformedResponse", message: "STS answered AssumeRole with credentials without a readable Expiration (none)"))) {
            try await sts(ScriptedTransport(.xml(200, undated))).assumeRole(with: Self.base, roleArn: "arn:aws:iam::1:role/r",
                                                                             sessionName: "s", externalId: nil)
        }
        let tokenless = assumeRoleResponse.replacingOccurrences(of: "<SessionToken>", with: "<Other>")
            .replacingOccurrences(of: "</SessionToken>", with: "</Other>")
        await #expect(throws: CloudProviderError.self) {
            try await sts(ScriptedTransport(.xml(200, tokenless))).assumeRole(with: Self.base, roleArn: "arn:aws:iam::1:role/r",
                                                                               sessionName: "s", externalId: nil)
        }
    }

    @Test func aSuccessThatIsNotXMLIsAMalformedResponse() async throws {
        await #expect(throws: CloudProviderError.providerError(ProviderFailure(
            httpStatus: 200, code: "MalformedResponse", message: "STS answered GetCallerIdentity with a body that is not XML"))) {
            try await sts(ScriptedTransport(HTTPResponse(status: 200, body: Array("{}".utf8)))).callerIdentity(with: Self.base)
        }
    }

    // MARK: - Errors

    @Test func aRoleTheKeysMayNotAssumeIsPermissionDenied() async throws {
        let message = "User: arn:aws:iam::123456789012:user/Alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Admin"
        let transport = ScriptedTransport(.xml(403, stsError("AccessDenied", message)))
        await #expect(throws: CloudProviderError.permissionDenied(reason: "\(message) (AccessDenied)")) {
            try await sts(transport).assumeRole(with: Self.base, roleArn: "arn:aws:iam::123456789012:role/Admin", sessionName: "s", externalId: nil)
        }
        #expect(transport.requests.count == 1)
    }

    @Test func unknownOrExpiredKeysAreUnauthenticatedAndNotRetried() async throws {
        let invalid = ScriptedTransport(.xml(403, stsError("InvalidClientTokenId", "The security token included in the request is invalid.")))
        await #expect(throws: CloudProviderError.unauthenticated(reason: "The security token included in the request is invalid. (InvalidClientTokenId)")) {
            try await sts(invalid).callerIdentity(with: Self.base)
        }
        let expired = ScriptedTransport(.xml(400, stsError("ExpiredToken", "The security token included in the request is expired")))
        await #expect(throws: CloudProviderError.unauthenticated(reason: "The security token included in the request is expired (ExpiredToken)")) {
            try await sts(expired).assumeRole(with: Self.base, roleArn: "arn:aws:iam::1:role/r", sessionName: "s", externalId: nil)
        }
        #expect(invalid.requests.count == 1 && expired.requests.count == 1)
    }

    @Test func throttlingIsRetriedAndThenSucceeds() async throws {
        let transport = ScriptedTransport(.xml(400, stsError("Throttling", "Rate exceeded")), .xml(200, callerIdentityResponse))
        #expect(try await sts(transport).callerIdentity(with: Self.base).account == "123456789012")
        #expect(transport.requests.count == 2)
        #expect(transport.requests.allSatisfy { $0.header("Authorization") != nil })
    }

    @Test func throttlingThatOutlastsTheRetriesIsThrottled() async throws {
        let throttled = HTTPResponse.xml(400, stsError("Throttling", "Rate exceeded"), headers: ["Retry-After": "0.002"])
        let transport = ScriptedTransport(throttled, throttled)
        await #expect(throws: CloudProviderError.throttled(retryAfterSeconds: 0.002, reason: "Rate exceeded (Throttling)")) {
            try await sts(transport, attempts: 2).callerIdentity(with: Self.base)
        }
        #expect(transport.requests.count == 2)
    }

    @Test func aBrokenConnectionIsRetriedThenReported() async throws {
        let broken = ScriptedTransport.Step.fail(HTTPTransportError(.connection, "connection refused"))
        let recovered = ScriptedTransport(steps: [broken, .respond(.xml(200, webIdentityResponse))])
        _ = try await sts(recovered).assumeRoleWithWebIdentity(roleArn: "arn:aws:iam::1:role/r", sessionName: "s", token: "t")
        #expect(recovered.requests.count == 2)
        let down = ScriptedTransport(steps: [broken, broken])
        await #expect(throws: CloudProviderError.providerError(ProviderFailure(code: "ConnectionError", message: "connection refused", retryable: true))) {
            try await sts(down, attempts: 2).assumeRoleWithWebIdentity(roleArn: "arn:aws:iam::1:role/r", sessionName: "s", token: "t")
        }
    }
}

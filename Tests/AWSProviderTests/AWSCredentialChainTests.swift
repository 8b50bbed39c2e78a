import CloudCore
import Diagnostics
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AWSProvider

/// An STS stand-in that records calls and answers fixed temporary credentials.
private final class RecordingSTS: AWSSecurityTokenService {
    let calls = Mutex<[String]>([])

    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String, externalId: String?) async throws -> AWSCredentials {
        calls.withLock { $0.append("AssumeRole \(roleArn) with \(credentials.accessKeyId) external \(externalId ?? "-")") }
        return AWSCredentials(accessKeyId: "ASIAASSUMED", secretAccessKey: "assumed-secret", sessionToken: "assumed-token",
                              expiration: Date().addingTimeInterval(3600))
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        calls.withLock { $0.append("AssumeRoleWithWebIdentity \(roleArn) token \(token)") }
        return AWSCredentials(accessKeyId: "ASIAWEB", secretAccessKey: "web-secret", sessionToken: "web-token",
                              expiration: Date().addingTimeInterval(3600))
    }
}

@Suite struct AWSCredentialChainTests {
    let directory: String = {
        let path = "\(NSTemporaryDirectory())/aws-chain-tests/\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    private func chain(_ settings: AWSCredentialChain.Settings = .init(), environment: [String: String] = [:],
                       sts: RecordingSTS = RecordingSTS()) -> AWSCredentialChain {
        var environment = environment
        environment["HOME"] = environment["HOME"] ?? directory
        environment["AWS_EC2_METADATA_DISABLED"] = environment["AWS_EC2_METADATA_DISABLED"] ?? "true"
        environment["PATH"] = "/usr/bin:/bin"
        return AWSCredentialChain(settings: settings, environment: environment, metadataTransport: CurlTransport(requestTimeout: 2),
                                  sts: sts, logger: Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off)))
    }

    /// Writes a file under the spawn gate, so no child spawned meanwhile keeps it open for
    /// writing (which would make executing it fail with "text file busy").
    private func write(_ text: String, _ name: String) -> String {
        let path = "\(directory)/\(name)"
        SpawnGate.run { _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) }
        return path
    }

    @Test func theProvidersOwnKeysComeFirst() async throws {
        let found = try await chain(.init(accessKeyId: "AKIDSETTINGS", secretAccessKey: "s"), environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e",
        ]).resolve()
        #expect(found.0.accessKeyId == "AKIDSETTINGS" && found.1 == .providerSettings)
        await #expect(throws: CloudProviderError.self) { try await chain(.init(accessKeyId: "AKIDONLY")).resolve() }
    }

    @Test func environmentKeysComeNextUnlessAProfileIsChosen() async throws {
        let environment = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_SESSION_TOKEN": "t",
                           "AWS_SHARED_CREDENTIALS_FILE": write("[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = w\n", "credentials")]
        let fromEnvironment = try await chain(environment: environment).resolve()
        #expect(fromEnvironment.0 == AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: "e", sessionToken: "t"))
        #expect(fromEnvironment.1 == .environment)
        let fromProfile = try await chain(.init(profile: "work"), environment: environment).resolve()
        #expect(fromProfile.0.accessKeyId == "AKIDWORK" && fromProfile.1 == .sharedProfile("work"))
    }

    @Test func sharedFilesFollowTheCLIsRules() async throws {
        let config = write("""
            [default]
            region = eu-west-1
            [profile dev]
            role_arn = arn:aws:iam::123456789012:role/Dev
            source_profile = base
            external_id = ext-1
            [profile base]
            aws_access_key_id = AKIDCONFIG   # overridden by the credentials file
            [sso-session corp]
            sso_start_url = https://example.awsapps.com/start
            [profile sso]
            sso_session = corp
            sso_account_id = 123456789012
            """, "config")
        let credentials = write("""
            ; comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret
            [base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = base-secret
            """, "credentials2")
        let environment = ["AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials]
        #expect(try await chain(environment: environment).resolve().0.accessKeyId == "AKIDDEFAULT")
        let sts = RecordingSTS()
        let assumed = try await chain(.init(profile: "dev"), environment: environment, sts: sts).resolve()
        #expect(assumed.0.accessKeyId == "ASIAASSUMED")
        #expect(assumed.1 == .assumedRole(arn: "arn:aws:iam::123456789012:role/Dev", from: AWSCredentialSource.sharedProfile("base").description))
        #expect(sts.calls.withLock { $0 } == ["AssumeRole arn:aws:iam::123456789012:role/Dev with AKIDBASE external ext-1"])
        let sso = await #expect(throws: CloudProviderError.self) { try await chain(.init(profile: "sso"), environment: environment).resolve() }
        #expect(sso.map { "\($0)".contains("SSO") } == true)
        await #expect(throws: CloudProviderError.self) { try await chain(.init(profile: "missing"), environment: environment).resolve() }
    }

    @Test func credentialProcessOutputIsRead() async throws {
        let script = write("""
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "p", "SessionToken": "pt", "Expiration": "2099-01-01T00:00:00Z"}'
            """, "process.sh")
        chmod(script, 0o755)
        let config = write("[profile tool]\ncredential_process = \(script) --profile tool\n[profile broken]\ncredential_process = sh -c 'exit 4'\n", "config-process")
        let found = try await chain(.init(profile: "tool"), environment: ["AWS_CONFIG_FILE": config]).resolve()
        #expect(found.0.accessKeyId == "AKIDPROCESS" && found.0.sessionToken == "pt")
        #expect(found.0.expiration == Date(timeIntervalSince1970: 4_070_908_800))
        #expect(found.1 == .credentialProcess(profile: "tool"))
        await #expect(throws: CloudProviderError.self) { try await chain(.init(profile: "broken"), environment: ["AWS_CONFIG_FILE": config]).resolve() }
    }

    @Test func webIdentityFromTheEnvironmentGoesThroughSTS() async throws {
        let sts = RecordingSTS()
        let token = write("eyJhbGciOiJSUzI1NiJ9.token\n", "token")
        let found = try await chain(environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/Pod"],
                                    sts: sts).resolve()
        #expect(found.0.accessKeyId == "ASIAWEB" && found.1 == .webIdentity)
        #expect(sts.calls.withLock { $0 } == ["AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/Pod token eyJhbGciOiJSUzI1NiJ9.token"])
    }

    @Test func containerAndInstanceMetadataEndpointsAreAsked() async throws {
        let body = Array(#"{"AccessKeyId": "ASIAMETA", "SecretAccessKey": "m", "Token": "mt", "Expiration": "2099-01-01T00:00:00Z"}"#.utf8)
        let server = try LoopbackHTTPServer { request in
            // URLComponents keeps the trailing slash that URL.path drops.
            switch (request.method, URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.path ?? "") {
            case ("GET", "/creds"):
                return request.header("Authorization") == "Bearer pod" ? HTTPResponse(status: 200, body: body) : HTTPResponse(status: 401)
            case ("PUT", "/latest/api/token"):
                return HTTPResponse(status: 200, body: Array("imds-token".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return request.header("X-aws-ec2-metadata-token") == "imds-token" ? HTTPResponse(status: 200, body: Array("web-role".utf8)) : HTTPResponse(status: 401)
            case ("GET", "/latest/meta-data/iam/security-credentials/web-role"):
                return HTTPResponse(status: 200, body: body)
            default:
                return HTTPResponse(status: 404)
            }
        }
        let container = try await chain(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL.absoluteString + "/creds",
                                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer pod"]).resolve()
        #expect(container.0.accessKeyId == "ASIAMETA" && container.1 == .container)
        let instance = try await chain(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL.absoluteString,
                                                     "AWS_EC2_METADATA_DISABLED": "false"]).resolve()
        #expect(instance.0.sessionToken == "mt" && instance.1 == .instanceMetadata)
    }

    @Test func theRoleArnSettingAssumesTheRoleWithWhateverWasFound() async throws {
        let sts = RecordingSTS()
        let found = try await chain(.init(roleArn: "arn:aws:iam::210987654321:role/CrossAccount", externalId: "shared-secret-id"),
                                    environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e"], sts: sts).resolve()
        #expect(found.0.accessKeyId == "ASIAASSUMED")
        #expect(sts.calls.withLock { $0 } == ["AssumeRole arn:aws:iam::210987654321:role/CrossAccount with AKIDENV external shared-secret-id"])
    }

    @Test func withNothingConfiguredTheErrorSaysWhatToSet() async {
        let error = await #expect(throws: CloudProviderError.self) { try await chain().resolve() }
        guard case .unauthenticated(let reason)? = error else {
            Issue.record("expected unauthenticated, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("AWS_ACCESS_KEY_ID") && reason.contains("accessKeyId"))
    }

    @Test func temporaryCredentialsAreRefreshedOnceBeforeTheyExpire() async throws {
        let sts = RecordingSTS()
        let credentials = chain(.init(roleArn: "arn:aws:iam::123456789012:role/R"),
                                environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e"], sts: sts)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 { group.addTask { _ = try await credentials.credentials() } }
            try await group.waitForAll()
        }
        #expect(sts.calls.withLock { $0.count } == 1)
        await credentials.invalidate()
        _ = try await credentials.credentials()
        #expect(sts.calls.withLock { $0.count } == 2)
    }

    @Test func printingCredentialsNeverShowsTheSecret() {
        let text = "\(AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "FwoGZXIvYXdzEXAMPLE"))"
        #expect(text.contains("AKIDEXAMPLE"))
        #expect(!text.contains("wJalrXUtnFEMI") && !text.contains("FwoGZXIvYXdzEXAMPLE"))
    }
}

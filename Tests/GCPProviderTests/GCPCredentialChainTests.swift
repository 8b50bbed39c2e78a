#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import CryptoPrimitives
import Diagnostics
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import GCPProvider

/// A stand-in for the RSA signer: records what it was asked to sign, with which key, and
/// answers a fixed signature (or fails, when told to).
private final class RecordingSigner: Sendable {
    struct Call: Equatable {
        var privateKeyPEM: String
        var signingInput: [UInt8]
    }

    /// What `sign` throws when it fails.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    static let signature: [UInt8] = Array(0..<64).map { UInt8($0 * 3 % 256) }

    let calls = Mutex<[Call]>([])
    let failure: String?

    init(failingWith failure: String? = nil) { self.failure = failure }

    var signer: RS256Signer {
        { [self] pem, input in
            calls.withLock { $0.append(Call(privateKeyPEM: pem, signingInput: input)) }
            if let failure { throw Refusal(description: failure) }
            return Self.signature
        }
    }
}

@Suite struct GCPCredentialChainTests {
    let directory: String = {
        let path = "\(NSTemporaryDirectory())/gcp-chain-tests/\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: "\(path)/bin", withIntermediateDirectories: true)
        return path
    }()

    static let fastRetry = RetryPolicy(maxAttempts: 3, base: .milliseconds(1), maximumDelay: .milliseconds(5))
    static let issuedAt = Date(timeIntervalSince1970: 1_700_000_000)

    // Secrets of the fixtures: none may ever show in a log line or an error.
    static let clientSecret = "d-FL95Q19q7MQmFpd7hHD0Ty"
    static let refreshToken = "1//0gdJ-refresh/token+xSECRET"
    static let keyBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7SECRETKEY"
    static let privateKey = "-----BEGIN PRIVATE KEY-----\n\(keyBody)\nZmFrZS1rZXktbWF0ZXJpYWwtbm90LWEtcmVhbC1rZXk=\n-----END PRIVATE KEY-----\n"

    static func authorizedUserJSON(quotaProject: String? = "quota-project-1") -> String {
        """
        {"type": "authorized_user", "client_id": "123-abc.apps.googleusercontent.com", \
        "client_secret": "\(clientSecret)", "refresh_token": "\(refreshToken)"\
        \(quotaProject.map { #", "quota_project_id": "\#($0)""# } ?? "")}
        """
    }

    static func serviceAccountJSON(tokenURI: String = "https://oauth2.example.test/token") -> String {
        let key = privateKey.replacingOccurrences(of: "\n", with: "\\n")
        return """
            {"type": "service_account", "project_id": "sa-project-1", "private_key_id": "kid-0123456789abcdef",
             "private_key": "\(key)", "client_email": "agent@sa-project-1.iam.gserviceaccount.com",
             "client_id": "1234567890", "token_uri": "\(tokenURI)"}
            """
    }

    /// Writes a file under the spawn gate, so no child spawned meanwhile keeps it open for
    /// writing (which would make executing it fail with "text file busy").
    @discardableResult
    private func write(_ text: String, _ name: String, mode: mode_t = 0o600) -> String {
        let path = "\(directory)/\(name)"
        try? FileManager.default.createDirectory(atPath: AtomicFile.parentDirectory(of: path), withIntermediateDirectories: true)
        SpawnGate.run {
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            chmod(path, mode)
        }
        return path
    }

    /// A fake `gcloud` in the test's `bin` directory: records its arguments (one line per run)
    /// in `gcloud-calls`, then runs `body`.
    private func fakeGcloud(_ body: String) {
        write("#!/bin/sh\necho \"$@\" >> '\(directory)/gcloud-calls'\n\(body)\n", "bin/gcloud", mode: 0o755)
    }

    private var gcloudCalls: [String] {
        (FileManager.default.contents(atPath: "\(directory)/gcloud-calls").map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// A chain whose environment has nothing but a home without gcloud files and a `PATH`
    /// with nothing but the test's `bin` directory, unless `environment` says otherwise.
    private func chain(accessToken: String? = nil, credentialsFile: String? = nil, environment: [String: String] = [:],
                       transport: RecordingTransport = RecordingTransport(script: []),
                       metadata: RecordingTransport = .unreachable(), signer: RecordingSigner = RecordingSigner(),
                       logger: Logger = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off)),
                       quotaProject: String? = nil) -> GCPCredentialChain {
        var environment = environment
        environment["HOME"] = environment["HOME"] ?? directory
        environment["PATH"] = environment["PATH"] ?? "\(directory)/bin"
        return GCPCredentialChain(accessToken: accessToken, credentialsFile: credentialsFile, environment: environment,
                                  transport: transport, metadataTransport: metadata, signer: signer.signer, logger: logger,
                                  retry: Self.fastRetry, now: { Self.issuedAt }, quotaProject: quotaProject)
    }

    private func unauthenticatedReason(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            Issue.record("expected an error")
        } catch CloudProviderError.unauthenticated(let reason) {
            return reason
        } catch {
            Issue.record("expected unauthenticated, got \(error)")
        }
        return nil
    }

    // MARK: - Order

    @Test func sourcesAreTakenInApplicationDefaultCredentialsOrder() async throws {
        let userFile = write(Self.authorizedUserJSON(), "user.json")
        let serviceFile = write(Self.serviceAccountJSON(), "sa.json")
        write(Self.authorizedUserJSON(), "cloudsdk/application_default_credentials.json")
        write(Self.authorizedUserJSON(), "home/.config/gcloud/application_default_credentials.json")
        let everything = ["GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.from-environment", "GOOGLE_APPLICATION_CREDENTIALS": serviceFile,
                          "CLOUDSDK_CONFIG": "\(directory)/cloudsdk", "HOME": "\(directory)/home"]
        func grant() -> RecordingTransport { RecordingTransport(script: [.respond(.token("ya29.granted"))]) }

        let setting = chain(accessToken: "ya29.from-setting", credentialsFile: userFile, environment: everything)
        #expect(try await setting.accessToken() == "ya29.from-setting")
        #expect(await setting.source == .accessTokenSetting)

        let environmentToken = chain(credentialsFile: userFile, environment: everything)
        #expect(try await environmentToken.accessToken() == "ya29.from-environment")
        #expect(await environmentToken.source == .environmentAccessToken)

        var rest = everything
        rest["GOOGLE_OAUTH_ACCESS_TOKEN"] = nil
        let fileSetting = chain(credentialsFile: userFile, environment: rest, transport: grant())
        _ = try await fileSetting.accessToken()
        #expect(await fileSetting.source == .authorizedUser(file: userFile))

        let variable = chain(environment: rest, transport: grant())
        _ = try await variable.accessToken()
        #expect(await variable.source == .serviceAccount(email: "agent@sa-project-1.iam.gserviceaccount.com", file: serviceFile))

        rest["GOOGLE_APPLICATION_CREDENTIALS"] = nil
        let cloudsdk = chain(environment: rest, transport: grant())
        _ = try await cloudsdk.accessToken()
        #expect(await cloudsdk.source == .authorizedUser(file: "\(directory)/cloudsdk/application_default_credentials.json"))

        rest["CLOUDSDK_CONFIG"] = nil
        let home = chain(environment: rest, transport: grant())
        _ = try await home.accessToken()
        #expect(await home.source == .authorizedUser(file: "\(directory)/home/.config/gcloud/application_default_credentials.json"))

        // With no file, the metadata server comes before gcloud.
        fakeGcloud("echo ya29.gcloud")
        let metadata = chain(metadata: RecordingTransport(script: [.respond(.token("ya29.metadata"))]))
        #expect(try await metadata.accessToken() == "ya29.metadata")
        #expect(await metadata.source == .metadataServer(host: "169.254.169.254"))
        #expect(gcloudCalls.isEmpty)
        let gcloud = chain()
        #expect(try await gcloud.accessToken() == "ya29.gcloud")
        #expect(await gcloud.source == .gcloud)
    }

    // MARK: - Explicit tokens

    @Test func anExplicitTokenIsUsedAsIsUntilRejected() async throws {
        let transport = RecordingTransport(script: [])
        let credentials = chain(accessToken: " ya29.explicit\n", transport: transport)
        #expect(try await credentials.accessToken() == "ya29.explicit")
        #expect(try await credentials.accessToken() == "ya29.explicit")
        #expect(transport.requests.isEmpty)
        await credentials.invalidate()
        let reason = await unauthenticatedReason { _ = try await credentials.accessToken() }
        #expect(reason?.contains("accessToken") == true && reason?.contains("rejected") == true, "\(reason ?? "")")
        #expect(reason?.contains("ya29.explicit") == false)

        let fromEnvironment = chain(environment: ["GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.env"])
        #expect(try await fromEnvironment.accessToken() == "ya29.env")
        await fromEnvironment.invalidate()
        let environmentReason = await unauthenticatedReason { _ = try await fromEnvironment.accessToken() }
        #expect(environmentReason?.contains("GOOGLE_OAUTH_ACCESS_TOKEN") == true, "\(environmentReason ?? "")")
    }

    // MARK: - Credentials files

    @Test func anAuthorizedUserTradesItsRefreshToken() async throws {
        let transport = RecordingTransport(script: [.respond(.token("ya29.user-token"))])
        let path = write(Self.authorizedUserJSON(), "user.json")
        let credentials = chain(credentialsFile: path, transport: transport)
        #expect(try await credentials.accessToken() == "ya29.user-token")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://oauth2.googleapis.com/token")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(transport.bodies == ["grant_type=refresh_token&client_id=123-abc.apps.googleusercontent.com"
            + "&client_secret=d-FL95Q19q7MQmFpd7hHD0Ty&refresh_token=1%2F%2F0gdJ-refresh%2Ftoken%2BxSECRET"])
        #expect(await credentials.defaultProject() == "quota-project-1")
    }

    @Test func aServiceAccountSignsAJWTAndTradesIt() async throws {
        let transport = RecordingTransport(script: [.respond(.token("ya29.sa-token"))])
        let signer = RecordingSigner()
        let path = write(Self.serviceAccountJSON(), "sa.json")
        let credentials = chain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path], transport: transport, signer: signer)
        #expect(try await credentials.accessToken() == "ya29.sa-token")

        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://oauth2.example.test/token")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        let prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
        let body = transport.bodies[0]
        #expect(body.hasPrefix(prefix), "\(body)")
        let assertion = String(body.dropFirst(prefix.count))
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)

        func object(_ segment: String) throws -> [String: Any] {
            let bytes = try #require(Base64URL.decode(segment))
            return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        }
        let header = try object(parts[0])
        #expect(header.count == 3)
        #expect(header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == "kid-0123456789abcdef")
        let claims = try object(parts[1])
        #expect(claims.count == 5)
        #expect(claims["iss"] as? String == "agent@sa-project-1.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["aud"] as? String == "https://oauth2.example.test/token")
        #expect(claims["iat"] as? Int == 1_700_000_000)
        #expect(claims["exp"] as? Int == 1_700_003_600)
        #expect(!parts[0].contains("=") && !parts[1].contains("="))

        let calls = signer.calls.withLock { $0 }
        #expect(calls == [.init(privateKeyPEM: Self.privateKey, signingInput: Array("\(parts[0]).\(parts[1])".utf8))])
        #expect(parts[2] == Base64URL.encode(RecordingSigner.signature))
        #expect(await credentials.source == .serviceAccount(email: "agent@sa-project-1.iam.gserviceaccount.com", file: path))
        #expect(await credentials.defaultProject() == "sa-project-1")
    }

    @Test func aNamedFileThatIsMissingOrInvalidIsAnErrorNamingIt() async throws {
        let missing = "\(directory)/nowhere/key.json"
        let fromSetting = await unauthenticatedReason { _ = try await chain(credentialsFile: missing).accessToken() }
        #expect(fromSetting?.contains(missing) == true && fromSetting?.contains("credentialsFile") == true, "\(fromSetting ?? "")")
        let fromVariable = await unauthenticatedReason {
            _ = try await chain(environment: ["GOOGLE_APPLICATION_CREDENTIALS": missing]).accessToken()
        }
        #expect(fromVariable?.contains(missing) == true && fromVariable?.contains("GOOGLE_APPLICATION_CREDENTIALS") == true)

        let invalid = write("private_key: \(Self.keyBody) not json", "invalid.json")
        let invalidReason = await unauthenticatedReason { _ = try await chain(credentialsFile: invalid).accessToken() }
        #expect(invalidReason?.contains(invalid) == true && invalidReason?.contains("JSON") == true, "\(invalidReason ?? "")")
        #expect(invalidReason?.contains(Self.keyBody) == false)

        let external = write(#"{"type": "external_account", "audience": "//iam.googleapis.com/x", "subject_token_type": "jwt"}"#, "external.json")
        let externalReason = await unauthenticatedReason { _ = try await chain(credentialsFile: external).accessToken() }
        #expect(externalReason?.contains("external_account") == true && externalReason?.contains("not support") == true)
        #expect(externalReason?.contains("service_account, authorized_user") == true, "\(externalReason ?? "")")

        let incomplete = write(#"{"type": "authorized_user", "client_id": "c", "client_secret": "\#(Self.clientSecret)"}"#, "incomplete.json")
        let incompleteReason = await unauthenticatedReason { _ = try await chain(credentialsFile: incomplete).accessToken() }
        #expect(incompleteReason?.contains("refresh_token") == true && incompleteReason?.contains(incomplete) == true)
        #expect(incompleteReason?.contains(Self.clientSecret) == false)

        // gcloud's default file is only skipped when absent, not when broken.
        write("{", "home/.config/gcloud/application_default_credentials.json")
        let brokenDefault = await unauthenticatedReason { _ = try await chain(environment: ["HOME": "\(directory)/home"]).accessToken() }
        #expect(brokenDefault?.contains("application_default_credentials.json") == true)
    }

    // MARK: - Token endpoint answers

    @Test func tokenEndpointErrorsAreMappedAndRetried() async throws {
        let path = write(Self.authorizedUserJSON(), "user.json")
        let refused = RecordingTransport(script: [
            .respond(.json(400, #"{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}"#)),
        ])
        let reason = await unauthenticatedReason { _ = try await chain(credentialsFile: path, transport: refused).accessToken() }
        #expect(reason?.contains("invalid_grant: Token has been expired or revoked.") == true, "\(reason ?? "")")
        #expect(reason?.contains("gcloud auth application-default login") == true)
        #expect(refused.requests.count == 1)

        let flaky = RecordingTransport(script: [
            .respond(.json(503, #"{"error": "backend_error"}"#)),
            .fail(HTTPTransportError(.connection, "connection reset")),
            .respond(.token("ya29.third-time")),
        ])
        #expect(try await chain(credentialsFile: path, transport: flaky).accessToken() == "ya29.third-time")
        #expect(flaky.requests.count == 3 && Set(flaky.bodies).count == 1)

        let busy = RecordingTransport { _, _ in .respond(.json(429, #"{"error": "rate_limit_exceeded"}"#)) }
        await #expect(throws: CloudProviderError.throttled(retryAfterSeconds: nil,
                                                          reason: "Google's token endpoint throttled the token request for user credentials (file \(path)) to oauth2.googleapis.com")) {
            _ = try await chain(credentialsFile: path, transport: busy).accessToken()
        }
        #expect(busy.requests.count == 3)

        let down = RecordingTransport { _, _ in .fail(HTTPTransportError(.connection, "connection refused")) }
        do {
            _ = try await chain(credentialsFile: path, transport: down).accessToken()
            Issue.record("expected an error")
        } catch CloudProviderError.providerError(let failure) {
            #expect(failure.code == "ConnectionError" && failure.retryable)
        }
        #expect(down.requests.count == 3)
    }

    // MARK: - Expiry and refresh

    @Test func tokensAreRefreshedFiveMinutesBeforeTheyExpire() async throws {
        let path = write(Self.authorizedUserJSON(), "user.json")
        let hour = RecordingTransport { _, index in .respond(.token("ya29.hour-\(index)", expiresIn: 3599)) }
        let lasting = chain(credentialsFile: path, transport: hour)
        for _ in 0..<3 { #expect(try await lasting.accessToken() == "ya29.hour-0") }
        #expect(hour.requests.count == 1)

        // Within the five-minute margin from the start: every call refreshes.
        let short = RecordingTransport { _, index in .respond(.token("ya29.short-\(index)", expiresIn: 299)) }
        let shortLived = chain(credentialsFile: path, transport: short)
        #expect(try await shortLived.accessToken() == "ya29.short-0")
        #expect(try await shortLived.accessToken() == "ya29.short-1")

        // One second outside the margin: reused, then refreshed once that second has passed.
        let edge = RecordingTransport { _, index in .respond(.token("ya29.edge-\(index)", expiresIn: 301)) }
        let edgeLived = chain(credentialsFile: path, transport: edge)
        #expect(try await edgeLived.accessToken() == "ya29.edge-0")
        #expect(try await edgeLived.accessToken() == "ya29.edge-0")
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await edgeLived.accessToken() == "ya29.edge-1")
        #expect(edge.requests.count == 2)
    }

    @Test func concurrentCallersShareOneRefreshAndInvalidateRefreshesOnce() async throws {
        let path = write(Self.serviceAccountJSON(), "sa.json")
        let grants = RecordingTransport { _, index in
            try? await Task.sleep(for: .milliseconds(100))
            return .respond(.token("ya29.grant-\(index)"))
        }
        let signer = RecordingSigner()
        let credentials = chain(credentialsFile: path, transport: grants, signer: signer)
        func fifty() async throws -> Set<String> {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await credentials.accessToken() } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
        }
        #expect(try await fifty() == ["ya29.grant-0"])
        #expect(grants.requests.count == 1)
        await credentials.invalidate()
        #expect(try await fifty() == ["ya29.grant-1"])
        #expect(grants.requests.count == 2)
        #expect(signer.calls.withLock { $0.count } == 2)
    }

    // MARK: - Metadata server and gcloud

    @Test func theMetadataServerIsAskedWithItsHeaderAndGivesTheProject() async throws {
        let metadata = RecordingTransport { request, _ in
            guard request.header("Metadata-Flavor") == "Google" else { return .respond(HTTPResponse(status: 403)) }
            switch request.url.path {
            case "/computeMetadata/v1/instance/service-accounts/default/token": return .respond(.token("ya29.metadata", expiresIn: 3599))
            case "/computeMetadata/v1/project/project-id": return .respond(HTTPResponse(status: 200, body: Array("gce-project-1\n".utf8)))
            default: return .respond(HTTPResponse(status: 404))
            }
        }
        let credentials = chain(metadata: metadata)
        #expect(try await credentials.accessToken() == "ya29.metadata")
        #expect(await credentials.defaultProject() == "gce-project-1")
        #expect(metadata.requests.map(\.url.absoluteString) == [
            "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token",
            "http://169.254.169.254/computeMetadata/v1/project/project-id",
        ])
        #expect(metadata.requests.allSatisfy { $0.method == "GET" && $0.header("Metadata-Flavor") == "Google" })

        let elsewhere = RecordingTransport(script: [.respond(.token("ya29.emulated"))])
        let emulated = chain(environment: ["GCE_METADATA_HOST": "127.0.0.1:8089"], metadata: elsewhere)
        #expect(try await emulated.accessToken() == "ya29.emulated")
        #expect(elsewhere.requests.first?.url.absoluteString == "http://127.0.0.1:8089/computeMetadata/v1/instance/service-accounts/default/token")
        #expect(await emulated.source == .metadataServer(host: "127.0.0.1:8089"))

        // Off Google Cloud there is no project to discover.
        #expect(await chain().defaultProject() == nil)
    }

    @Test func theProjectAndQuotaProjectComeFromSettingsAndTheEnvironmentBeforeTheFile() async throws {
        let user = write(Self.authorizedUserJSON(quotaProject: "quota-project-1"), "user.json")
        let fromFile = chain(credentialsFile: user)
        #expect(await fromFile.defaultProject() == "quota-project-1")
        #expect(await fromFile.quotaProject() == "quota-project-1")
        let environment = ["GOOGLE_CLOUD_PROJECT": "env-project-1", "GOOGLE_CLOUD_QUOTA_PROJECT": "billing-project-1"]
        let fromEnvironment = chain(credentialsFile: user, environment: environment)
        #expect(await fromEnvironment.defaultProject() == "env-project-1")
        #expect(await fromEnvironment.quotaProject() == "billing-project-1")
        #expect(await chain(credentialsFile: user, environment: environment, quotaProject: "setting-project-1").quotaProject() == "setting-project-1")
        #expect(await chain(environment: ["GCLOUD_PROJECT": "legacy-project-1"]).defaultProject() == "legacy-project-1")
        // A service account is charged to its own project: no quota project unless one is set.
        let account = chain(credentialsFile: write(Self.serviceAccountJSON(), "account.json"))
        #expect(await account.defaultProject() == "sa-project-1")
        #expect(await account.quotaProject() == nil)
        #expect(await chain(credentialsFile: write(Self.authorizedUserJSON(quotaProject: nil), "plain.json")).quotaProject() == nil)
    }

    @Test func gcloudIsTheLastResortAndItsTokenIsReusedForFiveMinutes() async throws {
        fakeGcloud("printf '  ya29.gcloud-token\\n\\n'")
        let metadata = RecordingTransport.unreachable()
        let credentials = chain(metadata: metadata)
        #expect(try await credentials.accessToken() == "ya29.gcloud-token")
        #expect(try await credentials.accessToken() == "ya29.gcloud-token")
        #expect(gcloudCalls == ["auth print-access-token"])
        #expect(metadata.requests.count == 1)
        #expect(await credentials.source == .gcloud)
        await credentials.invalidate()
        _ = try await credentials.accessToken()
        #expect(gcloudCalls.count == 2)
    }

    @Test func withNothingWorkingTheErrorListsWhatWasTriedInOrder() async throws {
        let absent = await unauthenticatedReason { _ = try await chain().accessToken() }
        let reason = try #require(absent)
        let steps = ["1) the provider's accessToken setting", "2) GOOGLE_OAUTH_ACCESS_TOKEN",
                     "3) the provider's credentialsFile setting and GOOGLE_APPLICATION_CREDENTIALS",
                     "4) gcloud's application default credentials \(directory)/.config/gcloud/application_default_credentials.json",
                     "5) the GCE metadata server at 169.254.169.254", "6) `gcloud auth print-access-token` (gcloud is not on PATH)",
                     "To fix", "accessToken", "GOOGLE_APPLICATION_CREDENTIALS", "`gcloud auth application-default login`"]
        var position = reason.startIndex
        for step in steps {
            let found = reason.range(of: step, range: position..<reason.endIndex)
            #expect(found != nil, "'\(step)' missing or out of order in: \(reason)")
            if let found { position = found.upperBound }
        }

        fakeGcloud("echo 'WARNING: something' >&2\necho 'ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected.' >&2\nexit 1")
        let noAccount = await unauthenticatedReason {
            _ = try await chain(metadata: RecordingTransport(script: [.respond(HTTPResponse(status: 404))])).accessToken()
        }
        #expect(noAccount?.contains("the instance has no service account") == true, "\(noAccount ?? "")")
        #expect(noAccount?.contains("exited with status 1: ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected.") == true,
                "\(noAccount ?? "")")
    }

    // MARK: - Secrets

    @Test func secretsNeverAppearInLogsOrErrors() async throws {
        let log = CapturedLog(directory: directory, label: "gcp test")
        var errors: [String] = []
        var tokens: [String] = []

        let servicePath = write(Self.serviceAccountJSON(), "sa.json")
        let grants = RecordingTransport { _, index in .respond(.token("ya29.secret-sa-\(index)")) }
        let service = chain(credentialsFile: servicePath, transport: grants, logger: log.logger)
        tokens.append(try await service.accessToken())
        await service.invalidate()
        tokens.append(try await service.accessToken())
        let assertion = String(grants.bodies[0].split(separator: "=").last ?? "")
        #expect(assertion.count > 100)

        // An endpoint that echoes the grant back in its error (and fails a few times first).
        let userPath = write(Self.authorizedUserJSON(), "user.json")
        let echoing = RecordingTransport { request, index in
            if index < 2 { return .respond(.json(503, #"{"error": "backend_error"}"#)) }
            let form = String(decoding: request.body, as: UTF8.self)
            return .respond(.json(400, #"{"error": "invalid_grant", "error_description": "bad grant \#(Self.refreshToken) / \#(Self.clientSecret) in \#(form)"}"#))
        }
        do {
            _ = try await chain(credentialsFile: userPath, transport: echoing, logger: log.logger).accessToken()
        } catch {
            errors.append("\(error)")
        }

        // A signer whose error quotes the key.
        do {
            _ = try await chain(credentialsFile: servicePath, signer: RecordingSigner(failingWith: "bad key \(Self.keyBody)"),
                                logger: log.logger).accessToken()
        } catch {
            errors.append("\(error)")
        }

        let explicit = chain(accessToken: "ya29.secret-explicit", logger: log.logger)
        tokens.append(try await explicit.accessToken())
        await explicit.invalidate()
        do { _ = try await explicit.accessToken() } catch { errors.append("\(error)") }

        #expect(errors.count == 3)
        #expect(errors[0].contains("<redacted>") && errors[1].contains("<redacted>"), "\(errors)")
        let logged = log.text
        #expect(logged.contains("GCP credentials from service account agent@sa-project-1.iam.gserviceaccount.com (file \(servicePath))"), "\(logged)")
        #expect(logged.contains("GCP credentials from the provider's accessToken setting"))
        let secrets = tokens + [Self.clientSecret, Self.refreshToken, TokenForm.encode(Self.refreshToken), Self.keyBody, assertion,
                                String(assertion.split(separator: ".").last ?? "")]
        for secret in secrets {
            #expect(!logged.contains(secret), "the log shows \(secret)")
            for error in errors { #expect(!error.contains(secret), "an error shows \(secret): \(error)") }
        }
        #expect(tokens.count == 3)
    }

    @Test func printingCredentialsNeverShowsTheSecrets() throws {
        let file = try GCPCredentialsFile.parse(Array(Self.authorizedUserJSON().utf8), path: "/p", origin: "test")
        let account = try GCPCredentialsFile.parse(Array(Self.serviceAccountJSON().utf8), path: "/p", origin: "test")
        let token = GCPAccessToken(value: "ya29.printed", expiresIn: .seconds(10))
        for text in ["\(file)", "\(account)", "\(token)", String(reflecting: token)] {
            for secret in [Self.clientSecret, Self.refreshToken, Self.keyBody, "ya29.printed"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }
}

/// The form encoding of a value, as it would appear in a request body.
private enum TokenForm {
    static func encode(_ value: String) -> String { URLEncoding.percentEncode(value) }
}


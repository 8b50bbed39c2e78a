#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import AzureProvider

@Suite struct AzureCredentialChainTests {
    let directory: String = {
        let path = "\(NSTemporaryDirectory())/azure-chain-tests/\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: "\(path)/bin", withIntermediateDirectories: true)
        return path
    }()

    static let fastRetry = RetryPolicy(maxAttempts: 3, base: .milliseconds(1), maximumDelay: .milliseconds(5))
    static let issuedAt = Date(timeIntervalSince1970: 1_700_000_000)

    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let client = "0b3f4a2c-1d5e-4f60-8a7b-9c0d1e2f3a4b"
    static let settingTenant = "aaaaaaaa-1111-2222-3333-444444444444"
    static let settingClient = "bbbbbbbb-5555-6666-7777-888888888888"
    static let identityClient = "11111111-2222-3333-4444-555555555555"
    static let armResource = "https%3A%2F%2Fmanagement.azure.com%2F"
    static let armScope = "https%3A%2F%2Fmanagement.azure.com%2F.default"

    // Secrets of the fixtures: none may ever show in a log line, an error or a description.
    static let clientSecret = "Qx8Q~s3cr3t+Value/RwZsK3=env"
    static let settingSecret = "Zz9Q~setting+Secret/Value7=="
    static let assertion = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJodHRwczovL29pZGMuZXhhbXBsZSJ9.c2lnbmF0dXJlLXNlY3JldA"
    static let identityHeader = "b1d9c0e3-identity-header-secret"

    /// What a client-secret grant for `client` in `tenant` with `secret` looks like on the wire.
    static func clientSecretForm(client: String = client, secret: String = clientSecret) -> String {
        "grant_type=client_credentials&client_id=\(client)&client_secret=\(URLEncoding.percentEncode(secret))&scope=\(armScope)"
    }

    static func assertionForm(_ assertion: String, client: String = client) -> String {
        "grant_type=client_credentials&client_id=\(client)"
            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            + "&client_assertion=\(assertion)&scope=\(armScope)"
    }

    static var servicePrincipalEnvironment: [String: String] {
        ["AZURE_TENANT_ID": tenant, "AZURE_CLIENT_ID": client, "AZURE_CLIENT_SECRET": clientSecret]
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

    /// A fake `az` in the test's `bin` directory: records its arguments (one line per run) in
    /// `az-calls`, then runs `body`.
    private func fakeAz(_ body: String) {
        write("#!/bin/sh\necho \"$@\" >> '\(directory)/az-calls'\n\(body)\n", "bin/az", mode: 0o755)
    }

    /// A fake `az` printing what `az account get-access-token` prints.
    private func fakeAzPrinting(token: String, expiresOn: String? = "2023-11-15 08:13:20.000000", epoch: Int? = nil) {
        let fields = [#""accessToken": "\#(token)""#, expiresOn.map { #""expiresOn": "\#($0)""# }, epoch.map { #""expires_on": \#($0)"# },
                      #""subscription": "00000000-0000-0000-0000-000000000000""#, #""tenant": "\#(Self.tenant)""#,
                      #""tokenType": "Bearer""#].compactMap { $0 }
        // Only shell builtins: PATH holds nothing but the test's bin directory.
        fakeAz("printf '%s\\n' '{' '  " + fields.joined(separator: ",' '  ") + "' '}'")
    }

    private var azCalls: [String] {
        (FileManager.default.contents(atPath: "\(directory)/az-calls").map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(separator: "\n").map(String.init)
    }

    /// A chain whose environment has nothing but a home of its own and a `PATH` with nothing
    /// but the test's `bin` directory, unless `environment` says otherwise; the metadata
    /// service is unreachable unless a transport for it is given.
    private func chain(accessToken: String? = nil, tenantID: String? = nil, clientID: String? = nil, clientSecret: String? = nil,
                       authorityHost: String? = nil, environment: [String: String] = [:],
                       transport: RecordingTransport = RecordingTransport(script: []),
                       metadata: RecordingTransport = .unreachable(),
                       logger: Logger = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))) -> AzureCredentialChain {
        var environment = environment
        environment["HOME"] = environment["HOME"] ?? directory
        environment["PATH"] = environment["PATH"] ?? "\(directory)/bin"
        return AzureCredentialChain(accessToken: accessToken, tenantID: tenantID, clientID: clientID, clientSecret: clientSecret,
                                    authorityHost: authorityHost, scope: AzureCredentialChain.resourceManagerScope,
                                    environment: environment, transport: transport, metadataTransport: metadata, logger: logger,
                                    retry: Self.fastRetry, now: { Self.issuedAt })
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

    private func invalidRequest(_ body: () async throws -> Void) async -> (field: String, reason: String)? {
        do {
            try await body()
            Issue.record("expected an error")
        } catch CloudProviderError.invalidRequest(let field, let reason) {
            return (field, reason)
        } catch {
            Issue.record("expected invalidRequest, got \(error)")
        }
        return nil
    }

    // MARK: - Order

    @Test func sourcesAreTakenInDefaultAzureCredentialOrder() async throws {
        let tokenFile = write(Self.assertion, "federated-token")
        fakeAzPrinting(token: "az-token")
        var everything = Self.servicePrincipalEnvironment
        everything["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile
        func grant() -> RecordingTransport { RecordingTransport(script: [.respond(.entraToken("granted"))]) }
        func identity() -> RecordingTransport {
            RecordingTransport(script: [.respond(.managedIdentityToken("identity-token", issuedAt: Self.issuedAt))])
        }

        let untouched = grant()
        let setting = chain(accessToken: "explicit-token", tenantID: Self.settingTenant, clientID: Self.settingClient,
                            clientSecret: Self.settingSecret, environment: everything, transport: untouched)
        #expect(try await setting.accessToken() == "explicit-token")
        #expect(await setting.source == .accessTokenSetting)
        #expect(untouched.requests.isEmpty)

        let settingsGrant = grant()
        let secretSetting = chain(tenantID: Self.settingTenant, clientID: Self.settingClient, clientSecret: Self.settingSecret,
                                  environment: everything, transport: settingsGrant)
        #expect(try await secretSetting.accessToken() == "granted")
        #expect(await secretSetting.source == .clientSecretSetting(tenantID: Self.settingTenant, clientID: Self.settingClient))
        #expect(settingsGrant.bodies == [Self.clientSecretForm(client: Self.settingClient, secret: Self.settingSecret)])

        let environmentSecret = chain(environment: everything, transport: grant())
        _ = try await environmentSecret.accessToken()
        #expect(await environmentSecret.source == .environmentClientSecret(tenantID: Self.tenant, clientID: Self.client))

        var rest = everything
        rest["AZURE_CLIENT_SECRET"] = nil
        let workload = chain(environment: rest, transport: grant())
        _ = try await workload.accessToken()
        #expect(await workload.source == .workloadIdentity(tenantID: Self.tenant, clientID: Self.client, tokenFile: tokenFile))

        // Then a managed identity before the CLI.
        rest["AZURE_FEDERATED_TOKEN_FILE"] = nil
        let managed = chain(environment: rest, metadata: identity())
        #expect(try await managed.accessToken() == "identity-token")
        #expect(await managed.source == .managedIdentity(endpoint: "http://169.254.169.254/metadata/identity/oauth2/token",
                                                         clientID: Self.client))
        #expect(azCalls.isEmpty)

        let cli = chain(environment: rest)
        #expect(try await cli.accessToken() == "az-token")
        #expect(await cli.source == .azureCLI)
        #expect(azCalls.count == 1)
    }

    // MARK: - The accessToken setting

    @Test func anExplicitTokenIsUsedAsIsUntilRejected() async throws {
        let transport = RecordingTransport(script: [])
        let credentials = chain(accessToken: " explicit-arm-token\n", environment: Self.servicePrincipalEnvironment, transport: transport)
        let token = try await credentials.token()
        #expect(token == AzureBearerToken(value: "explicit-arm-token", expiresAt: nil))
        #expect(try await credentials.accessToken() == "explicit-arm-token")
        #expect(transport.requests.isEmpty)

        await credentials.invalidate()
        for _ in 0..<2 {
            let reason = await unauthenticatedReason { _ = try await credentials.accessToken() }
            #expect(reason?.contains("accessToken") == true && reason?.contains("cannot be renewed") == true, "\(reason ?? "")")
            #expect(reason?.contains("explicit-arm-token") == false)
        }
        // Never quietly replaced by the next source: the service principal is not asked.
        #expect(transport.requests.isEmpty)
    }

    // MARK: - Service principal with a client secret

    @Test func aClientSecretIsTradedInAClientCredentialsGrant() async throws {
        let transport = RecordingTransport(script: [.respond(.entraToken("sp-token", expiresIn: 3599))])
        let credentials = chain(environment: Self.servicePrincipalEnvironment, transport: transport)
        let token = try await credentials.token()
        #expect(token == AzureBearerToken(value: "sp-token", expiresAt: Self.issuedAt.addingTimeInterval(3599)))

        let request = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://login.microsoftonline.com/\(Self.tenant)/oauth2/v2.0/token")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.header("Accept") == "application/json")
        #expect(transport.bodies == [
            "grant_type=client_credentials&client_id=\(Self.client)&client_secret=Qx8Q~s3cr3t%2BValue%2FRwZsK3%3Denv"
                + "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default",
        ])
        #expect(await credentials.source == .environmentClientSecret(tenantID: Self.tenant, clientID: Self.client))
        #expect(credentials.tenantID == Self.tenant)

        // The tenantId and clientId settings name the app whose secret is in the environment.
        let named = RecordingTransport(script: [.respond(.entraToken("sp-token"))])
        let overridden = chain(tenantID: Self.settingTenant, clientID: Self.settingClient,
                               environment: Self.servicePrincipalEnvironment, transport: named)
        _ = try await overridden.accessToken()
        #expect(named.requests.first?.url.absoluteString == "https://login.microsoftonline.com/\(Self.settingTenant)/oauth2/v2.0/token")
        #expect(named.bodies == [Self.clientSecretForm(client: Self.settingClient)])
        #expect(overridden.tenantID == Self.settingTenant)
    }

    @Test func anIncompleteServicePrincipalIsRefusedWhenSetAndSkippedWhenInTheEnvironment() async throws {
        let noTenant = await invalidRequest {
            _ = try await chain(clientID: Self.settingClient, clientSecret: Self.settingSecret).accessToken()
        }
        #expect(noTenant?.field == "tenantId" && noTenant?.reason.contains("clientSecret") == true)
        let noClient = await invalidRequest {
            _ = try await chain(tenantID: Self.settingTenant, clientSecret: Self.settingSecret).accessToken()
        }
        #expect(noClient?.field == "clientId")

        fakeAzPrinting(token: "az-token")
        let partial = chain(environment: ["AZURE_CLIENT_SECRET": Self.clientSecret, "AZURE_CLIENT_ID": Self.client])
        #expect(try await partial.accessToken() == "az-token")

        let badTenant = await invalidRequest {
            _ = try await chain(environment: ["AZURE_TENANT_ID": "../common", "AZURE_CLIENT_ID": Self.client,
                                              "AZURE_CLIENT_SECRET": Self.clientSecret]).accessToken()
        }
        #expect(badTenant?.field == "tenantId" && badTenant?.reason.contains("AZURE_TENANT_ID") == true, "\(String(describing: badTenant))")
    }

    // MARK: - Workload identity

    @Test func workloadIdentityReadsItsAssertionFileAtEveryRefresh() async throws {
        let file = write("\n  first.assertion.jwt \n", "tokens/azure-identity-token")
        let transport = RecordingTransport { _, index in .respond(.entraToken("wi-token-\(index)")) }
        let credentials = chain(environment: ["AZURE_TENANT_ID": Self.tenant, "AZURE_CLIENT_ID": Self.client,
                                              "AZURE_FEDERATED_TOKEN_FILE": file],
                                transport: transport)
        #expect(try await credentials.accessToken() == "wi-token-0")
        #expect(try await credentials.accessToken() == "wi-token-0")
        #expect(transport.requests.first?.url.absoluteString == "https://login.microsoftonline.com/\(Self.tenant)/oauth2/v2.0/token")
        #expect(transport.requests.first?.header("Content-Type") == "application/x-www-form-urlencoded")

        // The platform renews the file; the next refresh sends what it holds then.
        write("second.assertion.jwt", "tokens/azure-identity-token")
        await credentials.invalidate()
        #expect(try await credentials.accessToken() == "wi-token-1")
        #expect(transport.bodies == [Self.assertionForm("first.assertion.jwt"), Self.assertionForm("second.assertion.jwt")])

        // The clientId setting overrides AZURE_CLIENT_ID.
        let named = RecordingTransport(script: [.respond(.entraToken("wi-token"))])
        _ = try await chain(clientID: Self.settingClient,
                            environment: ["AZURE_TENANT_ID": Self.tenant, "AZURE_CLIENT_ID": Self.client, "AZURE_FEDERATED_TOKEN_FILE": file],
                            transport: named).accessToken()
        #expect(named.bodies == [Self.assertionForm("second.assertion.jwt", client: Self.settingClient)])

        let missing = "\(directory)/tokens/gone"
        let reason = await unauthenticatedReason {
            _ = try await chain(environment: ["AZURE_TENANT_ID": Self.tenant, "AZURE_CLIENT_ID": Self.client,
                                              "AZURE_FEDERATED_TOKEN_FILE": missing]).accessToken()
        }
        #expect(reason?.contains(missing) == true && reason?.contains("AZURE_FEDERATED_TOKEN_FILE") == true, "\(reason ?? "")")
    }

    // MARK: - Managed identity

    @Test func theInstanceMetadataServiceIsAskedWithItsHeaderAndTheClientID() async throws {
        let metadata = RecordingTransport { request, _ in
            guard request.header("Metadata") == "true" else { return .respond(.json(400, #"{"error":"bad_request"}"#)) }
            return .respond(.managedIdentityToken("imds-token", issuedAt: Self.issuedAt, expiresIn: 86_399))
        }
        let system = chain(metadata: metadata)
        let token = try await system.token()
        #expect(token == AzureBearerToken(value: "imds-token", expiresAt: Self.issuedAt.addingTimeInterval(86_399)))
        #expect(await system.source == .managedIdentity(endpoint: "http://169.254.169.254/metadata/identity/oauth2/token", clientID: nil))

        let userAssigned = chain(environment: ["AZURE_CLIENT_ID": Self.identityClient], metadata: metadata)
        _ = try await userAssigned.accessToken()
        #expect(metadata.requests.map(\.url.absoluteString) == [
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=\(Self.armResource)",
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=\(Self.armResource)"
                + "&client_id=\(Self.identityClient)",
        ])
        #expect(metadata.requests.allSatisfy { $0.method == "GET" && $0.header("Metadata") == "true" && $0.headers.count == 1 })
        #expect(await userAssigned.source?.description == "user-assigned managed identity \(Self.identityClient) "
            + "at http://169.254.169.254/metadata/identity/oauth2/token")
    }

    @Test func theAppServiceEndpointIsUsedWhenItsVariablesAreSet() async throws {
        // App Service answers expires_on only.
        let expiresOn = Int(Self.issuedAt.timeIntervalSince1970) + 7200
        let metadata = RecordingTransport(script: [
            .respond(.json(200, #"{"access_token":"app-service-token","expires_on":"\#(expiresOn)","resource":"https://management.azure.com/","token_type":"Bearer"}"#)),
        ])
        let credentials = chain(environment: ["IDENTITY_ENDPOINT": "http://127.0.0.1:41234/msi/token", "IDENTITY_HEADER": Self.identityHeader],
                                metadata: metadata)
        let token = try await credentials.token()
        #expect(token == AzureBearerToken(value: "app-service-token", expiresAt: Self.issuedAt.addingTimeInterval(7200)))
        let request = try #require(metadata.requests.first)
        #expect(request.method == "GET")
        #expect(request.url.absoluteString == "http://127.0.0.1:41234/msi/token?api-version=2019-08-01&resource=\(Self.armResource)")
        #expect(request.header("X-IDENTITY-HEADER") == Self.identityHeader)
        #expect(request.header("Metadata") == nil)
        #expect(await credentials.source == .managedIdentity(endpoint: "IDENTITY_ENDPOINT http://127.0.0.1:41234/msi/token", clientID: nil))
    }

    @Test func anUnreachableOrIdentitylessMetadataServiceIsSkippedWithoutRetries() async throws {
        fakeAzPrinting(token: "az-token")
        let unreachable = RecordingTransport.unreachable()
        let offAzure = chain(metadata: unreachable)
        #expect(try await offAzure.accessToken() == "az-token")
        #expect(unreachable.requests.count == 1, "one failed connection, not retried")

        let noIdentity = RecordingTransport { _, _ in
            .respond(.json(400, #"{"error":"invalid_request","error_description":"Identity not found"}"#))
        }
        let unassigned = chain(metadata: noIdentity)
        #expect(try await unassigned.accessToken() == "az-token")
        #expect(noIdentity.requests.count == 1)
        #expect(await unassigned.source == .azureCLI)

        // What the metadata service said is part of the "nothing found" message.
        try FileManager.default.removeItem(atPath: "\(directory)/bin/az")
        let reason = await unauthenticatedReason { _ = try await chain(metadata: noIdentity).accessToken() }
        #expect(reason?.contains("it answered HTTP 400: invalid_request: Identity not found (no managed identity is assigned here)") == true,
                "\(reason ?? "")")

        // Answers that say "try later" are retried.
        let busy = RecordingTransport(script: [
            .respond(.json(503, "{}")), .respond(.managedIdentityToken("after-503", issuedAt: Self.issuedAt)),
        ])
        #expect(try await chain(metadata: busy).accessToken() == "after-503")
        #expect(busy.requests.count == 2)
    }

    // MARK: - Azure CLI

    @Test func theAzureCLIIsTheLastResort() async throws {
        // Newer CLIs: expires_on, in seconds since 1970, wins over expiresOn.
        fakeAzPrinting(token: "cli-token", expiresOn: "1999-01-01 00:00:00.000000", epoch: Int(Self.issuedAt.timeIntervalSince1970) + 3000)
        let credentials = chain()
        let token = try await credentials.token()
        #expect(token == AzureBearerToken(value: "cli-token", expiresAt: Self.issuedAt.addingTimeInterval(3000)))
        #expect(try await credentials.accessToken() == "cli-token")
        #expect(azCalls == ["account get-access-token --output json --resource https://management.azure.com/"])
        #expect(await credentials.source == .azureCLI)

        // With a tenant configured, that tenant's token.
        _ = try await chain(tenantID: Self.settingTenant).accessToken()
        #expect(azCalls.last == "account get-access-token --output json --resource https://management.azure.com/ --tenant \(Self.settingTenant)")

        // Older CLIs: expiresOn only, in local time (2023-11-14 23:13:20 UTC is 08:13:20 in Tokyo).
        fakeAzPrinting(token: "old-cli-token", expiresOn: "2023-11-15 08:13:20.123456")
        let old = try await chain(environment: ["TZ": "Asia/Tokyo"]).token()
        #expect(old == AzureBearerToken(value: "old-cli-token", expiresAt: Self.issuedAt.addingTimeInterval(3600)))
    }

    @Test func anAzureCLIFailureIsReportedWithItsErrorLine() async throws {
        fakeAz("echo 'WARNING: A new version of az is available.' >&2\necho \"ERROR: Please run 'az login' to setup account.\" >&2\n"
            + "echo 'more detail' >&2\nexit 1")
        let reason = await unauthenticatedReason { _ = try await chain().accessToken() }
        #expect(reason?.contains("`az account get-access-token` (it exited with status 1: ERROR: Please run 'az login' to setup account.)") == true,
                "\(reason ?? "")")

        fakeAz("echo 'not json'")
        let garbled = await unauthenticatedReason { _ = try await chain().accessToken() }
        #expect(garbled?.contains("it printed no JSON object with an accessToken") == true, "\(garbled ?? "")")
    }

    @Test func withNothingWorkingTheErrorListsWhatWasTriedInOrder() async throws {
        let absent = await unauthenticatedReason { _ = try await chain().accessToken() }
        let reason = try #require(absent)
        let steps = ["no Azure credentials found", "1) the provider's accessToken setting (not set)",
                     "2) a service principal's client secret (neither the provider's clientSecret setting nor AZURE_CLIENT_SECRET is set)",
                     "3) workload identity (AZURE_FEDERATED_TOKEN_FILE is not set)",
                     "4) a managed identity at http://169.254.169.254/metadata/identity/oauth2/token (not reachable, so not on Azure",
                     "5) `az account get-access-token` (az is not on PATH)",
                     "To fix", "clientSecret", "AZURE_CLIENT_SECRET", "accessToken", "managed identity", "`az login`"]
        var position = reason.startIndex
        for step in steps {
            let found = reason.range(of: step, range: position..<reason.endIndex)
            #expect(found != nil, "'\(step)' missing or out of order in: \(reason)")
            if let found { position = found.upperBound }
        }

        let partial = await unauthenticatedReason {
            _ = try await chain(environment: ["AZURE_CLIENT_SECRET": Self.clientSecret,
                                              "AZURE_FEDERATED_TOKEN_FILE": "\(directory)/token"]).accessToken()
        }
        #expect(partial?.contains("2) AZURE_CLIENT_SECRET (set, but tenantId/AZURE_TENANT_ID and clientId/AZURE_CLIENT_ID not)") == true,
                "\(partial ?? "")")
        #expect(partial?.contains("3) workload identity with AZURE_FEDERATED_TOKEN_FILE (set, but tenantId/AZURE_TENANT_ID and") == true)
        #expect(partial?.contains(Self.clientSecret) == false)
    }

    // MARK: - Token endpoint answers

    @Test func tokenEndpointErrorsAreMappedAndRetried() async throws {
        let description = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
            + "value, not the client secret ID, for a secret added to app '\(Self.client)'.\\r\\nTrace ID: 0f1e2d3c\\r\\n"
            + "Correlation ID: 4b5a6978\\r\\nTimestamp: 2023-11-14 22:13:20Z"
        let refused = RecordingTransport(script: [.respond(.json(401, """
            {"error":"invalid_client","error_description":"\(description)","error_codes":[7000215],\
            "timestamp":"2023-11-14 22:13:20Z","trace_id":"0f1e2d3c-trace","correlation_id":"4b5a6978-correlation"}
            """))])
        let reason = try #require(await unauthenticatedReason {
            _ = try await chain(environment: Self.servicePrincipalEnvironment, transport: refused).accessToken()
        })
        #expect(reason.hasPrefix("Microsoft Entra ID refused the token request for service principal \(Self.client) in tenant "
            + "\(Self.tenant) (AZURE_CLIENT_SECRET) to login.microsoftonline.com (HTTP 401): invalid_client: AADSTS7000215: "
            + "Invalid client secret provided."), "\(reason)")
        #expect(reason.contains("not the client secret ID, for a secret added to app '\(Self.client)'.;"), "\(reason)")
        #expect(!reason.contains("Timestamp") && reason.contains("[trace id 0f1e2d3c-trace, correlation id 4b5a6978-correlation]"))
        #expect(reason.contains("check that the client secret"))
        #expect(refused.requests.count == 1)

        // Codes without a description still say which AADSTS error it was.
        let bare = RecordingTransport(script: [.respond(.json(400, #"{"error":"unauthorized_client","error_codes":[700016]}"#))])
        let bareReason = await unauthenticatedReason {
            _ = try await chain(environment: Self.servicePrincipalEnvironment, transport: bare).accessToken()
        }
        #expect(bareReason?.contains("(HTTP 400): unauthorized_client: AADSTS700016;") == true, "\(bareReason ?? "")")

        // Throttled once, honouring Retry-After, then granted.
        let throttledOnce = RecordingTransport(script: [
            .respond(.json(429, #"{"error":"temporarily_unavailable"}"#, headers: ["Retry-After": "1"])),
            .respond(.entraToken("after-429")),
        ])
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try await chain(environment: Self.servicePrincipalEnvironment, transport: throttledOnce).accessToken() == "after-429")
        #expect(clock.now - started >= .milliseconds(950))
        #expect(throttledOnce.requests.count == 2)

        let flaky = RecordingTransport(script: [
            .respond(.json(503, #"{"error":"temporarily_unavailable"}"#)),
            .fail(HTTPTransportError(.connection, "connection reset")),
            .respond(.entraToken("third-time")),
        ])
        #expect(try await chain(environment: Self.servicePrincipalEnvironment, transport: flaky).accessToken() == "third-time")
        #expect(flaky.requests.count == 3 && Set(flaky.bodies).count == 1)

        let busy = RecordingTransport { _, _ in .respond(.json(429, #"{"error":"temporarily_unavailable"}"#)) }
        await #expect(throws: CloudProviderError.throttled(retryAfterSeconds: nil, reason: """
            Microsoft Entra ID throttled the token request for service principal \(Self.client) in tenant \(Self.tenant) \
            (AZURE_CLIENT_SECRET) to login.microsoftonline.com
            """)) {
            _ = try await chain(environment: Self.servicePrincipalEnvironment, transport: busy).accessToken()
        }
        #expect(busy.requests.count == 3)

        let unavailable = RecordingTransport { _, _ in .respond(.json(503, #"{"error":"temporarily_unavailable","trace_id":"t-503"}"#)) }
        do {
            _ = try await chain(environment: Self.servicePrincipalEnvironment, transport: unavailable).accessToken()
            Issue.record("expected an error")
        } catch CloudProviderError.providerError(let failure) {
            #expect(failure.httpStatus == 503 && failure.retryable && failure.requestID == "t-503")
        }
        #expect(unavailable.requests.count == 3)

        let down = RecordingTransport { _, _ in .fail(HTTPTransportError(.connection, "connection refused")) }
        do {
            _ = try await chain(environment: Self.servicePrincipalEnvironment, transport: down).accessToken()
            Issue.record("expected an error")
        } catch CloudProviderError.providerError(let failure) {
            #expect(failure.code == "ConnectionError" && failure.retryable)
        }
        #expect(down.requests.count == 3)
    }

    // MARK: - Authority

    @Test func theAuthorityHostComesFromTheSettingElseTheEnvironment() async throws {
        let local = RecordingTransport(script: [.respond(.entraToken("local"))])
        _ = try await chain(authorityHost: "http://127.0.0.1:8400/", environment: Self.servicePrincipalEnvironment.merging(
            ["AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us"]) { $1 }, transport: local).accessToken()
        #expect(local.requests.first?.url.absoluteString == "http://127.0.0.1:8400/\(Self.tenant)/oauth2/v2.0/token")

        let sovereign = RecordingTransport(script: [.respond(.entraToken("sovereign"))])
        _ = try await chain(environment: Self.servicePrincipalEnvironment.merging(
            ["AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us/"]) { $1 }, transport: sovereign).accessToken()
        #expect(sovereign.requests.first?.url.absoluteString == "https://login.microsoftonline.us/\(Self.tenant)/oauth2/v2.0/token")

        let never = RecordingTransport(script: [])
        let plain = await invalidRequest {
            _ = try await chain(authorityHost: "http://login.example.com", environment: Self.servicePrincipalEnvironment,
                                transport: never).accessToken()
        }
        #expect(plain?.field == "authorityHost" && plain?.reason.contains("plain http") == true, "\(String(describing: plain))")
        #expect(plain?.reason.contains("the authorityHost setting") == true)
        let plainVariable = await invalidRequest {
            _ = try await chain(environment: Self.servicePrincipalEnvironment.merging(["AZURE_AUTHORITY_HOST": "http://10.0.0.5"]) { $1 },
                                transport: never).accessToken()
        }
        #expect(plainVariable?.field == "authorityHost" && plainVariable?.reason.contains("AZURE_AUTHORITY_HOST") == true)
        let notURL = await invalidRequest {
            _ = try await chain(authorityHost: "ftp://login.example.com", environment: Self.servicePrincipalEnvironment,
                                transport: never).accessToken()
        }
        #expect(notURL?.field == "authorityHost")
        #expect(never.requests.isEmpty)
    }

    // MARK: - Expiry and refresh

    @Test func tokensAreRefreshedFiveMinutesBeforeTheyExpire() async throws {
        let hour = RecordingTransport { _, index in .respond(.entraToken("hour-\(index)", expiresIn: 3599)) }
        let lasting = chain(environment: Self.servicePrincipalEnvironment, transport: hour)
        for _ in 0..<3 { #expect(try await lasting.accessToken() == "hour-0") }
        #expect(hour.requests.count == 1)

        // Within the five-minute margin from the start: every call refreshes.
        let short = RecordingTransport { _, index in .respond(.entraToken("short-\(index)", expiresIn: 299)) }
        let shortLived = chain(environment: Self.servicePrincipalEnvironment, transport: short)
        #expect(try await shortLived.accessToken() == "short-0")
        #expect(try await shortLived.accessToken() == "short-1")

        // One second outside the margin: reused, then refreshed once that second has passed.
        let edge = RecordingTransport { _, index in .respond(.entraToken("edge-\(index)", expiresIn: 301)) }
        let edgeLived = chain(environment: Self.servicePrincipalEnvironment, transport: edge)
        #expect(try await edgeLived.accessToken() == "edge-0")
        #expect(try await edgeLived.accessToken() == "edge-0")
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await edgeLived.accessToken() == "edge-1")
        #expect(edge.requests.count == 2)
    }

    @Test func concurrentCallersShareOneRefreshAndInvalidateRefreshesOnce() async throws {
        let grants = RecordingTransport { _, index in
            try? await Task.sleep(for: .milliseconds(100))
            return .respond(.entraToken("grant-\(index)"))
        }
        let credentials = chain(environment: Self.servicePrincipalEnvironment, transport: grants)
        func fifty() async throws -> Set<String> {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await credentials.accessToken() } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
        }
        #expect(try await fifty() == ["grant-0"])
        #expect(grants.requests.count == 1)
        await credentials.invalidate()
        #expect(try await fifty() == ["grant-1"])
        #expect(grants.requests.count == 2)
    }

    // MARK: - Secrets

    @Test func secretsNeverAppearInLogsOrErrors() async throws {
        let log = CapturedLog(directory: directory, label: "azure test")
        var errors: [String] = []
        var tokens: [String] = []

        let grants = RecordingTransport { _, index in .respond(.entraToken("eyJ0eXAi.secret-sp-token-\(index)")) }
        let principal = chain(environment: Self.servicePrincipalEnvironment, transport: grants, logger: log.logger)
        tokens.append(try await principal.accessToken())
        await principal.invalidate()
        tokens.append(try await principal.accessToken())

        // Endpoints that echo the grant back in their errors (after failing a few times).
        let echoing = RecordingTransport { request, index in
            if index < 2 { return .respond(.json(503, #"{"error":"temporarily_unavailable"}"#)) }
            let form = String(decoding: request.body, as: UTF8.self)
            let decoded = form.removingPercentEncoding ?? ""
            return .respond(.json(401, #"{"error":"invalid_client","error_description":"AADSTS7000215: bad grant \#(decoded) sent as \#(form)","error_codes":[7000215]}"#))
        }
        for settings in [true, false] {
            do {
                _ = try await chain(tenantID: settings ? Self.settingTenant : nil, clientID: settings ? Self.settingClient : nil,
                                    clientSecret: settings ? Self.settingSecret : nil, environment: Self.servicePrincipalEnvironment,
                                    transport: echoing, logger: log.logger).accessToken()
            } catch {
                errors.append("\(error)")
            }
        }
        let tokenFile = write(Self.assertion, "federated-token")
        do {
            _ = try await chain(environment: ["AZURE_TENANT_ID": Self.tenant, "AZURE_CLIENT_ID": Self.client,
                                              "AZURE_FEDERATED_TOKEN_FILE": tokenFile],
                                transport: echoing, logger: log.logger).accessToken()
        } catch {
            errors.append("\(error)")
        }

        // A managed identity endpoint that quotes its header back.
        let appService = RecordingTransport { request, _ in
            .respond(.json(400, #"{"error":"invalid_request","error_description":"header \#(request.header("X-IDENTITY-HEADER") ?? "") refused"}"#))
        }
        do {
            _ = try await chain(environment: ["IDENTITY_ENDPOINT": "http://127.0.0.1:41234/msi/token", "IDENTITY_HEADER": Self.identityHeader],
                                metadata: appService, logger: log.logger).accessToken()
        } catch {
            errors.append("\(error)")
        }
        let identity = chain(metadata: RecordingTransport(script: [.respond(.managedIdentityToken("secret-imds-token.x1", issuedAt: Self.issuedAt))]),
                             logger: log.logger)
        tokens.append(try await identity.accessToken())

        fakeAzPrinting(token: "secret-cli-token.y2")
        tokens.append(try await chain(logger: log.logger).accessToken())

        let explicit = chain(accessToken: "secret-explicit-token.z3", logger: log.logger)
        tokens.append(try await explicit.accessToken())
        await explicit.invalidate()
        do { _ = try await explicit.accessToken() } catch { errors.append("\(error)") }

        #expect(errors.count == 5 && tokens.count == 5)
        #expect(errors[0...3].allSatisfy { $0.contains("<redacted>") }, "\(errors)")
        #expect(errors[3].contains("header <redacted> refused"), "\(errors[3])")
        let logged = log.text
        for line in ["Azure credentials from service principal \(Self.client) in tenant \(Self.tenant) (AZURE_CLIENT_SECRET)",
                     "Azure credentials from the managed identity at http://169.254.169.254/metadata/identity/oauth2/token",
                     "Azure credentials from az account get-access-token", "Azure credentials from the provider's accessToken setting"] {
            #expect(logged.contains(line), "\(logged)")
        }
        // Logged once per change of source, not at every refresh.
        #expect(logged.components(separatedBy: "Azure credentials from service principal").count == 2)
        let secrets = tokens + [Self.clientSecret, Self.settingSecret, Self.assertion, Self.identityHeader,
                                URLEncoding.percentEncode(Self.clientSecret), URLEncoding.percentEncode(Self.settingSecret)]
        for secret in secrets {
            #expect(!logged.contains(secret), "the log shows \(secret)")
            for error in errors { #expect(!error.contains(secret), "an error shows \(secret): \(error)") }
        }
    }

    @Test func printingSourcesAndTokensNeverShowsTheSecrets() throws {
        let sources: [AzureCredentialSource] = [
            .accessTokenSetting, .clientSecretSetting(tenantID: Self.tenant, clientID: Self.client),
            .environmentClientSecret(tenantID: Self.tenant, clientID: Self.client),
            .workloadIdentity(tenantID: Self.tenant, clientID: Self.client, tokenFile: "/var/run/secrets/azure/tokens/azure-identity-token"),
            .managedIdentity(endpoint: "IDENTITY_ENDPOINT http://127.0.0.1:41234/msi/token", clientID: Self.identityClient), .azureCLI,
        ]
        #expect(sources.map(\.description) == [
            "the provider's accessToken setting",
            "service principal \(Self.client) in tenant \(Self.tenant) (the provider's clientSecret setting)",
            "service principal \(Self.client) in tenant \(Self.tenant) (AZURE_CLIENT_SECRET)",
            "workload identity \(Self.client) in tenant \(Self.tenant) (token file /var/run/secrets/azure/tokens/azure-identity-token)",
            "user-assigned managed identity \(Self.identityClient) at IDENTITY_ENDPOINT http://127.0.0.1:41234/msi/token",
            "az account get-access-token",
        ])
        let token = AzureAccessToken(value: "printed-token.abc", expiresIn: .seconds(10))
        for text in ["\(token)", String(reflecting: token)] {
            #expect(!text.contains("printed-token.abc"), "\(text)")
        }
    }
}

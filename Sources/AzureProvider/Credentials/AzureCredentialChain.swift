import CloudCore
import Diagnostics
import Foundation

/// Finds Microsoft Entra credentials for Azure Resource Manager as the Azure SDKs'
/// `DefaultAzureCredential` does, in this order, and keeps the access token fresh: refreshed
/// once, five minutes before it expires, however many calls ask at the same time.
///
/// 1. The provider's `accessToken` setting: used as given (no expiry known); once the cloud
///    rejected it (`invalidate()`), asking again is an error, since it cannot be renewed.
/// 2. A service principal's client secret: the `clientSecret` setting, else
///    `AZURE_CLIENT_SECRET`, traded in a client-credentials grant at the authority's token
///    endpoint. Tenant and client: the `tenantId` and `clientId` settings, else
///    `AZURE_TENANT_ID` and `AZURE_CLIENT_ID` (a `clientSecret` setting without them is an
///    error; the variable without them is skipped, as the SDKs do).
/// 3. Workload identity: `AZURE_FEDERATED_TOKEN_FILE`'s token (read again at every refresh,
///    since the platform renews it) as a client assertion, tenant and client as in 2.
/// 4. A managed identity: App Service's `IDENTITY_ENDPOINT`, else the instance metadata
///    service (skipped when not reachable or no identity is assigned); `AZURE_CLIENT_ID` picks
///    a user-assigned one.
/// 5. `az account get-access-token`, when `az` is on `PATH` (`--tenant` when one is configured).
///
/// The authority is the `authorityHost` setting, else `AZURE_AUTHORITY_HOST`, else
/// `https://login.microsoftonline.com`: https, or plain http to loopback addresses only.
/// Which source was used is logged once per change; tokens, client secrets, assertions and
/// the managed identity header never are, nor are they put in errors.
public actor AzureCredentialChain: AzureAccessTokenSource {
    /// A token found, how long to keep it, and where it came from.
    struct Resolved: Sendable {
        var token: String
        /// nil: until invalidated.
        var lifetime: Duration?
        var source: AzureCredentialSource
    }

    /// A configured value and where it came from (a setting or a variable), for messages.
    struct Configured: Sendable, Equatable {
        var value: String
        var origin: String
    }

    /// Azure Resource Manager, for every subscription the credentials may use.
    public static let resourceManagerScope = "https://management.azure.com/.default"
    /// How long a token of unknown lifetime is kept: the refresh margin plus five minutes, so
    /// it is used for five minutes.
    static let unknownLifetime = Duration.seconds(600)
    static let refreshMargin = Duration.seconds(300)

    private let explicitToken: String?
    private let tenantSetting: String?
    private let clientIDSetting: String?
    private let clientSecretSetting: String?
    private let authorityHostSetting: String?
    /// The OAuth scope tokens are asked for (`https://management.azure.com/.default`).
    public nonisolated let scope: String
    private let environment: [String: String]
    private let tokenEndpoint: AzureTokenEndpoint
    private let managedIdentity: AzureManagedIdentity
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let cache = ExpiringValue<AzureBearerToken>(refreshMargin: AzureCredentialChain.refreshMargin)
    private var lastSource: AzureCredentialSource?
    /// The cloud rejected the explicit token: asking for it again is an error.
    private var explicitTokenRejected = false

    /// - Parameters:
    ///   - accessToken: the provider's `accessToken` setting.
    ///   - tenantID: the provider's `tenantId` setting.
    ///   - clientID: the provider's `clientId` setting.
    ///   - clientSecret: the provider's `clientSecret` setting.
    ///   - authorityHost: the provider's `authorityHost` setting.
    ///   - scope: what tokens are for; Azure Resource Manager unless said otherwise.
    ///   - environment: the process environment (`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
    ///     `AZURE_CLIENT_SECRET`, `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST`,
    ///     `IDENTITY_ENDPOINT`, `IDENTITY_HEADER`, `PATH`, `HOME` …).
    ///   - transport: how token requests go out.
    ///   - metadataTransport: how the managed identity endpoint is asked; give it a short
    ///     timeout (the default gives up after 2 s), since off Azure nothing answers.
    public init(accessToken: String?, tenantID: String?, clientID: String?, clientSecret: String?, authorityHost: String?,
                scope: String = AzureCredentialChain.resourceManagerScope, environment: [String: String],
                transport: any HTTPTransport = CurlTransport(),
                metadataTransport: any HTTPTransport = CurlTransport(requestTimeout: 2), logger: Logger) {
        self.init(accessToken: accessToken, tenantID: tenantID, clientID: clientID, clientSecret: clientSecret,
                  authorityHost: authorityHost, scope: scope, environment: environment, transport: transport,
                  metadataTransport: metadataTransport, logger: logger, retry: RetryPolicy(), now: { Date() })
    }

    /// As the public initializer, with the retry policy and the clock expiry times are read by.
    init(accessToken: String?, tenantID: String?, clientID: String?, clientSecret: String?, authorityHost: String?,
         scope: String, environment: [String: String], transport: any HTTPTransport, metadataTransport: any HTTPTransport,
         logger: Logger, retry: RetryPolicy, now: @escaping @Sendable () -> Date) {
        self.explicitToken = accessToken
        self.tenantSetting = tenantID
        self.clientIDSetting = clientID
        self.clientSecretSetting = clientSecret
        self.authorityHostSetting = authorityHost
        self.scope = scope
        self.environment = environment
        self.tokenEndpoint = AzureTokenEndpoint(transport: transport, retry: retry, logger: logger, now: now)
        self.managedIdentity = AzureManagedIdentity(transport: metadataTransport, environment: environment, retry: retry,
                                                    logger: logger, now: now)
        self.logger = logger
        self.now = now
    }

    /// The access token to send the next request with (`Authorization: Bearer …`).
    /// - Throws: `CloudProviderError.unauthenticated` when no source gives one (saying what
    ///   was tried and how to fix it) or the one found is refused; `invalidRequest` when the
    ///   `authorityHost` or tenant is unusable; `throttled` or `providerError` when the token
    ///   endpoint stays unavailable.
    public func accessToken() async throws -> String {
        try await token().value
    }

    /// The token and when it expires (nil when the source did not say), for `ExecCredential`s.
    func token() async throws -> AzureBearerToken {
        try await cache.value { [self] in
            let resolved = try await resolve()
            await noteSource(resolved.source)
            let expiry = resolved.lifetime.map { now().addingTimeInterval(Double($0.components.seconds)) }
            return (AzureBearerToken(value: resolved.token, expiresAt: expiry), resolved.lifetime)
        }
    }

    /// Forgets the cached token (after ARM answered 401), so the next call gets a new one. A
    /// token given as is cannot be renewed: the next call then fails saying so.
    func invalidate() async {
        if let lastSource, lastSource.isExplicitToken {
            explicitTokenRejected = true
        }
        await cache.invalidate()
    }

    /// The source of the token last resolved.
    public var source: AzureCredentialSource? { lastSource }

    /// The tenant the credentials belong to, when configured: the `tenantId` setting, else
    /// `AZURE_TENANT_ID`.
    public nonisolated var tenantID: String? { tenant?.value }

    /// What ARM's managed identity endpoints and the Azure CLI call the scope: the scope
    /// without `.default` (`https://management.azure.com/`).
    nonisolated var resource: String {
        scope.hasSuffix("/.default") ? String(scope.dropLast(".default".count)) : scope
    }

    private func noteSource(_ source: AzureCredentialSource) {
        if source != lastSource { logger.info("Azure credentials from \(source)") }
        lastSource = source
    }

    // MARK: - Resolution

    /// Goes through the sources in order and returns the first token found.
    func resolve() async throws -> Resolved {
        var tried: [String] = []
        if let token = nonEmpty(explicitToken) {
            guard !explicitTokenRejected else {
                throw CloudProviderError.unauthenticated(reason: """
                    Azure rejected the provider's configured accessToken (expired or revoked); a token given as is cannot be \
                    renewed: set a new one with configureProvider, or remove the setting to use a service principal, \
                    a managed identity or the Azure CLI
                    """)
            }
            return Resolved(token: token, lifetime: nil, source: .accessTokenSetting)
        }
        tried.append("the provider's accessToken setting (not set)")

        if let secret = nonEmpty(clientSecretSetting) {
            guard let tenant else {
                throw CloudProviderError.invalidRequest(field: "tenantId", reason: "is needed with the clientSecret setting: set it, or AZURE_TENANT_ID")
            }
            guard let client else {
                throw CloudProviderError.invalidRequest(field: "clientId", reason: "is needed with the clientSecret setting: set it, or AZURE_CLIENT_ID")
            }
            return try await clientSecretGrant(tenant: tenant, client: client, secret: secret,
                                               source: .clientSecretSetting(tenantID: tenant.value, clientID: client.value))
        }
        if let secret = nonEmpty(environment["AZURE_CLIENT_SECRET"]) {
            if let tenant, let client {
                return try await clientSecretGrant(tenant: tenant, client: client, secret: secret,
                                                   source: .environmentClientSecret(tenantID: tenant.value, clientID: client.value))
            }
            tried.append("AZURE_CLIENT_SECRET (set, but \(missingIdentity) not)")
        } else {
            var step = "a service principal's client secret (neither the provider's clientSecret setting nor AZURE_CLIENT_SECRET is set)"
            if nonEmpty(environment["AZURE_CLIENT_CERTIFICATE_PATH"]) != nil {
                step += "; AZURE_CLIENT_CERTIFICATE_PATH is set, but certificates are not supported yet"
            }
            tried.append(step)
        }

        if let file = nonEmpty(environment["AZURE_FEDERATED_TOKEN_FILE"]) {
            if let tenant, let client {
                return try await workloadIdentityGrant(tenant: tenant, client: client, tokenFile: file)
            }
            tried.append("workload identity with AZURE_FEDERATED_TOKEN_FILE (set, but \(missingIdentity) not)")
        } else {
            tried.append("workload identity (AZURE_FEDERATED_TOKEN_FILE is not set)")
        }

        let identityClient = nonEmpty(environment["AZURE_CLIENT_ID"])
        switch try await managedIdentity.accessToken(resource: resource, clientID: identityClient) {
        case .token(let token):
            return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime,
                            source: .managedIdentity(endpoint: managedIdentity.location, clientID: identityClient))
        case .unavailable(let why):
            logger.debug("Azure credentials: managed identity at \(managedIdentity.location): \(why)")
            tried.append("a managed identity at \(managedIdentity.location) (\(why))")
        }

        let cliStep = "`az account get-access-token`"
        if let az = AzureCLICommand.locate(path: environment["PATH"]) {
            do {
                let token = try await AzureCLICommand.getAccessToken(executable: az, resource: resource, tenant: tenant?.value,
                                                                     environment: environment, now: now)
                return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime, source: .azureCLI)
            } catch let failure as AzureCLICommand.Failure {
                logger.debug("Azure credentials: \(cliStep): \(failure)")
                tried.append("\(cliStep) (\(failure))")
            }
        } else {
            tried.append("\(cliStep) (az is not on PATH)")
        }

        throw CloudProviderError.unauthenticated(reason: """
            no Azure credentials found; tried, in order: \
            \(tried.enumerated().map { "\($0.offset + 1)) \($0.element)" }.joined(separator: "; ")). \
            To fix: set the provider's tenantId, clientId and clientSecret settings (or AZURE_TENANT_ID, AZURE_CLIENT_ID \
            and AZURE_CLIENT_SECRET) for a service principal, set the accessToken setting, run on Azure with a managed \
            identity, or run `az login`
            """)
    }

    /// A service principal's client secret traded in a client-credentials grant.
    private func clientSecretGrant(tenant: Configured, client: Configured, secret: String,
                                   source: AzureCredentialSource) async throws -> Resolved {
        let url = try tokenURL(tenant: tenant)
        let token = try await tokenEndpoint.requestToken(
            url: url,
            form: [("grant_type", AzureTokenEndpoint.clientCredentialsGrant), ("client_id", client.value),
                   ("client_secret", secret), ("scope", scope)],
            subject: source.description, secrets: [secret],
            hint: "check that the client secret is the secret's value (not its id) and has not expired, and that "
                + "\(client.origin) and \(tenant.origin) name the app registration and its tenant")
        return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime, source: source)
    }

    /// The platform's federated token (Kubernetes service account token) traded as a client
    /// assertion. The file is read at every refresh: the platform renews it.
    private func workloadIdentityGrant(tenant: Configured, client: Configured, tokenFile: String) async throws -> Resolved {
        let source = AzureCredentialSource.workloadIdentity(tenantID: tenant.value, clientID: client.value, tokenFile: tokenFile)
        let name = "the federated token file \(tokenFile) (AZURE_FEDERATED_TOKEN_FILE)"
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(tokenFile)
        } catch {
            throw CloudProviderError.unauthenticated(reason: "cannot read \(name): \(String(cString: strerror(error.errorNumber)))")
        }
        guard let bytes else { throw CloudProviderError.unauthenticated(reason: "\(name) does not exist") }
        let assertion = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !assertion.isEmpty else { throw CloudProviderError.unauthenticated(reason: "\(name) is empty") }
        let url = try tokenURL(tenant: tenant)
        let token = try await tokenEndpoint.requestToken(
            url: url,
            form: [("grant_type", AzureTokenEndpoint.clientCredentialsGrant), ("client_id", client.value),
                   ("client_assertion_type", AzureTokenEndpoint.jwtBearerAssertionType), ("client_assertion", assertion),
                   ("scope", scope)],
            subject: source.description, secrets: [assertion],
            hint: "check that the app registration (\(client.origin)) has a federated credential whose issuer and subject "
                + "match the token in AZURE_FEDERATED_TOKEN_FILE")
        return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime, source: source)
    }

    private func tokenURL(tenant: Configured) throws(CloudProviderError) -> URL {
        let authority = try AzureTokenEndpoint.authority(setting: authorityHostSetting, environment: environment)
        try AzureTokenEndpoint.checkTenant(tenant.value, origin: tenant.origin)
        return AzureTokenEndpoint.tokenURL(authority: authority, tenant: tenant.value)
    }

    /// The tenant: the `tenantId` setting, else `AZURE_TENANT_ID`.
    private nonisolated var tenant: Configured? {
        configured(tenantSetting, setting: "the tenantId setting", variable: "AZURE_TENANT_ID")
    }

    /// The service principal's client id: the `clientId` setting, else `AZURE_CLIENT_ID`.
    private nonisolated var client: Configured? {
        configured(clientIDSetting, setting: "the clientId setting", variable: "AZURE_CLIENT_ID")
    }

    /// What a service principal or workload identity lacks, for the "what was tried" message.
    private nonisolated var missingIdentity: String {
        [tenant == nil ? "tenantId/AZURE_TENANT_ID" : nil, client == nil ? "clientId/AZURE_CLIENT_ID" : nil]
            .compactMap { $0 }.joined(separator: " and ")
    }

    private nonisolated func configured(_ setting: String?, setting settingName: String, variable: String) -> Configured? {
        if let value = nonEmpty(setting) { return Configured(value: value, origin: settingName) }
        if let value = nonEmpty(environment[variable]) { return Configured(value: value, origin: variable) }
        return nil
    }

    private nonisolated func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}

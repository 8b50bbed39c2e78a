import CloudCore
import Diagnostics
import Foundation

/// Finds Google Cloud credentials as Application Default Credentials do, in this order, and
/// keeps the access token fresh: refreshed once, five minutes before it expires, however many
/// calls ask at the same time.
///
/// 1. The provider's `accessToken` setting, then 2. `GOOGLE_OAUTH_ACCESS_TOKEN`: used as given
///    (no expiry known); once the cloud rejected one (`invalidate()`), asking again is an error,
///    since it cannot be refreshed.
/// 3. The credentials file: the `credentialsFile` setting, else `GOOGLE_APPLICATION_CREDENTIALS`
///    (either must exist), else gcloud's `application_default_credentials.json` in
///    `$CLOUDSDK_CONFIG` or `~/.config/gcloud` (skipped when absent). `authorized_user` files
///    trade their refresh token, `service_account` files a signed JWT, at the token endpoint.
/// 4. The GCE metadata server's default service account (skipped when not reachable).
/// 5. `gcloud auth print-access-token`, when gcloud is on `PATH` (reused for five minutes).
///
/// Which source was used is logged once per change; tokens, refresh tokens, client secrets,
/// private keys and assertions never are, nor are they put in errors.
public actor GCPCredentialChain: GCPAccessTokenSource {
    /// A token found, how long to keep it, and where it came from.
    struct Resolved: Sendable {
        var token: String
        /// nil: until invalidated.
        var lifetime: Duration?
        var source: GCPCredentialSource
    }

    /// Where the credentials file is looked for, and whether it must be there.
    struct FileLocation: Sendable, Equatable {
        var path: String
        /// Where the path came from, for messages.
        var origin: String
        /// Named by a setting or variable (so missing is an error), not gcloud's default.
        var named: Bool
    }

    /// How long a token of unknown lifetime is kept: the refresh margin plus five minutes, so
    /// it is used for five minutes.
    static let unknownLifetime = Duration.seconds(600)
    static let refreshMargin = Duration.seconds(300)
    static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    private let explicitToken: String?
    private let credentialsFile: String?
    private let environment: [String: String]
    private let tokenEndpoint: GCPTokenEndpoint
    private let metadata: GCPMetadataServer
    private let signer: RS256Signer
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let cache = ExpiringValue<GCPBearerToken>(refreshMargin: GCPCredentialChain.refreshMargin)
    private var lastSource: GCPCredentialSource?
    /// Explicit tokens the cloud rejected: asking for them again is an error.
    private var rejected: Set<GCPCredentialSource> = []
    private var discoveredProject: String?
    private let quotaProjectSetting: String?
    /// The quota project once looked up (`.some(nil)`: there is none).
    private var foundQuotaProject: String??

    /// - Parameters:
    ///   - accessToken: the provider's `accessToken` setting.
    ///   - credentialsFile: the provider's `credentialsFile` setting.
    ///   - environment: the process environment (`GOOGLE_APPLICATION_CREDENTIALS`, `HOME`,
    ///     `CLOUDSDK_CONFIG`, `GCE_METADATA_HOST`, `PATH` …).
    ///   - transport: how token requests go out.
    ///   - metadataTransport: how the metadata server is asked; give it a short timeout (~2 s).
    ///   - signer: RS256 with a service account's private key.
    ///   - quotaProject: the provider's `quotaProject` setting.
    public init(accessToken: String?, credentialsFile: String?, environment: [String: String],
                transport: any HTTPTransport, metadataTransport: any HTTPTransport,
                signer: @escaping RS256Signer, logger: Logger, quotaProject: String? = nil) {
        self.init(accessToken: accessToken, credentialsFile: credentialsFile, environment: environment, transport: transport,
                  metadataTransport: metadataTransport, signer: signer, logger: logger, retry: RetryPolicy(), now: { Date() },
                  quotaProject: quotaProject)
    }

    /// As the public initializer, with the retry policy and the clock JWTs are dated by.
    init(accessToken: String?, credentialsFile: String?, environment: [String: String],
         transport: any HTTPTransport, metadataTransport: any HTTPTransport,
         signer: @escaping RS256Signer, logger: Logger, retry: RetryPolicy, now: @escaping @Sendable () -> Date,
         quotaProject: String? = nil) {
        self.explicitToken = accessToken
        self.quotaProjectSetting = quotaProject
        self.credentialsFile = credentialsFile
        self.environment = environment
        self.tokenEndpoint = GCPTokenEndpoint(transport: transport, retry: retry, logger: logger)
        self.metadata = GCPMetadataServer(transport: metadataTransport, environment: environment, retry: retry, logger: logger)
        self.signer = signer
        self.logger = logger
        self.now = now
    }

    /// The access token to send the next request with (`Authorization: Bearer …`).
    /// - Throws: `CloudProviderError.unauthenticated` when no source gives one (saying what
    ///   was tried and how to fix it) or the one found is refused; `throttled` or
    ///   `providerError` when the token endpoint stays unavailable.
    public func accessToken() async throws -> String {
        try await token().value
    }

    /// The token and when it expires (nil when the source did not say), for `ExecCredential`s.
    func token() async throws -> GCPBearerToken {
        try await cache.value { [self] in
            let resolved = try await resolve()
            await noteSource(resolved.source)
            // An explicit token says nothing of its expiry: keep it until the cloud refuses it.
            let expiry = resolved.source.isExplicitToken ? nil : resolved.lifetime.map { now().addingTimeInterval(Double($0.components.seconds)) }
            return (GCPBearerToken(value: resolved.token, expiresAt: expiry), resolved.lifetime)
        }
    }

    /// Forgets the cached token (after the cloud answered 401), so the next call gets a new
    /// one. A token given as is (setting or environment) cannot be renewed: the next call
    /// then fails saying so.
    func invalidate() async {
        if let lastSource, lastSource.isExplicitToken {
            rejected.insert(lastSource)
        }
        await cache.invalidate()
    }

    /// The source of the token last resolved.
    public var source: GCPCredentialSource? { lastSource }

    /// The project to use when the provider names none: `GOOGLE_CLOUD_PROJECT` (or the older
    /// `GCLOUD_PROJECT`), else the credentials file's `project_id` (service account) or
    /// `quota_project_id` (user), else the metadata server's project. nil when none knows one.
    public func defaultProject() async -> String? {
        if let discoveredProject { return discoveredProject }
        var found = nonEmpty(environment["GOOGLE_CLOUD_PROJECT"]) ?? nonEmpty(environment["GCLOUD_PROJECT"])
        if found == nil, let location = credentialsFileLocation(),
           let file = try? GCPCredentialsFile.load(path: location.path, origin: location.origin) {
            found = file.projectID
        }
        if found == nil, let fromMetadata = try? await metadata.project() {
            found = fromMetadata
        }
        if let found {
            logger.debug("GCP default project \(found)")
            discoveredProject = found
        }
        return found
    }

    /// The project that quota and billing of API calls go to (`x-goog-user-project`): the
    /// provider's `quotaProject` setting, else `GOOGLE_CLOUD_QUOTA_PROJECT`, else the
    /// credentials file's `quota_project_id`. nil when none says (the credentials' own
    /// project is charged).
    public func quotaProject() async -> String? {
        if let foundQuotaProject { return foundQuotaProject }
        var found = nonEmpty(quotaProjectSetting) ?? nonEmpty(environment["GOOGLE_CLOUD_QUOTA_PROJECT"])
        if found == nil, let location = credentialsFileLocation(),
           case .authorizedUser(let user)? = try? GCPCredentialsFile.load(path: location.path, origin: location.origin) {
            found = user.quotaProjectID
        }
        if let found { logger.debug("GCP quota project \(found)") }
        foundQuotaProject = .some(found)
        return found
    }

    private func noteSource(_ source: GCPCredentialSource) {
        if source != lastSource { logger.info("GCP credentials from \(source)") }
        lastSource = source
    }

    // MARK: - Resolution

    /// Goes through the sources in order and returns the first token found.
    func resolve() async throws -> Resolved {
        var tried: [String] = []
        if let token = nonEmpty(explicitToken?.trimmingCharacters(in: .whitespacesAndNewlines)) {
            try checkNotRejected(.accessTokenSetting)
            return Resolved(token: token, lifetime: nil, source: .accessTokenSetting)
        }
        tried.append("the provider's accessToken setting (not set)")
        if let token = nonEmpty(environment["GOOGLE_OAUTH_ACCESS_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines)) {
            try checkNotRejected(.environmentAccessToken)
            return Resolved(token: token, lifetime: nil, source: .environmentAccessToken)
        }
        tried.append("GOOGLE_OAUTH_ACCESS_TOKEN (not set)")

        let location = credentialsFileLocation()
        if location?.named != true {
            tried.append("the provider's credentialsFile setting and GOOGLE_APPLICATION_CREDENTIALS (neither set)")
        }
        if let location {
            if let file = try GCPCredentialsFile.load(path: location.path, origin: location.origin) {
                return try await resolve(file, path: location.path)
            }
            if location.named {
                throw CloudProviderError.unauthenticated(reason: "the credentials file \(location.path) (\(location.origin)) does not exist")
            }
            tried.append("\(location.origin) \(location.path) (no such file)")
        } else {
            tried.append("gcloud's application default credentials (neither CLOUDSDK_CONFIG nor HOME is set)")
        }

        switch try await metadata.accessToken() {
        case .token(let token):
            return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime,
                            source: .metadataServer(host: metadata.host))
        case .unavailable(let why):
            logger.debug("GCP credentials: metadata server \(metadata.host): \(why)")
            tried.append("the GCE metadata server at \(metadata.host) (\(why))")
        }

        let gcloudStep = "`gcloud " + GCloudCommand.arguments.joined(separator: " ") + "`"
        if let gcloud = GCloudCommand.locate(path: environment["PATH"]) {
            do {
                let token = try await GCloudCommand.printAccessToken(executable: gcloud, environment: environment)
                return Resolved(token: token, lifetime: Self.unknownLifetime, source: .gcloud)
            } catch let failure as GCloudCommand.Failure {
                logger.debug("GCP credentials: \(gcloudStep): \(failure)")
                tried.append("\(gcloudStep) (\(failure))")
            }
        } else {
            tried.append("\(gcloudStep) (gcloud is not on PATH)")
        }

        throw CloudProviderError.unauthenticated(reason: """
            no GCP credentials found; tried, in order: \
            \(tried.enumerated().map { "\($0.offset + 1)) \($0.element)" }.joined(separator: "; ")). \
            To fix: set the provider's accessToken or credentialsFile setting, set GOOGLE_APPLICATION_CREDENTIALS \
            to a service account key file, or run `gcloud auth application-default login`
            """)
    }

    /// A token from a credentials file: the refresh token or a signed JWT traded at the token endpoint.
    private func resolve(_ file: GCPCredentialsFile, path: String) async throws -> Resolved {
        switch file {
        case .authorizedUser(let user):
            let source = GCPCredentialSource.authorizedUser(file: path)
            let token = try await tokenEndpoint.requestToken(
                url: user.tokenURI,
                form: [("grant_type", "refresh_token"), ("client_id", user.clientID), ("client_secret", user.clientSecret),
                       ("refresh_token", user.refreshToken)],
                subject: source.description, secrets: file.secrets,
                hint: "run `gcloud auth application-default login` again for new user credentials")
            return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime, source: source)
        case .serviceAccount(let account):
            let source = GCPCredentialSource.serviceAccount(email: account.clientEmail, file: path)
            let assertion: String
            do {
                assertion = try GCPServiceAccountJWT(account: account, issuedAt: now())
                    .assertion(privateKeyPEM: account.privateKeyPEM, signer: signer)
            } catch {
                let why = GCPRedaction.scrub(String(describing: error), removing: file.secrets)
                throw CloudProviderError.unauthenticated(reason: "cannot sign the token request of \(source) with its private_key: \(why)")
            }
            let token = try await tokenEndpoint.requestToken(
                url: account.tokenURI, form: [("grant_type", Self.jwtBearerGrant), ("assertion", assertion)],
                subject: source.description, secrets: file.secrets + [assertion],
                hint: "the key may have been deleted or disabled, or this machine's clock is wrong")
            return Resolved(token: token.value, lifetime: token.expiresIn ?? Self.unknownLifetime, source: source)
        }
    }

    private func checkNotRejected(_ source: GCPCredentialSource) throws(CloudProviderError) {
        guard rejected.contains(source) else { return }
        switch source {
        case .environmentAccessToken:
            throw .unauthenticated(reason: """
                Google rejected the access token in GOOGLE_OAUTH_ACCESS_TOKEN (expired or revoked); a token given as is \
                cannot be refreshed: set a new one and restart the agent, or unset it to use Application Default Credentials
                """)
        default:
            throw .unauthenticated(reason: """
                Google rejected the provider's configured accessToken (expired or revoked); a token given as is cannot be \
                refreshed: set a new one with configureProvider, or remove the setting to use Application Default Credentials
                """)
        }
    }

    /// The credentials file to read: the setting, else `GOOGLE_APPLICATION_CREDENTIALS`, else
    /// gcloud's default; nil when there is not even a home directory to look in.
    func credentialsFileLocation() -> FileLocation? {
        if let path = nonEmpty(credentialsFile) {
            return FileLocation(path: expandingHome(path), origin: "the provider's credentialsFile setting", named: true)
        }
        if let path = nonEmpty(environment["GOOGLE_APPLICATION_CREDENTIALS"]) {
            return FileLocation(path: expandingHome(path), origin: "GOOGLE_APPLICATION_CREDENTIALS", named: true)
        }
        let origin = "gcloud's application default credentials"
        if let directory = nonEmpty(environment["CLOUDSDK_CONFIG"]) {
            return FileLocation(path: "\(expandingHome(directory))/application_default_credentials.json", origin: origin, named: false)
        }
        if let home = nonEmpty(environment["HOME"]) {
            return FileLocation(path: "\(home)/.config/gcloud/application_default_credentials.json", origin: origin, named: false)
        }
        return nil
    }

    private func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~/"), let home = nonEmpty(environment["HOME"]) else { return path }
        return home + path.dropFirst()
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

import CloudCore

/// A token given outright (the `accessToken` setting or `GOOGLE_OAUTH_ACCESS_TOKEN`): used as
/// is; once Google refuses it, every call says so, since it cannot be refreshed.
actor GCPFixedTokenSource: GCPAccessTokenSource {
    private let value: String?
    private let origin: String
    private var refused = false

    init(token: String?, origin: String) {
        self.value = token
        self.origin = origin
    }

    func token() throws -> GCPBearerToken {
        guard let value else {
            throw CloudProviderError.unauthenticated(reason: "no Google credentials: set the provider's accessToken or GOOGLE_OAUTH_ACCESS_TOKEN")
        }
        if refused {
            throw CloudProviderError.unauthenticated(reason: "Google refused the access token from \(origin) (expired or revoked); configure a fresh one")
        }
        return GCPBearerToken(value: value, expiresAt: nil)
    }

    func invalidate() { refused = true }
}

/// Where a `gcp` provider's OAuth 2.0 access tokens come from: the credential chain in
/// production, a fixed token or a script in tests.
protocol GCPAccessTokenSource: Sendable {
    /// A token valid now (cached until shortly before it expires).
    func accessToken() async throws -> String
    /// Forgets the cached token, after Google answered 401 for it.
    func invalidate() async
}

import Foundation

/// An OAuth 2.0 access token and when it stops working (nil when nobody said).
struct GCPBearerToken: Sendable, Equatable {
    var value: String
    var expiresAt: Date?
}

/// Where a `gcp` provider's OAuth 2.0 access tokens come from: the credential chain in
/// production, a fixed token or a script in tests.
protocol GCPAccessTokenSource: Sendable {
    /// A token valid now (cached until shortly before it expires).
    func token() async throws -> GCPBearerToken
    /// Forgets the cached token, after Google answered 401 for it.
    func invalidate() async
    /// The project the credentials belong to, when they say (for providers without `project`).
    func defaultProject() async -> String?
    /// The project API calls are charged to, when not the credentials' own.
    func quotaProject() async -> String?
}

extension GCPAccessTokenSource {
    func defaultProject() async -> String? { nil }
    func quotaProject() async -> String? { nil }
}

import Foundation

/// A Microsoft Entra access token for Azure Resource Manager and when it stops working (nil
/// when nobody said).
struct AzureBearerToken: Sendable, Equatable {
    var value: String
    var expiresAt: Date?
}

/// Where an `azure` provider's ARM access tokens come from: the credential chain in
/// production, a fixed token or a script in tests.
protocol AzureAccessTokenSource: Sendable {
    /// A token valid now (cached until shortly before it expires).
    func token() async throws -> AzureBearerToken
    /// Forgets the cached token, after ARM answered 401 for it.
    func invalidate() async
}

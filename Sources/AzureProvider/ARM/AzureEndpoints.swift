import CloudCore
import Foundation

/// Where an `azure` provider reaches Azure Resource Manager: `https://management.azure.com`,
/// or the `endpointURL` setting (a sovereign cloud's ARM, or a loopback fake in tests), and
/// the api-version of each resource provider the agent calls.
struct AzureEndpoints: Sendable, Equatable {
    static let publicCloud = URL(string: "https://management.azure.com")!
    static let containerService = "2023-11-01"
    static let compute = "2023-09-01"
    static let network = "2023-09-01"

    var resourceManager: URL

    init(override: URL?) {
        resourceManager = override ?? Self.publicCloud
    }

    /// The OAuth scope of ARM tokens: the public cloud's for the public cloud and for loopback
    /// fakes, else the sovereign endpoint's own (`https://management.usgovcloudapi.net/.default`).
    var scope: String {
        guard resourceManager != Self.publicCloud, let host = resourceManager.host, !EndpointPolicy.isLoopback(host) else {
            return "https://management.azure.com/.default"
        }
        return "\(resourceManager.scheme ?? "https")://\(host)/.default"
    }

    /// `path` (segments already escaped) on ARM with `api-version` and the rest of the query.
    func url(_ path: String, apiVersion: String, query: [(String, String)] = []) -> URL {
        URLEncoding.url(resourceManager, path: path, query: [("api-version", apiVersion)] + query)
    }

    /// Whether `url` (a status URL or `nextLink` ARM answered) is on this ARM endpoint, so the
    /// bearer token may be sent to it.
    func owns(_ url: URL) -> Bool {
        url.scheme == resourceManager.scheme && url.host?.lowercased() == resourceManager.host?.lowercased()
            && (url.port ?? Self.defaultPort(url.scheme)) == (resourceManager.port ?? Self.defaultPort(resourceManager.scheme))
    }

    private static func defaultPort(_ scheme: String?) -> Int { scheme == "http" ? 80 : 443 }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func escape(_ text: String) -> String { URLEncoding.percentEncode(text) }
}

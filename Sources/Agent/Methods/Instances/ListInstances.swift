import CloudCore
import JSONRPC

/// `listInstances`: one page of the provider's instances, sorted by name (terminated ones
/// stay listed for a while, as on EC2), optionally only those with given tags or states.
enum ListInstances: RPCMethod {
    static let name = "listInstances"

    struct Params: AgentParams {
        var provider: String?
        var limit: Int?
        var pageToken: String?
        /// Only instances carrying every one of these tags with exactly this value.
        var tags: [String: String]?
        /// Only instances in one of these shared states.
        var states: [String]?
        /// Only this zone's instances.
        var zone: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, limit, pageToken, tags, states, zone }
    }

    struct Result: Codable, Sendable {
        var instances: [Instance]
        var nextPageToken: String?
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        let page = try WaitSettings.page(limit: params.limit, pageToken: params.pageToken)
        var states: Set<ResourceStatus> = []
        for raw in params.states ?? [] {
            guard let state = ResourceStatus(rawValue: raw), InstanceFilter.instanceStates.contains(state) else {
                throw RPCError.invalidParams(param: "states", reason: "'\(raw)' is not an instance state (use \(InstanceFilter.instanceStates.map(\.rawValue).joined(separator: ", ")))")
            }
            states.insert(state)
        }
        var filter = InstanceFilter(tags: params.tags ?? [:], states: states)
        filter.zone = params.zone
        let result = try await providers.provider(named: params.provider).listInstances(page, filter: filter)
        return Result(instances: result.items, nextPageToken: result.nextPageToken)
    }
}

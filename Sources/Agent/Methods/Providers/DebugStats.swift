import CloudCore
import JSONRPC

/// `debug.stats`: counters of each provider's waits (waits begun and active, poll loops,
/// polls); shows that concurrent waits on one resource share one poll loop.
enum DebugStats {
    static let name = "debug.stats"

    static func run(_ providers: ProviderRegistry) async throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (name, statistics) in await providers.statistics() {
            members[name] = try JSONValue(encoding: statistics)
        }
        return ["waits": .object(members)]
    }
}

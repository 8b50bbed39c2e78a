import CloudCore
import JSONRPC

/// `configureProvider`: adds or replaces a provider at run time. Params are one flat entry of
/// the config file's `providers` array: `{"name", "kind", "region", ...settings}`.
enum ConfigureProvider {
    static let name = "configureProvider"

    static func run(_ params: JSONValue?, _ providers: ProviderRegistry) async throws -> JSONValue {
        let configuration: ProviderConfiguration
        do {
            configuration = try ProviderEntryParser.parse(params ?? .object([:]), ignoring: ["progressToken", "_meta"])
        } catch let problem {
            throw RPCError.invalidParams(param: problem.field.isEmpty ? nil : problem.field, reason: problem.reason)
        }
        return await providers.configure(configuration)
    }
}

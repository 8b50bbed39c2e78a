import JSONRPC

/// `listProviders`: the configured providers, secrets redacted.
enum ListProviders: RPCMethod {
    static let name = "listProviders"
    typealias Params = NoParams
    typealias Result = JSONValue

    static func run(_ providers: ProviderRegistry) async -> JSONValue {
        ["providers": .array(await providers.descriptions()), "defaultProvider": .string(providers.defaultProvider)]
    }
}

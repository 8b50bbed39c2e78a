import CloudCore
import JSONRPC

/// The power actions on an instance (`startInstance`, `stopInstance`, `terminateInstance`):
/// one params shape, each returning the instance's last known state, idempotent when the
/// instance is already where the action leads.
enum InstanceAction {
    struct Params: AgentParams {
        var provider: String?
        var id: String
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, id, wait, timeoutSeconds }
    }

    static func checkID(_ id: String) throws(RPCError) {
        guard !id.isEmpty, id.count <= 255, !id.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw RPCError.invalidParams(param: "id", reason: "must be an instance id as returned by createInstance or listInstances")
        }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry, verb: String, target: WaitTarget,
                    action: @escaping @Sendable (any CloudProvider, String) async throws -> Instance) async throws -> Instance {
        try await run(provider: params.provider, id: params.id, wait: params.wait, timeoutSeconds: params.timeoutSeconds, context, providers,
                      verb: verb, target: target, action: action)
    }

    static func run(provider providerName: String?, id: String, wait: Bool?, timeoutSeconds: Double?, _ context: RequestContext,
                    _ providers: ProviderRegistry, verb: String, target: WaitTarget,
                    action: @escaping @Sendable (any CloudProvider, String) async throws -> Instance) async throws -> Instance {
        try checkID(id)
        let timeout = try WaitSettings.forMutation(wait: wait, timeoutSeconds: timeoutSeconds, defaultSeconds: WaitSettings.instanceTimeout)
        let provider = try await providers.provider(named: providerName)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "\(verb) instance \(id)") {
            try await action(provider, id)
        } waitFor: { instance, options in
            try await provider.waitInstance(id: instance.id, until: target, lastKnown: instance, options: options)
        }
    }
}

/// `startInstance`: starts a stopped instance.
enum StartInstance: RPCMethod {
    static let name = "startInstance"
    typealias Params = InstanceAction.Params
    typealias Result = Instance

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try await InstanceAction.run(params, context, providers, verb: "starting", target: .ready) { try await $0.startInstance(id: $1) }
    }
}

/// `stopInstance`: stops a running instance (and, with `deallocate`, releases its compute on
/// clouds that keep a stopped VM allocated).
enum StopInstance: RPCMethod {
    static let name = "stopInstance"
    typealias Result = Instance

    struct Params: AgentParams {
        var provider: String?
        var id: String
        var deallocate: Bool?
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, id, deallocate, wait, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        let deallocate = params.deallocate
        return try await InstanceAction.run(provider: params.provider, id: params.id, wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                            context, providers, verb: "stopping", target: .stopped) {
            try await $0.stopInstance(id: $1, deallocate: deallocate)
        }
    }
}

/// `terminateInstance`: terminates (deletes) an instance.
enum TerminateInstance: RPCMethod {
    static let name = "terminateInstance"
    typealias Params = InstanceAction.Params
    typealias Result = Instance

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try await InstanceAction.run(params, context, providers, verb: "terminating", target: .deleted) { try await $0.terminateInstance(id: $1) }
    }
}

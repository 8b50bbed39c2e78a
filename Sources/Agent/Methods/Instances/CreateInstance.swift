import CloudCore
import JSONRPC

/// `createInstance`: launches a virtual machine.
enum CreateInstance: RPCMethod {
    static let name = "createInstance"
    typealias Result = Instance

    struct Params: AgentParams {
        var provider: String?
        var name: String
        var image: String?
        var instanceType: String?
        var zone: String?
        var subnet: String?
        var sshPublicKey: String?
        var userData: String?
        var tags: [String: String]?
        var securityGroups: [String]?
        var keyName: String?
        var clientToken: String?
        var diskSizeGb: Int?
        var publicIP: Bool?
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case provider, name, image, instanceType, zone, subnet, sshPublicKey, userData, tags, securityGroups, keyName, clientToken
            case diskSizeGb, publicIP, wait, timeoutSeconds
        }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        var request = CreateInstanceRequest(name: params.name, image: params.image, instanceType: params.instanceType,
                                            zone: params.zone, subnet: params.subnet, sshPublicKey: params.sshPublicKey,
                                            userData: params.userData, tags: params.tags ?? [:])
        request.securityGroups = params.securityGroups ?? []
        request.keyName = params.keyName
        request.clientToken = params.clientToken
        request.diskSizeGb = params.diskSizeGb
        request.publicIP = params.publicIP
        try request.validate()
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.instanceTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "creating instance \(params.name)") {
            try await provider.createInstance(request)
        } waitFor: { instance, options in
            try await provider.waitInstance(id: instance.id, until: .ready, lastKnown: instance, options: options)
        }
    }
}

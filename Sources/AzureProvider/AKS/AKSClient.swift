import CloudCore
import Foundation

/// The AKS (`Microsoft.ContainerService`, api-version 2023-11-01) calls the agent uses, one
/// function each, in one subscription.
struct AKSClient: Sendable {
    let client: ARMClient
    let subscription: String

    private var apiVersion: String { AzureEndpoints.containerService }
    private static func e(_ text: String) -> String { AzureEndpoints.escape(text) }

    private func clusters(_ resourceGroup: String) -> String {
        "/subscriptions/\(Self.e(subscription))/resourceGroups/\(Self.e(resourceGroup))/providers/Microsoft.ContainerService/managedClusters"
    }
    private func cluster(_ resourceGroup: String, _ name: String) -> String { "\(clusters(resourceGroup))/\(Self.e(name))" }
    private static func subject(_ name: String) -> ARMClient.Subject { .init(resourceType: "cluster", name: name) }
    private static func pool(_ cluster: String, _ name: String) -> ARMClient.Subject { .init(resourceType: "node pool", name: "\(cluster)/\(name)") }

    // MARK: Clusters

    func get(resourceGroup: String, _ name: String) async throws -> AKSManagedCluster {
        try await client.send("GET", cluster(resourceGroup, name), apiVersion: apiVersion, subject: Self.subject(name)).value
    }

    /// The cluster as ARM's raw JSON, for changing a member and sending the rest back as it was.
    func getRaw(resourceGroup: String, _ name: String) async throws -> [String: Any] {
        let response = try await client.exchange("GET", client.endpoints.url(cluster(resourceGroup, name), apiVersion: apiVersion), body: [],
                                                 subject: Self.subject(name))
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw CloudProviderError.providerError(ProviderFailure(httpStatus: response.status, code: "MalformedResponse",
                                                                   message: "Azure answered GET cluster '\(name)' with a body that is not a JSON object"))
        }
        return object
    }

    /// Creates or updates (PUT is both on ARM).
    func put(resourceGroup: String, _ name: String, _ body: AKSManagedCluster) async throws -> ARMClient.Answer<AKSManagedCluster> {
        try await client.send("PUT", cluster(resourceGroup, name), apiVersion: apiVersion, body: body, subject: Self.subject(name))
    }

    /// PUTs raw JSON (from `getRaw`, changed); answers the operation it started.
    func putRaw(resourceGroup: String, _ name: String, _ object: [String: Any]) async throws -> ARMOperationReference? {
        let bytes = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        let response = try await client.sendRaw("PUT", cluster(resourceGroup, name), apiVersion: apiVersion, body: bytes, subject: Self.subject(name))
        return ARMOperationReference(response, endpoints: client.endpoints)
    }

    /// Every cluster of the resource group, or of the subscription when it is nil (following `nextLink`).
    func list(resourceGroup: String?) async throws -> [AKSManagedCluster] {
        let path = resourceGroup.map(clusters) ?? "/subscriptions/\(Self.e(subscription))/providers/Microsoft.ContainerService/managedClusters"
        return try await client.all(client.endpoints.url(path, apiVersion: apiVersion), subject: .init(resourceType: "cluster", name: "*"))
    }

    func delete(resourceGroup: String, _ name: String) async throws -> ARMOperationReference? {
        let answer: ARMClient.Answer<ARMClient.Empty> = try await client.send("DELETE", cluster(resourceGroup, name), apiVersion: apiVersion,
                                                                             subject: Self.subject(name))
        return answer.operation
    }

    /// `listClusterUserCredential`; `format` `exec` asks for the kubelogin form of AAD clusters.
    func userCredentials(resourceGroup: String, _ name: String, format: String? = nil) async throws -> AKSCredentialResults {
        try await client.send("POST", "\(cluster(resourceGroup, name))/listClusterUserCredential", apiVersion: apiVersion,
                              query: format.map { [("format", $0)] } ?? [], subject: Self.subject(name)).value
    }

    func upgradeProfile(resourceGroup: String, _ name: String) async throws -> AKSUpgradeProfile {
        try await client.send("GET", "\(cluster(resourceGroup, name))/upgradeProfiles/default", apiVersion: apiVersion, subject: Self.subject(name)).value
    }

    /// The Kubernetes versions AKS offers in `location`.
    func kubernetesVersions(location: String) async throws -> AKSKubernetesVersions {
        try await client.send("GET", "/subscriptions/\(Self.e(subscription))/providers/Microsoft.ContainerService/locations/\(Self.e(location))/kubernetesVersions",
                              apiVersion: apiVersion, subject: .init(resourceType: "location", name: location)).value
    }

    // MARK: Agent pools

    func getPool(resourceGroup: String, cluster clusterName: String, _ name: String) async throws -> AKSAgentPool {
        try await client.send("GET", "\(cluster(resourceGroup, clusterName))/agentPools/\(Self.e(name))", apiVersion: apiVersion,
                              subject: Self.pool(clusterName, name)).value
    }

    func listPools(resourceGroup: String, cluster clusterName: String) async throws -> [AKSAgentPool] {
        try await client.all(client.endpoints.url("\(cluster(resourceGroup, clusterName))/agentPools", apiVersion: apiVersion),
                             subject: Self.subject(clusterName))
    }

    func putPool(resourceGroup: String, cluster clusterName: String, _ name: String,
                 _ properties: AKSAgentPoolProfile) async throws -> ARMClient.Answer<AKSAgentPool> {
        try await client.send("PUT", "\(cluster(resourceGroup, clusterName))/agentPools/\(Self.e(name))", apiVersion: apiVersion,
                              body: AKSAgentPool(properties: properties), subject: Self.pool(clusterName, name))
    }

    func deletePool(resourceGroup: String, cluster clusterName: String, _ name: String) async throws -> ARMOperationReference? {
        let answer: ARMClient.Answer<ARMClient.Empty> = try await client.send("DELETE", "\(cluster(resourceGroup, clusterName))/agentPools/\(Self.e(name))",
                                                                             apiVersion: apiVersion, subject: Self.pool(clusterName, name))
        return answer.operation
    }
}

extension ARMClient {
    /// Every item of a list, following `nextLink` (at most 100 pages).
    func all<Item: Codable & Sendable>(_ first: URL, subject: Subject) async throws -> [Item] {
        var items: [Item] = []
        var next: URL? = first
        var pages = 0
        while let url = next, pages < 100 {
            let page: ARMList<Item> = try await send("GET", url, subject: subject).value
            items += page.value ?? []
            next = page.nextLink.flatMap { $0.isEmpty ? nil : URL(string: $0) }
            pages += 1
        }
        return items
    }
}

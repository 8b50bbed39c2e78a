import CloudCore
import Foundation

/// The GKE `container/v1` calls the agent uses, one function each, under
/// `projects/{project}/locations/{location}` (a zone, a region, or `-` for all when listing).
struct GKEClient: Sendable {
    let client: GCPClient

    private func url(_ path: String) -> URL { GCPEndpoints.url(client.endpoints.container, "/v1/" + path) }
    private static func e(_ text: String) -> String { GCPEndpoints.escape(text) }
    private static func parent(_ project: String, _ location: String) -> String { "projects/\(e(project))/locations/\(e(location))" }
    private static func cluster(_ project: String, _ location: String, _ name: String) -> String {
        "\(parent(project, location))/clusters/\(e(name))"
    }
    private static func subject(_ name: String) -> GCPClient.Subject { .init(resourceType: "cluster", name: name) }
    private static func pool(_ cluster: String, _ name: String) -> GCPClient.Subject { .init(resourceType: "node pool", name: "\(cluster)/\(name)") }

    // MARK: Clusters

    func createCluster(project: String, location: String, _ cluster: GKECluster) async throws -> GKEOperation {
        try await client.send("POST", url("\(Self.parent(project, location))/clusters"), body: GKECreateClusterBody(cluster: cluster),
                              subject: Self.subject(cluster.name))
    }

    func getCluster(project: String, location: String, _ name: String) async throws -> GKECluster {
        try await client.send("GET", url(Self.cluster(project, location, name)), subject: Self.subject(name))
    }

    func listClusters(project: String, location: String) async throws -> GKEListClustersResponse {
        try await client.send("GET", url("\(Self.parent(project, location))/clusters"), subject: .init(resourceType: "cluster", name: "*"))
    }

    func deleteCluster(project: String, location: String, _ name: String) async throws -> GKEOperation {
        try await client.send("DELETE", url(Self.cluster(project, location, name)), subject: Self.subject(name))
    }

    func updateMaster(project: String, location: String, _ name: String, version: String) async throws -> GKEOperation {
        try await client.send("POST", url("\(Self.cluster(project, location, name)):updateMaster"),
                              body: GKEUpdateMasterBody(masterVersion: version), subject: Self.subject(name))
    }

    func serverConfig(project: String, location: String) async throws -> GKEServerConfig {
        try await client.send("GET", url("\(Self.parent(project, location))/serverConfig"), subject: .init(resourceType: "location", name: location))
    }

    // MARK: Node pools

    func createNodePool(project: String, location: String, cluster: String, _ pool: GKENodePool) async throws -> GKEOperation {
        try await client.send("POST", url("\(Self.cluster(project, location, cluster))/nodePools"), body: GKECreateNodePoolBody(nodePool: pool),
                              subject: Self.pool(cluster, pool.name))
    }

    func getNodePool(project: String, location: String, cluster: String, _ name: String) async throws -> GKENodePool {
        try await client.send("GET", url("\(Self.cluster(project, location, cluster))/nodePools/\(Self.e(name))"), subject: Self.pool(cluster, name))
    }

    func listNodePools(project: String, location: String, cluster: String) async throws -> [GKENodePool] {
        let response: GKEListNodePoolsResponse = try await client.send("GET", url("\(Self.cluster(project, location, cluster))/nodePools"),
                                                                        subject: Self.subject(cluster))
        return response.nodePools ?? []
    }

    func setNodePoolSize(project: String, location: String, cluster: String, _ name: String, nodeCount: Int) async throws -> GKEOperation {
        try await client.send("POST", url("\(Self.cluster(project, location, cluster))/nodePools/\(Self.e(name)):setSize"),
                              body: GKESetNodePoolSizeBody(nodeCount: nodeCount), subject: Self.pool(cluster, name))
    }

    /// `nodePools.update` with a new node version (and the pool's image type, which the
    /// reference marks required).
    func updateNodePoolVersion(project: String, location: String, cluster: String, _ name: String, version: String,
                               imageType: String?) async throws -> GKEOperation {
        try await client.send("PUT", url("\(Self.cluster(project, location, cluster))/nodePools/\(Self.e(name))"),
                              body: GKEUpdateNodePoolBody(nodeVersion: version, imageType: imageType), subject: Self.pool(cluster, name))
    }

    func deleteNodePool(project: String, location: String, cluster: String, _ name: String) async throws -> GKEOperation {
        try await client.send("DELETE", url("\(Self.cluster(project, location, cluster))/nodePools/\(Self.e(name))"), subject: Self.pool(cluster, name))
    }

    // MARK: Operations

    func getOperation(project: String, location: String, _ name: String) async throws -> GKEOperation {
        try await client.send("GET", url("\(Self.parent(project, location))/operations/\(Self.e(name))"),
                              subject: .init(resourceType: "operation", name: name))
    }
}

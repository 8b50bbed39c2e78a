import CloudCore
import Foundation

/// The EKS REST JSON operations the agent uses, one function each.
struct EKSClient: Sendable {
    let client: AWSClient

    private func call<Response: Decodable>(_ method: String, _ path: String, query: [(String, String)] = [],
                                           body: (some Encodable)? = Optional<EmptyBody>.none,
                                           subject: AWSClient.Subject) async throws -> Response {
        let (bytes, headers) = try Self.encode(body)
        let response = try await client.send(service: "eks", method: method, path: path, query: query, headers: headers, body: bytes,
                                             errors: .json, subject: subject)
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw CloudProviderError.providerError(ProviderFailure(
                httpStatus: response.status, code: "MalformedResponse",
                message: "EKS answered \(method) \(path) with a body that is not the documented shape",
                requestID: response.header("x-amzn-requestid")))
        }
    }

    private struct EmptyBody: Encodable {}

    /// A JSON body (keys sorted) and its content type; nothing for no body.
    private static func encode(_ body: (some Encodable)?) throws -> ([UInt8], [(name: String, value: String)]) {
        guard let body else { return ([], []) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (Array(try encoder.encode(body)), [("Content-Type", "application/json")])
    }

    private static func segment(_ text: String) -> String { AWSClient.percentEncode(text) }
    private static func cluster(_ name: String) -> AWSClient.Subject { .init(resourceType: "cluster", name: name) }
    private static func nodegroup(_ cluster: String, _ name: String) -> AWSClient.Subject {
        .init(resourceType: "node pool", name: "\(cluster)/\(name)")
    }

    // MARK: Clusters

    func createCluster(_ body: EKSCreateClusterBody) async throws -> EKSCluster {
        let response: EKSClusterResponse = try await call("POST", "/clusters", body: body, subject: Self.cluster(body.name))
        return response.cluster
    }

    func describeCluster(_ name: String) async throws -> EKSCluster {
        let response: EKSClusterResponse = try await call("GET", "/clusters/\(Self.segment(name))", subject: Self.cluster(name))
        return response.cluster
    }

    func listClusters(maxResults: Int, nextToken: String?) async throws -> EKSListClustersResponse {
        var query = [("maxResults", String(maxResults))]
        if let nextToken { query.append(("nextToken", nextToken)) }
        return try await call("GET", "/clusters", query: query, subject: .init(resourceType: "cluster", name: "*"))
    }

    func deleteCluster(_ name: String) async throws -> EKSCluster {
        let response: EKSClusterResponse = try await call("DELETE", "/clusters/\(Self.segment(name))", subject: Self.cluster(name))
        return response.cluster
    }

    func updateClusterVersion(_ name: String, version: String, token: String) async throws -> EKSUpdate {
        let response: EKSUpdateResponse = try await call("POST", "/clusters/\(Self.segment(name))/updates",
                                                         body: EKSUpdateClusterVersionBody(version: version, clientRequestToken: token),
                                                         subject: Self.cluster(name))
        return response.update
    }

    func describeUpdate(_ name: String, updateID: String, nodegroup: String? = nil) async throws -> EKSUpdate {
        var query: [(String, String)] = []
        if let nodegroup { query.append(("nodegroupName", nodegroup)) }
        let response: EKSUpdateResponse = try await call("GET", "/clusters/\(Self.segment(name))/updates/\(Self.segment(updateID))",
                                                         query: query, subject: Self.cluster(name))
        return response.update
    }

    func describeClusterVersions(nextToken: String?) async throws -> EKSClusterVersionsResponse {
        var query = [("maxResults", "100")]
        if let nextToken { query.append(("nextToken", nextToken)) }
        return try await call("GET", "/cluster-versions", query: query, subject: .init(resourceType: "version", name: "*"))
    }

    // MARK: Node groups

    func createNodegroup(cluster: String, _ body: EKSCreateNodegroupBody) async throws -> EKSNodegroup {
        let response: EKSNodegroupResponse = try await call("POST", "/clusters/\(Self.segment(cluster))/node-groups", body: body,
                                                            subject: Self.nodegroup(cluster, body.nodegroupName))
        return response.nodegroup
    }

    func describeNodegroup(cluster: String, name: String) async throws -> EKSNodegroup {
        let response: EKSNodegroupResponse = try await call("GET", "/clusters/\(Self.segment(cluster))/node-groups/\(Self.segment(name))",
                                                            subject: Self.nodegroup(cluster, name))
        return response.nodegroup
    }

    func listNodegroups(cluster: String, maxResults: Int, nextToken: String?) async throws -> EKSListNodegroupsResponse {
        var query = [("maxResults", String(maxResults))]
        if let nextToken { query.append(("nextToken", nextToken)) }
        return try await call("GET", "/clusters/\(Self.segment(cluster))/node-groups", query: query, subject: Self.cluster(cluster))
    }

    func updateNodegroupScaling(cluster: String, name: String, scaling: EKSNodegroup.ScalingConfig, token: String) async throws -> EKSUpdate {
        let response: EKSUpdateResponse = try await call(
            "POST", "/clusters/\(Self.segment(cluster))/node-groups/\(Self.segment(name))/update-config",
            body: EKSUpdateNodegroupConfigBody(scalingConfig: scaling, clientRequestToken: token), subject: Self.nodegroup(cluster, name))
        return response.update
    }

    /// UpdateNodegroupVersion: the node group's nodes replaced by nodes of `version` (the
    /// control plane's), pods drained with their disruption budgets respected.
    func updateNodegroupVersion(cluster: String, name: String, version: String, token: String) async throws -> EKSUpdate {
        let response: EKSUpdateResponse = try await call(
            "POST", "/clusters/\(Self.segment(cluster))/node-groups/\(Self.segment(name))/update-version",
            body: EKSUpdateNodegroupVersionBody(version: version, clientRequestToken: token), subject: Self.nodegroup(cluster, name))
        return response.update
    }

    func deleteNodegroup(cluster: String, name: String) async throws -> EKSNodegroup {
        let response: EKSNodegroupResponse = try await call("DELETE", "/clusters/\(Self.segment(cluster))/node-groups/\(Self.segment(name))",
                                                            subject: Self.nodegroup(cluster, name))
        return response.nodegroup
    }
}

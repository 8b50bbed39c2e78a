import CloudCore
import Foundation

/// The Compute Engine `compute/v1` instance calls the agent uses, under
/// `projects/{project}/zones/{zone}`. Every mutation carries a `requestId`, so Compute answers a
/// retried call with the operation the first one started.
struct ComputeClient: Sendable {
    let client: GCPClient

    private func url(_ path: String, _ query: [(String, String)] = []) -> URL {
        GCPEndpoints.url(client.endpoints.compute, "/compute/v1/" + path, query: query)
    }
    private static func e(_ text: String) -> String { GCPEndpoints.escape(text) }
    private static func zone(_ project: String, _ zone: String) -> String { "projects/\(e(project))/zones/\(e(zone))" }
    private static func instance(_ project: String, _ zone: String, _ name: String) -> String {
        "\(Self.zone(project, zone))/instances/\(e(name))"
    }
    private static func subject(_ name: String) -> GCPClient.Subject { .init(resourceType: "instance", name: name) }

    func insert(project: String, zone: String, _ instance: ComputeInstance, requestID: String) async throws -> ComputeOperation {
        try await client.send("POST", url("\(Self.zone(project, zone))/instances", [("requestId", requestID)]), body: instance,
                              subject: Self.subject(instance.name))
    }

    func get(project: String, zone: String, _ name: String) async throws -> ComputeInstance {
        try await client.send("GET", url(Self.instance(project, zone, name)), subject: Self.subject(name))
    }

    /// One page of a zone's instances; `filter` in Compute's filter syntax.
    func list(project: String, zone: String, filter: String?, maxResults: Int, pageToken: String?) async throws -> ComputeInstanceList {
        var query = [("maxResults", String(maxResults))]
        if let filter { query.append(("filter", filter)) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        return try await client.send("GET", url("\(Self.zone(project, zone))/instances", query), subject: .init(resourceType: "instance", name: "*"))
    }

    /// One page of the instances of every zone.
    func aggregatedList(project: String, filter: String?, maxResults: Int, pageToken: String?) async throws -> ComputeAggregatedInstanceList {
        var query = [("maxResults", String(maxResults))]
        if let filter { query.append(("filter", filter)) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        return try await client.send("GET", url("projects/\(Self.e(project))/aggregated/instances", query),
                                     subject: .init(resourceType: "instance", name: "*"))
    }

    func start(project: String, zone: String, _ name: String, requestID: String) async throws -> ComputeOperation {
        try await client.send("POST", url("\(Self.instance(project, zone, name))/start", [("requestId", requestID)]), subject: Self.subject(name))
    }

    func stop(project: String, zone: String, _ name: String, requestID: String) async throws -> ComputeOperation {
        try await client.send("POST", url("\(Self.instance(project, zone, name))/stop", [("requestId", requestID)]), subject: Self.subject(name))
    }

    func delete(project: String, zone: String, _ name: String, requestID: String) async throws -> ComputeOperation {
        try await client.send("DELETE", url(Self.instance(project, zone, name), [("requestId", requestID)]), subject: Self.subject(name))
    }

    func getOperation(project: String, zone: String, _ name: String) async throws -> ComputeOperation {
        try await client.send("GET", url("\(Self.zone(project, zone))/operations/\(Self.e(name))"), subject: .init(resourceType: "operation", name: name))
    }
}

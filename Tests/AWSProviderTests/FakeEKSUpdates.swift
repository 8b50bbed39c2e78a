import CloudCore
import Foundation
import Synchronization

/// EKS's version updates as its API reference documents them, for the routes moto lacks
/// (UpdateClusterVersion, UpdateNodegroupVersion, DescribeUpdate): one cluster `prod` and its
/// node groups in memory. An update stays `InProgress` for `pollsPerUpdate` DescribeUpdate
/// calls, then succeeds (applying its version) or fails as scripted. Like EKS, a second
/// update while one is in progress on the cluster or the node group is refused with
/// ResourceInUseException (409), and a node group cannot be upgraded past the control plane.
final class FakeEKSUpdates: HTTPTransport {
    struct Nodegroup: Sendable {
        var version: String
        var status = "ACTIVE"
    }

    struct Update: Sendable {
        var id: String
        /// nil: the control plane's.
        var nodegroup: String?
        var version: String
        var pollsLeft: Int
        var status = "InProgress"
    }

    struct State: Sendable {
        var clusterVersion: String
        var clusterStatus = "ACTIVE"
        var nodegroups: [String: Nodegroup]
        var updates: [String: Update] = [:]
        var pollsPerUpdate = 1
        /// Node groups whose update fails, with the error code.
        var failing: [String: String] = [:]
        /// Node groups whose update stays in progress until removed from here.
        var held: Set<String> = []
        /// Every update request, as "cluster→V" or "GROUP→V", in order.
        var started: [String] = []
        /// Requests refused as ResourceInUseException.
        var refusedInUse = 0
        /// The most updates in progress at once.
        var mostInProgress = 0
    }

    let state: Mutex<State>

    init(clusterVersion: String, nodegroups: [String: Nodegroup]) {
        state = Mutex(State(clusterVersion: clusterVersion, nodegroups: nodegroups))
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let parts = request.url.path.split(separator: "/").map(String.init)
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        return state.withLock { state in
            switch (request.method, parts.count) {
            case ("GET", 1) where parts == ["clusters"]:
                return Self.ok(["clusters": ["prod"]])
            case ("GET", 2) where parts == ["clusters", "prod"]:
                return Self.ok(["cluster": ["name": "prod", "arn": "arn:aws:eks:eu-west-1:012345678910:cluster/prod",
                                            "version": state.clusterVersion, "status": state.clusterStatus,
                                            "endpoint": "https://x.eks.amazonaws.com", "certificateAuthority": ["data": "LS0t"]]])
            case ("GET", 3) where parts[2] == "node-groups":
                return Self.ok(["nodegroups": state.nodegroups.keys.sorted()])
            case ("GET", 4) where parts[2] == "node-groups":
                guard let group = state.nodegroups[parts[3]] else { return Self.notFound("No node group found for name: \(parts[3]).") }
                return Self.ok(["nodegroup": ["nodegroupName": parts[3], "clusterName": "prod", "version": group.version,
                                              "status": group.status, "scalingConfig": ["desiredSize": 2], "instanceTypes": ["m6i.large"]]])
            case ("POST", 3) where parts[2] == "updates":
                guard let version = body?["version"] as? String else { return Self.invalid("version is required") }
                return Self.start(&state, nodegroup: nil, version: version)
            case ("POST", 5) where parts[2] == "node-groups" && parts[4] == "update-version":
                guard state.nodegroups[parts[3]] != nil else { return Self.notFound("No node group found for name: \(parts[3]).") }
                guard let version = body?["version"] as? String else { return Self.invalid("version is required") }
                guard version == state.clusterVersion else {
                    return Self.invalid("Requested Nodegroup release version \(version) is invalid. The version must match the cluster's \(state.clusterVersion)")
                }
                return Self.start(&state, nodegroup: parts[3], version: version)
            case ("GET", 4) where parts[2] == "updates":
                guard var update = state.updates[parts[3]] else { return Self.notFound("No update found for ID: \(parts[3])") }
                let asked = request.url.query?.split(separator: "&").first { $0.hasPrefix("nodegroupName=") }.map { String($0.dropFirst(14)) }
                guard asked == update.nodegroup else { return Self.notFound("No update found for ID: \(parts[3])") }
                if update.status == "InProgress", !(update.nodegroup.map(state.held.contains) ?? false) {
                    update.pollsLeft -= 1
                    if update.pollsLeft <= 0 { Self.finish(&update, in: &state) }
                    state.updates[update.id] = update
                }
                var answer: [String: Any] = ["id": update.id, "status": update.status, "type": "VersionUpdate"]
                if update.status == "Failed", let group = update.nodegroup, let code = state.failing[group] {
                    answer["errors"] = [["errorCode": code, "errorMessage": "Reached max retries while trying to evict pods from nodes", "resourceIds": [group]]]
                }
                return Self.ok(["update": answer])
            default:
                return Self.notFound("no route for \(request.method) \(request.url.path)")
            }
        }
    }

    private static func start(_ state: inout State, nodegroup: String?, version: String) -> HTTPResponse {
        if state.updates.values.contains(where: { $0.status == "InProgress" && ($0.nodegroup == nil || $0.nodegroup == nodegroup) }) {
            state.refusedInUse += 1
            return HTTPResponse(status: 409, headers: ["x-amzn-ErrorType": "ResourceInUseException"],
                                body: Array(#"{"message": "Update already in progress"}"#.utf8))
        }
        let update = Update(id: "u-\(state.updates.count + 1)", nodegroup: nodegroup, version: version, pollsLeft: state.pollsPerUpdate)
        state.updates[update.id] = update
        state.started.append("\(nodegroup ?? "cluster")→\(version)")
        if let nodegroup { state.nodegroups[nodegroup]?.status = "UPDATING" } else { state.clusterStatus = "UPDATING" }
        state.mostInProgress = max(state.mostInProgress, state.updates.values.filter { $0.status == "InProgress" }.count)
        return ok(["update": ["id": update.id, "status": "InProgress", "type": "VersionUpdate"]])
    }

    private static func finish(_ update: inout Update, in state: inout State) {
        if let group = update.nodegroup {
            state.nodegroups[group]?.status = "ACTIVE"
            if state.failing[group] != nil {
                update.status = "Failed"
                return
            }
            state.nodegroups[group]?.version = update.version
        } else {
            state.clusterStatus = "ACTIVE"
            state.clusterVersion = update.version
        }
        update.status = "Successful"
    }

    private static func ok(_ object: [String: Any]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    private static func notFound(_ message: String) -> HTTPResponse {
        HTTPResponse(status: 404, headers: ["x-amzn-ErrorType": "ResourceNotFoundException"], body: Array(#"{"message": "\#(message)"}"#.utf8))
    }

    private static func invalid(_ message: String) -> HTTPResponse {
        HTTPResponse(status: 400, headers: ["x-amzn-ErrorType": "InvalidParameterException"], body: Array(#"{"message": "\#(message)"}"#.utf8))
    }
}

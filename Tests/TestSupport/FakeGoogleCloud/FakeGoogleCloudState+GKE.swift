import CloudCore
import Foundation

/// The GKE `container/v1` paths of the fake.
extension FakeGoogleCloudState {
    mutating func gke(_ method: String, project: String, location: String, _ rest: [String], body: [String: Any]) -> HTTPResponse {
        switch (method, rest.count, rest.first) {
        case ("GET", 1, "serverConfig"?):
            return Self.json(200, ["defaultClusterVersion": Self.defaultVersion, "validMasterVersions": Self.versions,
                                   "validNodeVersions": Self.versions,
                                   "channels": Self.channels.map { ["channel": $0.name, "defaultVersion": $0.defaultVersion, "validVersions": $0.versions] }])
        case ("GET", 2, "operations"?):
            guard let operation = operations[rest[1]], !operation.isCompute, operation.project == project else {
                return Self.error(404, "NOT_FOUND", "Not found: operation \(rest[1]).")
            }
            return Self.json(200, gkeOperationJSON(operation))
        case (_, _, "clusters"?):
            return clusters(method, project: project, location: location, Array(rest.dropFirst()), body: body)
        default:
            return Self.error(404, "NOT_FOUND", "Method not found.")
        }
    }

    private mutating func clusters(_ method: String, project: String, location: String, _ rest: [String], body: [String: Any]) -> HTTPResponse {
        if rest.isEmpty {
            switch method {
            case "GET":
                let listed = clusters.values.filter { $0.project == project && (location == "-" || $0.location == location) }
                    .sorted { $0.name < $1.name }.map(clusterJSON)
                var json: [String: Any] = [:]
                if !listed.isEmpty { json["clusters"] = listed }
                return Self.json(200, json)
            case "POST": return createCluster(project: project, location: location, body: body)
            default: return Self.error(405, "INVALID_ARGUMENT", "Method not allowed.")
            }
        }
        let nameAndVerb = rest[0].split(separator: ":", maxSplits: 1).map(String.init)
        let name = nameAndVerb[0]
        let key = "\(project)/\(location)/\(name)"
        guard let cluster = clusters[key] else {
            return Self.error(404, "NOT_FOUND", "Not found: projects/\(project)/locations/\(location)/clusters/\(name).")
        }
        if rest.count >= 2, rest[1] == "nodePools" {
            return nodePools(method, cluster: cluster, key: key, Array(rest.dropFirst(2)), body: body)
        }
        if method == "GET", nameAndVerb.count == 1 { return Self.json(200, clusterJSON(cluster)) }
        if let running = busy(key), method != "GET" {
            return Self.error(400, "FAILED_PRECONDITION",
                              "Operation \(running.name) is currently \(running.type.lowercased().replacingOccurrences(of: "_", with: " ")) cluster \(name). Please wait and try again once it is done.")
        }
        switch (method, nameAndVerb.count == 2 ? nameAndVerb[1] : nil) {
        case ("DELETE", nil):
            clusters[key]?.status = "STOPPING"
            return Self.json(200, gkeOperationJSON(startOperation(type: "DELETE_CLUSTER", project: project, place: location, compute: false,
                                                                  target: key, targetName: name, effect: .deleteCluster)))
        case ("POST", "updateMaster"?):
            guard let asked = body["masterVersion"] as? String, let version = Self.resolve(asked) else {
                return Self.error(400, "INVALID_ARGUMENT", "Master version \"\(body["masterVersion"] ?? "")\" is unsupported.")
            }
            clusters[key]?.status = "RECONCILING"
            return Self.json(200, gkeOperationJSON(startOperation(type: "UPGRADE_MASTER", project: project, place: location, compute: false,
                                                                  target: key, targetName: name, effect: .upgradeMaster(version))))
        default:
            return Self.error(400, "INVALID_ARGUMENT", "Unsupported request \(method) \(rest.joined(separator: "/")).")
        }
    }

    /// A full version for `asked` ("1.31", "1.31.5-gke.1000000", "latest", "-").
    static func resolve(_ asked: String) -> String? {
        if asked == "-" || asked.isEmpty { return defaultVersion }
        if asked == "latest" { return versions[0] }
        return versions.first { $0 == asked || $0.hasPrefix(asked + ".") || $0.hasPrefix(asked + "-") }
    }

    private mutating func createCluster(project: String, location: String, body: [String: Any]) -> HTTPResponse {
        guard let spec = body["cluster"] as? [String: Any], let name = spec["name"] as? String else {
            return Self.error(400, "INVALID_ARGUMENT", "Cluster.name is required.")
        }
        guard name.count <= 40, name.first?.isLowercase == true, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) else {
            return Self.error(400, "INVALID_ARGUMENT", "Invalid value for field \"cluster.name\": \"\(name)\". Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)'")
        }
        let key = "\(project)/\(location)/\(name)"
        guard clusters[key] == nil else { return Self.error(409, "ALREADY_EXISTS", "Already exists: projects/\(project)/locations/\(location)/clusters/\(name).") }
        guard let version = Self.resolve(spec["initialClusterVersion"] as? String ?? "-") else {
            return Self.error(400, "INVALID_ARGUMENT", "Master version \"\(spec["initialClusterVersion"] ?? "")\" is unsupported.")
        }
        var cluster = FakeCluster(project: project, location: location, name: name, version: version,
                                  labels: spec["resourceLabels"] as? [String: String] ?? [:], created: Date())
        for pool in spec["nodePools"] as? [[String: Any]] ?? [] {
            guard let poolName = pool["name"] as? String else { continue }
            cluster.pools[poolName] = FakeNodePool(name: poolName, nodeCount: pool["initialNodeCount"] as? Int ?? 3,
                                                   machineType: (pool["config"] as? [String: Any])?["machineType"] as? String ?? "e2-medium",
                                                   version: version)
        }
        if cluster.pools.isEmpty {
            cluster.pools["default-pool"] = FakeNodePool(name: "default-pool", nodeCount: spec["initialNodeCount"] as? Int ?? 3,
                                                         machineType: "e2-medium", version: version)
        }
        clusters[key] = cluster
        return Self.json(200, gkeOperationJSON(startOperation(type: "CREATE_CLUSTER", project: project, place: location, compute: false,
                                                              target: key, targetName: name, effect: .createCluster)))
    }

    private mutating func nodePools(_ method: String, cluster: FakeCluster, key: String, _ rest: [String], body: [String: Any]) -> HTTPResponse {
        if rest.isEmpty {
            switch method {
            case "GET":
                return Self.json(200, ["nodePools": cluster.pools.values.sorted { $0.name < $1.name }.map { poolJSON($0, cluster) }])
            case "POST":
                guard let spec = body["nodePool"] as? [String: Any], let name = spec["name"] as? String else {
                    return Self.error(400, "INVALID_ARGUMENT", "NodePool.name is required.")
                }
                guard cluster.pools[name] == nil else { return Self.error(409, "ALREADY_EXISTS", "Already exists: nodePools/\(name).") }
                if let running = busy(key) { return Self.error(400, "FAILED_PRECONDITION", "Operation \(running.name) is currently running. Please wait and try again once it is done.") }
                clusters[key]?.pools[name] = FakeNodePool(name: name, nodeCount: spec["initialNodeCount"] as? Int ?? 3,
                                                          machineType: (spec["config"] as? [String: Any])?["machineType"] as? String ?? "e2-medium",
                                                          version: spec["version"] as? String ?? cluster.version)
                return Self.json(200, gkeOperationJSON(startOperation(type: "CREATE_NODE_POOL", project: cluster.project, place: cluster.location,
                                                                      compute: false, target: key, targetName: name, effect: .createPool(name))))
            default: return Self.error(405, "INVALID_ARGUMENT", "Method not allowed.")
            }
        }
        let nameAndVerb = rest[0].split(separator: ":", maxSplits: 1).map(String.init)
        let name = nameAndVerb[0]
        guard let pool = cluster.pools[name] else { return Self.error(404, "NOT_FOUND", "Not found: nodePools/\(name).") }
        if method == "GET", nameAndVerb.count == 1 { return Self.json(200, poolJSON(pool, cluster)) }
        if let running = busy(key) { return Self.error(400, "FAILED_PRECONDITION", "Operation \(running.name) is currently running. Please wait and try again once it is done.") }
        switch (method, nameAndVerb.count == 2 ? nameAndVerb[1] : nil) {
        case ("DELETE", nil):
            clusters[key]?.pools[name]?.status = "STOPPING"
            return Self.json(200, gkeOperationJSON(startOperation(type: "DELETE_NODE_POOL", project: cluster.project, place: cluster.location,
                                                                  compute: false, target: key, targetName: name, effect: .deletePool(name))))
        case ("PUT", nil):
            // nodePools.update: a new node version, at most the control plane's.
            guard let asked = body["nodeVersion"] as? String, let version = asked == "-" ? cluster.version : Self.resolve(asked) else {
                return Self.error(400, "INVALID_ARGUMENT", "Node version \"\(body["nodeVersion"] ?? "")\" is unsupported.")
            }
            guard version.compare(cluster.version, options: .numeric) != .orderedDescending else {
                return Self.error(400, "INVALID_ARGUMENT", "Node version \"\(version)\" must not be newer than the master version \"\(cluster.version)\".")
            }
            clusters[key]?.pools[name]?.status = "RECONCILING"
            clusters[key]?.status = "RECONCILING"
            return Self.json(200, gkeOperationJSON(startOperation(type: "UPGRADE_NODES", project: cluster.project, place: cluster.location,
                                                                  compute: false, target: key, targetName: name, effect: .upgradePool(name, version))))
        case ("POST", "setSize"?):
            guard let count = body["nodeCount"] as? Int, count >= 0 else { return Self.error(400, "INVALID_ARGUMENT", "nodeCount must be >= 0.") }
            clusters[key]?.pools[name]?.status = "RECONCILING"
            clusters[key]?.status = "RECONCILING"
            return Self.json(200, gkeOperationJSON(startOperation(type: "SET_NODE_POOL_SIZE", project: cluster.project, place: cluster.location,
                                                                  compute: false, target: key, targetName: name, effect: .resizePool(name, count))))
        default:
            return Self.error(400, "INVALID_ARGUMENT", "Unsupported request.")
        }
    }

    func clusterJSON(_ cluster: FakeCluster) -> [String: Any] {
        var json: [String: Any] = [
            "name": cluster.name, "location": cluster.location, "zone": cluster.location, "status": cluster.status,
            "currentMasterVersion": cluster.version, "currentNodeVersion": cluster.version, "initialClusterVersion": cluster.version,
            "currentNodeCount": cluster.pools.values.reduce(0) { $0 + $1.nodeCount }, "resourceLabels": cluster.labels,
            "network": "default", "subnetwork": "default", "createTime": Self.timestamp(cluster.created),
            "selfLink": "https://container.googleapis.com/v1/projects/\(cluster.project)/locations/\(cluster.location)/clusters/\(cluster.name)",
            "nodePools": cluster.pools.values.sorted { $0.name < $1.name }.map { poolJSON($0, cluster) },
            "releaseChannel": ["channel": "REGULAR"],
        ]
        if !cluster.statusMessage.isEmpty { json["statusMessage"] = cluster.statusMessage }
        if cluster.status != "PROVISIONING" {
            json["endpoint"] = "34.118.\(cluster.name.count).\(cluster.version.count)"
            json["masterAuth"] = ["clusterCaCertificate": Data("-----BEGIN CERTIFICATE-----\nMIIfake\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()]
        }
        return json
    }

    func poolJSON(_ pool: FakeNodePool, _ cluster: FakeCluster) -> [String: Any] {
        ["name": pool.name, "status": pool.status, "initialNodeCount": pool.nodeCount, "version": pool.version,
         "config": ["machineType": pool.machineType, "diskSizeGb": 100, "imageType": "COS_CONTAINERD"],
         "selfLink": "https://container.googleapis.com/v1/projects/\(cluster.project)/locations/\(cluster.location)/clusters/\(cluster.name)/nodePools/\(pool.name)"]
    }

    func gkeOperationJSON(_ operation: FakeOperation) -> [String: Any] {
        var json: [String: Any] = [
            "name": operation.name, "operationType": operation.type, "status": status(of: operation), "location": operation.place,
            "zone": operation.place, "startTime": Self.timestamp(operation.startedAt),
            "selfLink": "https://container.googleapis.com/v1/projects/\(operation.project)/locations/\(operation.place)/operations/\(operation.name)",
            "targetLink": "https://container.googleapis.com/v1/projects/\(operation.project)/locations/\(operation.place)/clusters/\(operation.targetName)",
        ]
        if operation.applied {
            json["endTime"] = Self.timestamp(Date())
            if let message = operation.error { json["error"] = ["code": 8, "message": message] }
        }
        return json
    }
}

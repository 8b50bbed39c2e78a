import CloudCore
import Foundation

/// The `Microsoft.ContainerService` paths of the fake: managed clusters and their agent pools.
extension FakeAzureState {
    private static let provider = "Microsoft.ContainerService"

    mutating func containerService(_ method: String, group: String, _ rest: [String], query: [String: String], body: [String: Any]) -> HTTPResponse {
        guard rest.first == "managedClusters" else { return Self.error(404, "InvalidResourceType", "The resource type '\(rest.first ?? "")' could not be found.") }
        if rest.count == 1 {
            guard method == "GET" else { return Self.error(405, "MethodNotAllowed", "The method is not allowed.") }
            let listed = clusters.values.filter { $0.group.lowercased() == group.lowercased() }.sorted { $0.name < $1.name }.map(clusterJSON)
            return page(listed, query: query, path: "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.ContainerService/managedClusters")
        }
        let name = rest[1]
        let key = Self.key(group, name)
        if rest.count == 2 {
            switch method {
            case "GET":
                guard let cluster = clusters[key] else { return Self.notFound("Microsoft.ContainerService/managedClusters", name, group: group) }
                return Self.json(200, clusterJSON(cluster))
            case "PUT": return putCluster(group: group, name: name, body: body)
            case "DELETE":
                guard let cluster = clusters[key] else { return HTTPResponse(status: 204) }
                // A delete again answers the one under way; a delete preempts whatever else runs
                // on the cluster and its pools.
                if let deleting = running({ if case .deleteCluster(key) = $0 { true } else { false } }).first { return accepted(headers(of: deleting)) }
                preempt({ $0.cluster == key }, code: "AKSOperationPreemptedByDelete", message: Self.preemptedByDelete)
                clusters[key]?.provisioningState = "Deleting"
                for pool in cluster.pools.keys { clusters[key]?.pools[pool]?.provisioningState = "Deleting" }
                let headers = startOperation(kind: "deleteCluster", provider: Self.provider, location: cluster.location, apiVersion: Self.containerService,
                                             effect: .deleteCluster(key))
                return accepted(headers)
            default: return Self.error(405, "MethodNotAllowed", "The method is not allowed.")
            }
        }
        guard let cluster = clusters[key] else { return Self.notFound("Microsoft.ContainerService/managedClusters", name, group: group) }
        switch (method, rest[2]) {
        case ("POST", "listClusterUserCredential"):
            let yaml = kubeconfig(cluster, exec: query["format"] == "exec")
            return Self.json(200, ["kubeconfigs": [["name": "clusterUser", "value": Data(yaml.utf8).base64EncodedString()]]])
        case ("GET", "upgradeProfiles") where rest.count == 4 && rest[3] == "default":
            let upgrades = Self.upgrades(from: cluster.currentVersion).map { version -> [String: Any] in
                ["kubernetesVersion": version, "isPreview": Self.versions.first { $0.patches.contains(version) }?.preview ?? false]
            }
            return Self.json(200, ["id": "\(resourceID(cluster))/upgradeProfiles/default", "name": "default",
                                   "properties": ["controlPlaneProfile": ["kubernetesVersion": cluster.currentVersion, "osType": "Linux", "upgrades": upgrades],
                                                  "agentPoolProfiles": cluster.pools.values.map { ["name": $0.name, "kubernetesVersion": $0.currentVersion,
                                                                                                   "osType": "Linux", "upgrades": []] }]])
        case (_, "agentPools"):
            return agentPools(method, cluster: cluster, key: key, Array(rest.dropFirst(3)), query: query, body: body)
        default:
            return Self.error(404, "InvalidResourceType", "The resource type '\(rest[2])' could not be found.")
        }
    }

    /// AKS's 409 while another operation runs on the cluster or one of its pools.
    func busyError(_ key: String) -> HTTPResponse {
        let kind = running { $0.cluster == key }.first?.kind ?? "Updating"
        return Self.error(409, "OperationNotAllowed",
                          "Operation is not allowed: Another operation (\(kind)) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details")
    }

    /// AKS's message for an operation a delete ended.
    static let preemptedByDelete = "This operation has been preempted by Deleting operation."

    static func unsupportedVersion(_ asked: String, target: String) -> HTTPResponse {
        error(400, "K8sVersionNotSupported",
              "Version \(asked) is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list",
              target: target)
    }

    private mutating func putCluster(group: String, name: String, body: [String: Any]) -> HTTPResponse {
        let key = Self.key(group, name)
        guard let location = body["location"] as? String else {
            return Self.error(400, "InvalidParameter", "The value of parameter location is invalid.", target: "location")
        }
        let properties = body["properties"] as? [String: Any] ?? [:]
        let profiles = properties["agentPoolProfiles"] as? [[String: Any]] ?? []
        let tags = body["tags"] as? [String: String] ?? [:]
        if clusters[key] == nil, let refusal = Self.checkLocation(location, type: "Microsoft.ContainerService/managedClusters") { return refusal }
        if var existing = clusters[key] {
            if busy(cluster: key) { return busyError(key) }
            var version: String?
            if let asked = properties["kubernetesVersion"] as? String, asked != existing.kubernetesVersion, Self.resolve(asked) != existing.currentVersion {
                guard let full = Self.resolve(asked) else { return Self.unsupportedVersion(asked, target: "properties.kubernetesVersion") }
                guard Self.upgrades(from: existing.currentVersion).contains(full) else {
                    return Self.error(400, "InvalidParameter", "Upgrading kubernetes version \(existing.currentVersion) to \(full) is not allowed. Available upgrades: \(Self.upgrades(from: existing.currentVersion).joined(separator: ", ")).",
                                      target: "properties.kubernetesVersion")
                }
                version = asked
                existing.kubernetesVersion = asked
            }
            var poolChanges: [String: (count: Int?, version: String?)] = [:]
            for profile in profiles {
                guard let poolName = profile["name"] as? String, var pool = existing.pools[poolName] else { continue }
                var change: (count: Int?, version: String?) = (nil, nil)
                if let count = profile["count"] as? Int, count != pool.count { change.count = count }
                if let asked = profile["orchestratorVersion"] as? String, Self.resolve(asked) != pool.currentVersion {
                    guard let full = Self.resolve(asked), full.compare(version.flatMap(Self.resolve) ?? existing.currentVersion, options: .numeric) != .orderedDescending else {
                        return Self.error(400, "InvalidParameter", "Node pool version \(asked) cannot be newer than the control plane's.", target: "properties.agentPoolProfiles.orchestratorVersion")
                    }
                    change.version = asked
                    pool.orchestratorVersion = asked
                }
                if change.count != nil || change.version != nil {
                    pool.provisioningState = change.version != nil ? "Upgrading" : "Scaling"
                    poolChanges[poolName] = change
                }
                existing.pools[poolName] = pool
            }
            existing.tags = tags
            guard version != nil || !poolChanges.isEmpty else {
                clusters[key] = existing
                return Self.json(200, clusterJSON(existing))
            }
            existing.provisioningState = version != nil || poolChanges.values.contains { $0.version != nil } ? "Upgrading" : "Scaling"
            clusters[key] = existing
            let headers = startOperation(kind: "updateCluster", provider: Self.provider, location: existing.location, apiVersion: Self.containerService,
                                         effect: .updateCluster(key, version: version, pools: poolChanges))
            var answer = Self.json(200, clusterJSON(existing))
            answer.headers["azure-asyncoperation"] = headers["Azure-AsyncOperation"]
            answer.headers["retry-after"] = "0"
            return answer
        }
        guard name.count <= 63, name.first?.isLetter == true || name.first?.isNumber == true,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return Self.error(400, "InvalidParameter", "The value of parameter name is invalid.", target: "name")
        }
        guard let dnsPrefix = properties["dnsPrefix"] as? String, !dnsPrefix.isEmpty else {
            return Self.error(400, "InvalidParameter", "The value of parameter dnsPrefix is invalid.", target: "properties.dnsPrefix")
        }
        guard !profiles.isEmpty, profiles.contains(where: { $0["mode"] as? String == "System" }) else {
            return Self.error(400, "InvalidParameter", "A managed cluster must have at least one agent pool in System mode.", target: "properties.agentPoolProfiles")
        }
        let asked = properties["kubernetesVersion"] as? String ?? Self.versions.first { $0.isDefault }!.minor
        guard let full = Self.resolve(asked), Self.versions.contains(where: { $0.patches.contains(full) && !$0.preview }) else {
            return Self.unsupportedVersion(asked, target: "properties.kubernetesVersion")
        }
        var cluster = FakeManagedCluster(group: group, name: name, location: location, tags: tags, kubernetesVersion: asked, currentVersion: full,
                                         dnsPrefix: dnsPrefix, aad: properties["aadProfile"] != nil)
        for profile in profiles {
            guard let poolName = profile["name"] as? String, let count = profile["count"] as? Int, count >= 1 else {
                return Self.error(400, "InvalidParameter", "The value of parameter agentPoolProfile.count is invalid.", target: "properties.agentPoolProfiles.count")
            }
            cluster.pools[poolName] = FakeAgentPool(name: poolName, count: count, vmSize: profile["vmSize"] as? String ?? "Standard_DS2_v2",
                                                    mode: profile["mode"] as? String ?? "User", orchestratorVersion: profile["orchestratorVersion"] as? String ?? asked,
                                                    currentVersion: full, vnetSubnetID: profile["vnetSubnetID"] as? String)
        }
        clusters[key] = cluster
        let headers = startOperation(kind: "createCluster", provider: Self.provider, location: location, apiVersion: Self.containerService,
                                     effect: .createCluster(key))
        return Self.json(201, clusterJSON(cluster), headers: ["Azure-AsyncOperation": headers["Azure-AsyncOperation"]!, "Retry-After": "0"])
    }

    private mutating func agentPools(_ method: String, cluster: FakeManagedCluster, key: String, _ rest: [String], query: [String: String],
                                     body: [String: Any]) -> HTTPResponse {
        if rest.isEmpty {
            guard method == "GET" else { return Self.error(405, "MethodNotAllowed", "The method is not allowed.") }
            return page(cluster.pools.values.sorted { $0.name < $1.name }.map { poolResource($0, cluster) }, query: query,
                        path: "\(resourceID(cluster))/agentPools")
        }
        let name = rest[0]
        switch method {
        case "GET":
            guard let pool = cluster.pools[name] else { return Self.notFound("Microsoft.ContainerService/managedClusters/agentPools", name, group: cluster.group) }
            return Self.json(200, poolResource(pool, cluster))
        case "PUT":
            if busy(cluster: key) { return busyError(key) }
            let properties = body["properties"] as? [String: Any] ?? [:]
            guard let count = properties["count"] as? Int, count >= 0 else {
                return Self.error(400, "InvalidParameter", "The value of parameter agentPoolProfile.count is invalid.", target: "properties.count")
            }
            if var pool = cluster.pools[name] {
                pool.count = count
                pool.provisioningState = "Scaling"
                clusters[key]?.pools[name] = pool
                let headers = startOperation(kind: "updateAgentPool", provider: "Microsoft.ContainerService", location: cluster.location,
                                             apiVersion: Self.containerService, effect: .putPool(key, pool: name))
                return Self.json(200, poolResource(pool, cluster), headers: ["Azure-AsyncOperation": headers["Azure-AsyncOperation"]!, "Retry-After": "0"])
            }
            guard name.count <= 12, name.first?.isLowercase == true, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
                return Self.error(400, "InvalidParameter", "The agent pool name \(name) is invalid: it must start with a lowercase letter and contain only lowercase letters and numbers (at most 12).", target: "name")
            }
            let version = properties["orchestratorVersion"] as? String ?? cluster.kubernetesVersion
            guard let full = Self.resolve(version) else { return Self.unsupportedVersion(version, target: "properties.orchestratorVersion") }
            if full.compare(cluster.currentVersion, options: .numeric) == .orderedDescending {
                return Self.error(400, "NodePoolMcVersionIncompatible",
                                  "Node pool version \(full) and control plane version \(cluster.currentVersion) are incompatible. Minor version of node pool version \(Self.minor(full).1) is bigger than control plane version \(Self.minor(cluster.currentVersion).1).",
                                  target: "properties.orchestratorVersion")
            }
            let pool = FakeAgentPool(name: name, count: count, vmSize: properties["vmSize"] as? String ?? "Standard_DS2_v2",
                                     mode: properties["mode"] as? String ?? "User", orchestratorVersion: version, currentVersion: full,
                                     vnetSubnetID: properties["vnetSubnetID"] as? String)
            clusters[key]?.pools[name] = pool
            let headers = startOperation(kind: "createAgentPool", provider: "Microsoft.ContainerService", location: cluster.location,
                                         apiVersion: Self.containerService, effect: .putPool(key, pool: name))
            return Self.json(201, poolResource(pool, cluster), headers: ["Azure-AsyncOperation": headers["Azure-AsyncOperation"]!, "Retry-After": "0"])
        case "DELETE":
            guard let pool = cluster.pools[name] else { return HTTPResponse(status: 204) }
            if pool.mode == "System", cluster.pools.values.filter({ $0.mode == "System" }).count == 1 {
                return Self.error(400, "OperationNotAllowed", "Cannot delete the last system agent pool '\(name)' of a managed cluster.")
            }
            // A delete again answers the one under way; it preempts what runs on the pool, and
            // waits like anything else for what runs on the rest of the cluster.
            if let deleting = running({ if case .deletePool(key, name) = $0 { true } else { false } }).first { return accepted(headers(of: deleting)) }
            if !running({ $0.cluster == key && $0.pool != name }).isEmpty { return busyError(key) }
            preempt({ $0.cluster == key && $0.pool == name }, code: "AKSOperationPreemptedByDelete", message: Self.preemptedByDelete)
            clusters[key]?.pools[name]?.provisioningState = "Deleting"
            let headers = startOperation(kind: "deleteAgentPool", provider: "Microsoft.ContainerService", location: cluster.location,
                                         apiVersion: Self.containerService, effect: .deletePool(key, pool: name))
            return accepted(headers)
        default:
            return Self.error(405, "MethodNotAllowed", "The method is not allowed.")
        }
    }

    func resourceID(_ cluster: FakeManagedCluster) -> String {
        "/subscriptions/\(subscription)/resourcegroups/\(cluster.group)/providers/Microsoft.ContainerService/managedClusters/\(cluster.name)"
    }

    func fqdn(_ cluster: FakeManagedCluster) -> String {
        "\(cluster.dnsPrefix)-\(String(format: "%08x", cluster.name.unicodeScalars.reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 })).hcp.\(cluster.location).azmk8s.io"
    }

    private func poolProfile(_ pool: FakeAgentPool) -> [String: Any] {
        var json: [String: Any] = ["count": pool.count, "vmSize": pool.vmSize, "mode": pool.mode, "osType": "Linux", "type": "VirtualMachineScaleSets",
                                   "orchestratorVersion": pool.orchestratorVersion, "currentOrchestratorVersion": pool.currentVersion,
                                   "provisioningState": pool.provisioningState, "powerState": ["code": "Running"], "maxPods": 110]
        if let subnet = pool.vnetSubnetID { json["vnetSubnetID"] = subnet }
        return json
    }

    func poolResource(_ pool: FakeAgentPool, _ cluster: FakeManagedCluster) -> [String: Any] {
        ["id": "\(resourceID(cluster))/agentPools/\(pool.name)", "name": pool.name, "type": "Microsoft.ContainerService/managedClusters/agentPools",
         "properties": poolProfile(pool)]
    }

    func clusterJSON(_ cluster: FakeManagedCluster) -> [String: Any] {
        var properties: [String: Any] = [
            "provisioningState": cluster.provisioningState, "powerState": ["code": cluster.power], "kubernetesVersion": cluster.kubernetesVersion,
            "currentKubernetesVersion": cluster.currentVersion, "dnsPrefix": cluster.dnsPrefix, "enableRBAC": true, "maxAgentPools": 100,
            "nodeResourceGroup": "MC_\(cluster.group)_\(cluster.name)_\(cluster.location)",
            "agentPoolProfiles": cluster.pools.values.sorted { $0.name < $1.name }.map { poolProfile($0).merging(["name": $0.name]) { $1 } },
            "networkProfile": ["networkPlugin": "kubenet", "loadBalancerSku": "standard"],
        ]
        if cluster.provisioningState != "Creating" { properties["fqdn"] = fqdn(cluster) }
        if cluster.aad { properties["aadProfile"] = ["managed": true, "enableAzureRBAC": true, "tenantID": "72f988bf-86f1-41af-91ab-2d7cd011db47"] }
        return ["id": resourceID(cluster), "name": cluster.name, "type": "Microsoft.ContainerService/ManagedClusters", "location": cluster.location,
                "tags": cluster.tags, "identity": ["type": "SystemAssigned", "principalId": "00000000-0000-0000-0000-0000000000aa",
                                                   "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"],
                "sku": ["name": "Base", "tier": "Free"], "properties": properties]
    }

    /// The kubeconfig `listClusterUserCredential` answers: a token user for clusters with local
    /// accounts; for Entra clusters the kubelogin exec form (`format=exec`) or the legacy
    /// azure auth provider.
    func kubeconfig(_ cluster: FakeManagedCluster, exec: Bool) -> String {
        let ca = Data("-----BEGIN CERTIFICATE-----\nMIIfakeAKSCA\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()
        let user = "clusterUser_\(cluster.group)_\(cluster.name)"
        let credentials: String
        if !cluster.aad {
            credentials = "    token: \(String(repeating: "ab12", count: 16))"
        } else if exec {
            credentials = """
                    exec:
                      apiVersion: client.authentication.k8s.io/v1beta1
                      args:
                      - get-token
                      - --environment
                      - AzurePublicCloud
                      - --server-id
                      - 6dae42f8-4368-4678-94ff-3960e28e3630
                      - --client-id
                      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
                      - --tenant-id
                      - 72f988bf-86f1-41af-91ab-2d7cd011db47
                      - --login
                      - devicecode
                      command: kubelogin
                      env: null
                      provideClusterInfo: false
                """
        } else {
            credentials = """
                    auth-provider:
                      config:
                        apiserver-id: 6dae42f8-4368-4678-94ff-3960e28e3630
                        client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a
                        config-mode: '1'
                        environment: AzurePublicCloud
                        tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47
                      name: azure
                """
        }
        return """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(ca)
                server: https://\(fqdn(cluster)):443
              name: \(cluster.name)
            contexts:
            - context:
                cluster: \(cluster.name)
                user: \(user)
              name: \(cluster.name)
            current-context: \(cluster.name)
            kind: Config
            preferences: {}
            users:
            - name: \(user)
              user:
            \(credentials)

            """
    }
}

import CloudCore

/// GKE's and Compute's statuses on the shared vocabulary, and their shapes as the shared models.
enum GCPStatusMapping {
    /// Cluster `status`: PROVISIONING, RUNNING, RECONCILING, STOPPING, ERROR, DEGRADED.
    /// A degraded cluster still serves (GKE reports why in `conditions`), so it counts as active.
    static func cluster(_ raw: String?) -> ResourceStatus {
        switch raw {
        case "PROVISIONING": return .creating
        case "RUNNING", "DEGRADED": return .active
        case "RECONCILING": return .updating
        case "STOPPING": return .deleting
        case "ERROR": return .failed
        default: return .unknown
        }
    }

    /// Node pool `status`: PROVISIONING, RUNNING, RUNNING_WITH_ERROR, RECONCILING, STOPPING, ERROR.
    static func nodePool(_ raw: String?) -> ResourceStatus {
        switch raw {
        case "PROVISIONING": return .creating
        case "RUNNING", "RUNNING_WITH_ERROR": return .active
        case "RECONCILING": return .updating
        case "STOPPING": return .deleting
        case "ERROR": return .failed
        default: return .unknown
        }
    }

    /// Instance `status`: PROVISIONING, STAGING, RUNNING, STOPPING, SUSPENDING, STOPPED,
    /// SUSPENDED, TERMINATED (Compute's word for stopped), REPAIRING.
    static func instance(_ raw: String?) -> ResourceStatus {
        switch raw {
        case "PROVISIONING", "STAGING": return .creating
        case "RUNNING": return .running
        case "STOPPING", "SUSPENDING": return .stopping
        case "STOPPED", "SUSPENDED", "TERMINATED": return .stopped
        case "REPAIRING": return .updating
        default: return .unknown
        }
    }

    /// The last segment of a resource URL (`…/machineTypes/e2-medium` → `e2-medium`).
    static func lastSegment(_ url: String?) -> String {
        guard let url else { return "" }
        return url.split(separator: "/").last.map(String.init) ?? url
    }

    static func nodePool(_ pool: GKENodePool, cluster: String, clusterID: String) -> NodePool {
        NodePool(id: pool.selfLink.map(resourcePath) ?? "\(clusterID)/nodePools/\(pool.name)", name: pool.name, cluster: cluster,
                 status: nodePool(pool.status), providerStatus: pool.status ?? "STATUS_UNSPECIFIED",
                 statusMessage: pool.statusMessage.flatMap { $0.isEmpty ? nil : $0 } ?? pool.conditions?.first?.message,
                 nodeCount: pool.initialNodeCount ?? 0, nodeType: pool.config?.machineType ?? "", version: pool.version ?? "",
                 createdAt: "")
    }

    static func kubernetesCluster(_ gke: GKECluster, provider: String, project: String) -> KubernetesCluster {
        let location = gke.location ?? gke.zone ?? ""
        let id = "projects/\(project)/locations/\(location)/clusters/\(gke.name)"
        return KubernetesCluster(
            id: id, name: gke.name, provider: provider, cloud: .gcp, region: location,
            version: gke.currentMasterVersion ?? gke.initialClusterVersion ?? "", status: cluster(gke.status),
            providerStatus: gke.status ?? "STATUS_UNSPECIFIED",
            statusMessage: gke.statusMessage.flatMap { $0.isEmpty ? nil : $0 } ?? gke.conditions?.first?.message,
            endpoint: gke.endpoint.flatMap { $0.isEmpty ? nil : "https://\($0)" },
            caData: gke.masterAuth?.clusterCaCertificate.flatMap { $0.isEmpty ? nil : $0 },
            nodePools: (gke.nodePools ?? []).map { nodePool($0, cluster: gke.name, clusterID: id) }.sorted { $0.name < $1.name },
            createdAt: gke.createTime ?? "", tags: gke.resourceLabels ?? [:])
    }

    /// `projects/…` from a self link (`https://container.googleapis.com/v1/projects/…`).
    static func resourcePath(_ selfLink: String) -> String {
        guard let range = selfLink.range(of: "/projects/") else { return selfLink }
        return String(selfLink[selfLink.index(after: range.lowerBound)...])
    }

    /// The shared instance; its id is `ZONE/NAME`.
    static func instance(_ compute: ComputeInstance, provider: String, zone fallbackZone: String) -> Instance {
        let zone = compute.zone.map(lastSegment) ?? fallbackZone
        let nic = compute.networkInterfaces?.first
        let bootDisk = compute.disks?.first { $0.boot == true }
        return Instance(id: "\(zone)/\(compute.name)", name: compute.name, provider: provider, cloud: .gcp,
                        state: instance(compute.status), providerState: compute.status ?? "STATUS_UNSPECIFIED",
                        instanceType: lastSegment(compute.machineType),
                        image: bootDisk?.initializeParams?.sourceImage ?? lastSegment(bootDisk?.source),
                        zone: zone, publicIP: nic?.accessConfigs?.first?.natIP, privateIP: nic?.networkIP,
                        tags: compute.labels ?? [:], createdAt: compute.creationTimestamp ?? "")
    }
}

import CloudCore

/// EKS's statuses on the shared vocabulary, and EKS shapes as the shared models.
enum EKSStatusMapping {
    /// Cluster `status`: CREATING, ACTIVE, DELETING, FAILED, UPDATING, PENDING.
    static func cluster(_ raw: String?) -> ResourceStatus {
        switch raw?.uppercased() {
        case "CREATING", "PENDING": return .creating
        case "ACTIVE": return .active
        case "UPDATING": return .updating
        case "DELETING": return .deleting
        case "FAILED": return .failed
        default: return .unknown
        }
    }

    /// Nodegroup `status`: CREATING, ACTIVE, UPDATING, DELETING, CREATE_FAILED, DELETE_FAILED, DEGRADED.
    /// A degraded node group still serves (EKS reports health issues), so it counts as active.
    static func nodegroup(_ raw: String?) -> ResourceStatus {
        switch raw?.uppercased() {
        case "CREATING": return .creating
        case "ACTIVE", "DEGRADED": return .active
        case "UPDATING": return .updating
        case "DELETING": return .deleting
        case "CREATE_FAILED", "DELETE_FAILED": return .failed
        default: return .unknown
        }
    }

    static func nodePool(_ group: EKSNodegroup, cluster: String) -> NodePool {
        NodePool(id: group.nodegroupArn ?? group.nodegroupName, name: group.nodegroupName, cluster: group.clusterName ?? cluster,
                 status: nodegroup(group.status), providerStatus: group.status ?? "UNKNOWN",
                 statusMessage: healthMessage(group.health),
                 nodeCount: group.scalingConfig?.desiredSize ?? 0, nodeType: group.instanceTypes?.first ?? "",
                 version: group.version ?? "", createdAt: group.createdAt?.iso8601 ?? "")
    }

    static func kubernetesCluster(_ eks: EKSCluster, nodePools: [NodePool], provider: String, region: String) -> KubernetesCluster {
        KubernetesCluster(id: eks.arn ?? eks.name, name: eks.name, provider: provider, cloud: .aws, region: region,
                          version: eks.version ?? "", status: cluster(eks.status), providerStatus: eks.status ?? "UNKNOWN",
                          statusMessage: healthMessage(eks.health), endpoint: eks.endpoint, caData: eks.certificateAuthority?.data,
                          nodePools: nodePools, createdAt: eks.createdAt?.iso8601 ?? "", tags: eks.tags ?? [:])
    }

    /// The first health issue, as `CODE: message`.
    static func healthMessage(_ health: EKSCluster.Health?) -> String? {
        guard let issue = health?.issues?.first else { return nil }
        return [issue.code, issue.message].compactMap { $0 }.joined(separator: ": ")
    }
}

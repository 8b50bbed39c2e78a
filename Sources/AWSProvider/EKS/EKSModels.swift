import CloudCore
import Foundation

// The EKS REST JSON API's shapes, as the EKS API reference gives them (only the members the
// agent reads or sends). Unknown members are ignored; unknown enum values are kept as strings.

/// `Cluster` of DescribeCluster / CreateCluster / DeleteCluster.
struct EKSCluster: Decodable, Sendable, Equatable {
    var name: String
    var arn: String?
    var createdAt: AWSTimestamp?
    var version: String?
    var endpoint: String?
    var roleArn: String?
    var status: String?
    var certificateAuthority: CertificateAuthority?
    var platformVersion: String?
    var tags: [String: String]?
    var health: Health?
    var resourcesVpcConfig: VPCConfig?

    struct CertificateAuthority: Decodable, Sendable, Equatable { var data: String? }
    struct VPCConfig: Decodable, Sendable, Equatable {
        var subnetIds: [String]?
        var securityGroupIds: [String]?
        var vpcId: String?
        var endpointPublicAccess: Bool?
        var endpointPrivateAccess: Bool?
    }
    struct Health: Decodable, Sendable, Equatable { var issues: [Issue]? }
    struct Issue: Decodable, Sendable, Equatable {
        var code: String?
        var message: String?
    }
}

/// `Nodegroup` of DescribeNodegroup / CreateNodegroup / UpdateNodegroupConfig / DeleteNodegroup.
struct EKSNodegroup: Decodable, Sendable, Equatable {
    var nodegroupName: String
    var nodegroupArn: String?
    var clusterName: String?
    var version: String?
    var createdAt: AWSTimestamp?
    var status: String?
    var scalingConfig: ScalingConfig?
    var instanceTypes: [String]?
    var health: EKSCluster.Health?
    var tags: [String: String]?

    struct ScalingConfig: Codable, Sendable, Equatable {
        var minSize: Int?
        var maxSize: Int?
        var desiredSize: Int?
    }
}

/// `Update` of UpdateClusterVersion / UpdateNodegroupConfig / DescribeUpdate.
struct EKSUpdate: Decodable, Sendable, Equatable {
    var id: String
    /// `InProgress`, `Failed`, `Cancelled` or `Successful`.
    var status: String
    var type: String?
    var errors: [UpdateError]?

    struct UpdateError: Decodable, Sendable, Equatable {
        var errorCode: String?
        var errorMessage: String?
    }
}

/// One entry of DescribeClusterVersions.
struct EKSClusterVersion: Decodable, Sendable, Equatable {
    var clusterVersion: String
    var defaultVersion: Bool?
    /// `UNSUPPORTED`, `STANDARD_SUPPORT` or `EXTENDED_SUPPORT` (older responses: `status` in lowercase).
    var versionStatus: String?
    var status: String?
}

struct EKSClusterResponse: Decodable, Sendable { var cluster: EKSCluster }
struct EKSNodegroupResponse: Decodable, Sendable { var nodegroup: EKSNodegroup }
struct EKSUpdateResponse: Decodable, Sendable { var update: EKSUpdate }
struct EKSListClustersResponse: Decodable, Sendable {
    var clusters: [String]
    var nextToken: String?
}
struct EKSListNodegroupsResponse: Decodable, Sendable {
    var nodegroups: [String]
    var nextToken: String?
}
struct EKSClusterVersionsResponse: Decodable, Sendable {
    var clusterVersions: [EKSClusterVersion]
    var nextToken: String?
}

/// Body of CreateCluster.
struct EKSCreateClusterBody: Encodable, Sendable {
    var name: String
    var version: String?
    var roleArn: String
    var resourcesVpcConfig: VPCConfig
    var tags: [String: String]?
    var clientRequestToken: String

    struct VPCConfig: Encodable, Sendable {
        var subnetIds: [String]
        var securityGroupIds: [String]?
        var endpointPublicAccess: Bool?
        var endpointPrivateAccess: Bool?
        var publicAccessCidrs: [String]?
    }
}

/// Body of CreateNodegroup.
struct EKSCreateNodegroupBody: Encodable, Sendable {
    var nodegroupName: String
    var scalingConfig: EKSNodegroup.ScalingConfig
    var subnets: [String]
    var instanceTypes: [String]?
    var nodeRole: String
    var version: String?
    var tags: [String: String]?
    var clientRequestToken: String
}

/// Body of UpdateNodegroupConfig (scaling only).
struct EKSUpdateNodegroupConfigBody: Encodable, Sendable {
    var scalingConfig: EKSNodegroup.ScalingConfig
    var clientRequestToken: String
}

/// Body of UpdateClusterVersion.
struct EKSUpdateClusterVersionBody: Encodable, Sendable {
    var version: String
    var clientRequestToken: String
}

/// Body of UpdateNodegroupVersion (`force` left false: pod disruption budgets are respected).
struct EKSUpdateNodegroupVersionBody: Encodable, Sendable {
    var version: String
    var clientRequestToken: String
}

/// An AWS timestamp: epoch seconds in the JSON protocols, ISO 8601 in XML and in some fakes.
struct AWSTimestamp: Decodable, Sendable, Equatable {
    var secondsSince1970: Double

    init(secondsSince1970: Double) { self.secondsSince1970 = secondsSince1970 }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            secondsSince1970 = seconds
            return
        }
        let text = try container.decode(String.self)
        guard let seconds = AWSTimestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp")
        }
        secondsSince1970 = seconds
    }

    /// ISO 8601 with or without fractional seconds or an offset, as AWS services write it.
    static func parse(_ text: String) -> Double? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date.timeIntervalSince1970 }
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        return nil
    }

    var iso8601: String { Date(timeIntervalSince1970: secondsSince1970).formatted(.iso8601) }
}

import CloudCore
import CryptoPrimitives
import Foundation

/// The EC2 Query API operations the agent uses (API version 2016-11-15), one function each.
///
/// Every call is a signed `POST /` with a canonically encoded form body (`QueryForm`) sent
/// through `AWSClient`, which signs it with the credential chain, retries throttling and 5xx,
/// and maps `<Response><Errors><Error>` to `CloudProviderError` (`InvalidInstanceID.NotFound`
/// → not found, `IncorrectInstanceState` → conflict, `UnauthorizedOperation` → permission
/// denied, `AuthFailure` → unauthenticated).
struct EC2Client: Sendable {
    let client: AWSClient

    static let version = "2016-11-15"

    // MARK: - Instances

    /// `RunInstances` of exactly one instance (`MinCount` = `MaxCount` = 1).
    ///
    /// - Parameters:
    ///   - securityGroupIds: `SecurityGroupId.N`; empty means the VPC's default group.
    ///   - userData: the script or cloud-config as text; sent base64-encoded, as EC2 wants it.
    ///   - tags: put on the instance at launch (`TagSpecification.1`, sorted by key); the
    ///     `Name` tag is what the console shows as its name.
    ///   - clientToken: makes a resent request return the instance the first one launched,
    ///     instead of launching another.
    ///   - rootVolume: the root device's name and size in GiB, for a root volume (gp3, deleted
    ///     with the instance) other than the AMI's.
    ///   - associatePublicIP: whether the instance gets a public IPv4 address; nil leaves it to
    ///     the subnet. Given, the subnet and security groups go on the primary network interface
    ///     (`NetworkInterface.1`), as EC2 requires.
    func runInstance(imageId: String, instanceType: String, subnetId: String?, securityGroupIds: [String] = [],
                     availabilityZone: String?, keyName: String?, userData: String?, tags: [String: String],
                     clientToken: String, rootVolume: (device: String, sizeGb: Int)? = nil,
                     associatePublicIP: Bool? = nil) async throws -> EC2Instance {
        var params = [("ImageId", imageId), ("InstanceType", instanceType), ("MinCount", "1"), ("MaxCount", "1"),
                      ("ClientToken", clientToken)]
        if let associatePublicIP {
            params += [("NetworkInterface.1.DeviceIndex", "0"), ("NetworkInterface.1.AssociatePublicIpAddress", String(associatePublicIP)),
                       ("NetworkInterface.1.DeleteOnTermination", "true")]
            if let subnetId { params.append(("NetworkInterface.1.SubnetId", subnetId)) }
            params += QueryForm.list("NetworkInterface.1.SecurityGroupId", securityGroupIds)
        } else {
            if let subnetId { params.append(("SubnetId", subnetId)) }
            params += QueryForm.list("SecurityGroupId", securityGroupIds)
        }
        if let rootVolume {
            params += [("BlockDeviceMapping.1.DeviceName", rootVolume.device), ("BlockDeviceMapping.1.Ebs.VolumeSize", String(rootVolume.sizeGb)),
                       ("BlockDeviceMapping.1.Ebs.VolumeType", "gp3"), ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true")]
        }
        if let availabilityZone { params.append(("Placement.AvailabilityZone", availabilityZone)) }
        if let keyName { params.append(("KeyName", keyName)) }
        if let userData { params.append(("UserData", Data(userData.utf8).base64EncodedString())) }
        if !tags.isEmpty {
            params.append(("TagSpecification.1.ResourceType", "instance"))
            for (index, (key, value)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
                params.append(("TagSpecification.1.Tag.\(index + 1).Key", key))
                params.append(("TagSpecification.1.Tag.\(index + 1).Value", value))
            }
        }
        let tree = try await call("RunInstances", params, subject: .init(resourceType: "instance", name: tags["Name"] ?? imageId))
        guard let instance = EC2Instance.all(in: tree).first else {
            throw Self.malformed("RunInstances", "no instance in its instancesSet")
        }
        return instance
    }

    /// `DescribeInstances`: the instances `ids` names, or one page of all instances that
    /// match every filter (a filter matches any of its values).
    ///
    /// - Parameters:
    ///   - filters: e.g. `("tag:Name", ["web 1"])`, `("instance-state-name", ["running"])`.
    ///   - maxResults: the page size, 5 to 1000; EC2 refuses it together with `ids`.
    ///   - nextToken: the `nextToken` of the previous page.
    /// - Returns: the instances of every reservation on the page, and the token of the next
    ///   page (nil on the last).
    /// - Throws: `CloudProviderError.notFound` when one of `ids` does not exist.
    func describeInstances(ids: [String] = [], filters: [(name: String, values: [String])] = [], maxResults: Int? = nil,
                           nextToken: String? = nil) async throws -> (instances: [EC2Instance], nextToken: String?) {
        var params = QueryForm.list("InstanceId", ids)
        for (index, filter) in filters.enumerated() {
            params.append(("Filter.\(index + 1).Name", filter.name))
            params += QueryForm.list("Filter.\(index + 1).Value", filter.values)
        }
        if let maxResults { params.append(("MaxResults", String(maxResults))) }
        if let nextToken { params.append(("NextToken", nextToken)) }
        let tree = try await call("DescribeInstances", params,
                                  subject: .init(resourceType: "instance", name: ids.count == 1 ? ids[0] : ids.isEmpty ? "*" : ids.joined(separator: ",")))
        return (EC2Instance.all(in: tree), tree.string("nextToken"))
    }

    /// `StartInstances`: one state change per instance (from `stopped` to `pending`).
    func startInstances(_ ids: [String]) async throws -> [EC2StateChange] { try await change("StartInstances", ids) }

    /// `StopInstances`: one state change per instance (from `running` to `stopping`).
    func stopInstances(_ ids: [String]) async throws -> [EC2StateChange] { try await change("StopInstances", ids) }

    /// `TerminateInstances`: one state change per instance (to `shutting-down`).
    func terminateInstances(_ ids: [String]) async throws -> [EC2StateChange] { try await change("TerminateInstances", ids) }

    /// The one-instance forms of the three above, for the provider's per-instance methods.
    func startInstance(_ id: String) async throws -> EC2StateChange { try await single("StartInstances", id) }
    func stopInstance(_ id: String) async throws -> EC2StateChange { try await single("StopInstances", id) }
    func terminateInstance(_ id: String) async throws -> EC2StateChange { try await single("TerminateInstances", id) }

    // MARK: - Key pairs

    /// Imports an OpenSSH public key as a key pair named after its fingerprint, once: an
    /// existing pair of that name (`InvalidKeyPair.Duplicate`, a conflict) is reused.
    /// Returns the key pair's name.
    func importKeyPair(publicKey: String) async throws -> String {
        let name = "cloud-agent-" + Hex.encode(SHA256.hash(Array(publicKey.utf8))).prefix(16)
        do {
            _ = try await call("ImportKeyPair", [("KeyName", name), ("PublicKeyMaterial", Data(publicKey.utf8).base64EncodedString())],
                               subject: .init(resourceType: "key pair", name: name))
        } catch CloudProviderError.conflict {
            // Imported before: the name is the key's fingerprint, so it is the same key.
        }
        return name
    }

    /// `DescribeImages` of one AMI: the name of its root device (`/dev/xvda`, `/dev/sda1` …).
    func rootDeviceName(imageId: String) async throws -> String {
        let tree = try await call("DescribeImages", [("ImageId.1", imageId)], subject: .init(resourceType: "image", name: imageId))
        guard let image = tree.items("imagesSet").first else {
            throw CloudProviderError.invalidRequest(field: "image", reason: "EC2 has no AMI \(imageId) in this region")
        }
        guard let device = image.string("rootDeviceName") else { throw Self.malformed("DescribeImages", "an image without rootDeviceName") }
        return device
    }

    // MARK: - Plumbing

    /// Sends a state change for `ids` and returns EC2's `instancesSet`, one entry per instance.
    private func change(_ action: String, _ ids: [String]) async throws -> [EC2StateChange] {
        let tree = try await call(action, QueryForm.list("InstanceId", ids),
                                  subject: .init(resourceType: "instance", name: ids.count == 1 ? ids[0] : ids.joined(separator: ",")))
        let changes = tree.items("instancesSet").compactMap(EC2StateChange.init)
        guard changes.count == ids.count else {
            throw Self.malformed(action, "\(changes.count) state changes for \(ids.count) instances")
        }
        return changes
    }

    private func single(_ action: String, _ id: String) async throws -> EC2StateChange {
        let changes = try await change(action, [id])
        guard let change = changes.first(where: { $0.instanceId == id }) else {
            throw Self.malformed(action, "no state change for \(id)")
        }
        return change
    }

    /// Sends one action and returns the parsed response document.
    private func call(_ action: String, _ params: [(String, String)], subject: AWSClient.Subject) async throws -> XMLTree {
        let body = Array(QueryForm.encode(action: action, version: Self.version, params).utf8)
        let response = try await client.send(service: "ec2", method: "POST", path: "/",
                                             headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                             body: body, errors: .query, subject: subject)
        guard let tree = XMLTree.parse(response.body) else {
            throw Self.malformed(action, "a body that is not XML", status: response.status)
        }
        return tree
    }

    private static func malformed(_ action: String, _ what: String, status: Int? = nil) -> CloudProviderError {
        .providerError(ProviderFailure(httpStatus: status, code: "MalformedResponse", message: "EC2 answered \(action) with \(what)"))
    }
}

import CloudCore
import CryptoPrimitives
import Foundation

/// The EC2 Query API operations the agent uses (API version 2016-11-15), one function each.
struct EC2Client: Sendable {
    let client: AWSClient

    static let version = "2016-11-15"

    /// Sends one action and returns the parsed response document.
    private func call(_ action: String, _ params: [(String, String)], subject: AWSClient.Subject) async throws -> XMLTree {
        let body = Array(QueryForm.encode(action: action, version: Self.version, params).utf8)
        let response = try await client.send(service: "ec2", method: "POST", path: "/",
                                             headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                             body: body, errors: .query, subject: subject)
        guard let tree = XMLTree.parse(response.body) else {
            throw CloudProviderError.providerError(ProviderFailure(httpStatus: response.status, code: "MalformedResponse",
                                                                   message: "EC2 answered \(action) with something that is not XML"))
        }
        return tree
    }

    /// `RunInstances` of one instance; `clientToken` makes a retried call return the same instance.
    func runInstance(imageId: String, instanceType: String, subnetId: String?, availabilityZone: String?, keyName: String?,
                     userData: String?, tags: [String: String], clientToken: String) async throws -> EC2Instance {
        var params = [("ImageId", imageId), ("InstanceType", instanceType), ("MinCount", "1"), ("MaxCount", "1"),
                      ("ClientToken", clientToken)]
        if let subnetId { params.append(("SubnetId", subnetId)) }
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
            throw CloudProviderError.providerError(ProviderFailure(code: "MalformedResponse", message: "RunInstances answered no instance"))
        }
        return instance
    }

    /// `DescribeInstances` by ids, or one page of all (filtered) instances.
    func describeInstances(ids: [String] = [], filters: [(String, [String])] = [], maxResults: Int? = nil,
                           nextToken: String? = nil) async throws -> (instances: [EC2Instance], nextToken: String?) {
        var params: [(String, String)] = []
        for (index, id) in ids.enumerated() { params.append(("InstanceId.\(index + 1)", id)) }
        for (index, filter) in filters.enumerated() {
            params.append(("Filter.\(index + 1).Name", filter.0))
            for (valueIndex, value) in filter.1.enumerated() { params.append(("Filter.\(index + 1).Value.\(valueIndex + 1)", value)) }
        }
        if let maxResults { params.append(("MaxResults", String(maxResults))) }
        if let nextToken { params.append(("NextToken", nextToken)) }
        let tree = try await call("DescribeInstances", params, subject: .init(resourceType: "instance", name: ids.first ?? "*"))
        return (EC2Instance.all(in: tree), tree.string("nextToken"))
    }

    func startInstance(_ id: String) async throws -> EC2StateChange { try await change("StartInstances", id) }
    func stopInstance(_ id: String) async throws -> EC2StateChange { try await change("StopInstances", id) }
    func terminateInstance(_ id: String) async throws -> EC2StateChange { try await change("TerminateInstances", id) }

    private func change(_ action: String, _ id: String) async throws -> EC2StateChange {
        let tree = try await call(action, [("InstanceId.1", id)], subject: .init(resourceType: "instance", name: id))
        guard let change = tree.items("instancesSet").compactMap(EC2StateChange.init).first else {
            throw CloudProviderError.providerError(ProviderFailure(code: "MalformedResponse", message: "\(action) answered no instance"))
        }
        return change
    }

    /// Imports an OpenSSH public key as a key pair named after its fingerprint, once: an
    /// existing pair of that name is reused. Returns the key pair's name.
    func importKeyPair(publicKey: String) async throws -> String {
        let name = "cloud-agent-" + Hex.encode(SHA256.hash(Array(publicKey.utf8))).prefix(16)
        do {
            _ = try await call("ImportKeyPair", [("KeyName", name), ("PublicKeyMaterial", Data(publicKey.utf8).base64EncodedString())],
                               subject: .init(resourceType: "key pair", name: name))
        } catch CloudProviderError.conflict {
            // InvalidKeyPair.Duplicate: imported before.
        } catch CloudProviderError.providerError(let failure) where failure.code == "InvalidKeyPair.Duplicate" {
            // Imported before.
        }
        return name
    }
}

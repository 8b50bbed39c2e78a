import CloudCore
import CryptoPrimitives
import Foundation

/// Compute Engine instances. An instance's id is `ZONE/NAME`; a bare name means the default
/// zone. Every mutation carries a `requestId` (from the caller's `clientToken` when given), so
/// Compute answers a retried call with the first call's operation.
extension GCPCloudProvider {
    /// The zone and name an id names.
    func locate(_ id: String) throws(CloudProviderError) -> (zone: String, name: String) {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (try defaultZone, id)
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return (String(parts[0]), String(parts[1]))
        default: throw .invalidRequest(field: "id", reason: "must be ZONE/NAME (or a name in the default zone), as listInstances answers")
        }
    }

    /// A UUID for `requestId`: derived from the caller's token (the same token, the same id),
    /// else fresh.
    static func requestID(from token: String?) -> String {
        guard let token else { return UUID().uuidString.lowercased() }
        var bytes = Array(SHA256.hash(Array("cloud-agent/\(token)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5-style (name-based)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = Hex.encode(bytes)
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }

    public func createInstance(_ request: CreateInstanceRequest) async throws -> Instance {
        try request.validate()
        try PortableRules.instanceName(request.name)
        if request.keyName != nil {
            throw CloudProviderError.invalidRequest(field: "keyName", reason: "Compute Engine has no key pairs; pass sshPublicKey")
        }
        let project = try await projectID()
        let zone = try request.zone ?? defaultZone
        var instance = ComputeInstance(name: request.name)
        instance.machineType = "zones/\(zone)/machineTypes/\(request.instanceType ?? Self.defaultInstanceType)"
        instance.disks = [.init(boot: true, autoDelete: true, source: nil,
                                initializeParams: .init(sourceImage: request.image ?? Self.defaultImage,
                                                        diskSizeGb: request.diskSizeGb.map(String.init)))]
        let external = request.publicIP ?? true
        instance.networkInterfaces = [.init(network: request.subnet == nil ? "global/networks/default" : nil, subnetwork: request.subnet,
                                            networkIP: nil,
                                            accessConfigs: external ? [.init(type: "ONE_TO_ONE_NAT", name: "External NAT", natIP: nil)] : nil)]
        instance.labels = request.tags.isEmpty ? nil : request.tags
        var items: [ComputeInstance.Item] = []
        if let script = request.userData { items.append(.init(key: "startup-script", value: script)) }
        if let key = request.sshPublicKey { items.append(.init(key: "ssh-keys", value: "\(Self.sshUser):\(key)")) }
        if !items.isEmpty { instance.metadata = .init(fingerprint: nil, items: items) }
        let operation = try await compute.insert(project: project, zone: zone, instance, requestID: Self.requestID(from: request.clientToken))
        let id = "\(zone)/\(request.name)"
        instanceOperations[id] = TrackedZoneOperation(name: operation.name, zone: zone, type: "insert")
        do {
            return try await getInstance(id: id)
        } catch CloudProviderError.notFound {
            var view = GCPStatusMapping.instance(instance, provider: name, zone: zone)
            view.state = .creating
            view.providerState = "PROVISIONING"
            view.instanceType = request.instanceType ?? Self.defaultInstanceType
            return view
        }
    }

    public func getInstance(id: String) async throws -> Instance {
        let project = try await projectID()
        let (zone, instanceName) = try locate(id)
        let key = "\(zone)/\(instanceName)"
        let tracked = instanceOperations[key]
        var operation: ComputeOperation?
        if let pending = tracked {
            operation = try await compute.getOperation(project: project, zone: pending.zone, pending.name)
        }
        let instance: ComputeInstance
        do {
            instance = try await compute.get(project: project, zone: zone, instanceName)
        } catch CloudProviderError.notFound {
            // A create that failed leaves nothing behind: say why, once.
            if let pending = tracked, pending.type == "insert", let operation, operation.isDone, let message = Self.failure(of: operation) {
                instanceOperations[key] = nil
                throw CloudProviderError.providerError(ProviderFailure(httpStatus: operation.httpErrorStatusCode, code: "OperationFailed",
                                                                       message: "creating instance '\(instanceName)' failed: \(message)"))
            }
            if tracked?.type == "delete" { instanceOperations[key] = nil }
            throw CloudProviderError.notFound(resourceType: "instance", name: id)
        }
        var view = GCPStatusMapping.instance(instance, provider: name, zone: zone)
        if let pending = tracked, let operation {
            if !operation.isDone {
                if pending.type == "delete" { view.state = .deleting }
            } else {
                instanceOperations[key] = nil
                if let message = Self.failure(of: operation) {
                    if pending.type == "insert" {
                        view.state = .failed
                    } else {
                        throw CloudProviderError.providerError(ProviderFailure(
                            httpStatus: operation.httpErrorStatusCode, code: "OperationFailed",
                            message: "\(pending.type) of instance '\(instanceName)' failed: \(message)"))
                    }
                }
            }
        }
        return view
    }

    static func failure(of operation: ComputeOperation) -> String? {
        guard let errors = operation.error?.errors, !errors.isEmpty else { return nil }
        return errors.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
    }

    public func listInstances(_ page: PageRequest, filter: InstanceFilter) async throws -> Page<Instance> {
        try filter.validate()
        let project = try await projectID()
        // Labels are filtered by Compute before it pages; states after (a page may hold fewer).
        let expression = filter.tags.isEmpty ? nil
            : filter.tags.sorted { $0.key < $1.key }.map { "(labels.\($0.key) = \"\($0.value.replacingOccurrences(of: "\"", with: "\\\""))\")" }
                .joined(separator: " ")
        let limit = max(1, min(500, page.limit))
        var instances: [Instance]
        var next: String?
        if let zone = filter.zone {
            let listed = try await compute.list(project: project, zone: zone, filter: expression, maxResults: limit, pageToken: page.pageToken)
            instances = (listed.items ?? []).map { GCPStatusMapping.instance($0, provider: name, zone: zone) }
            next = listed.nextPageToken
        } else {
            let listed = try await compute.aggregatedList(project: project, filter: expression, maxResults: limit, pageToken: page.pageToken)
            instances = (listed.items ?? [:]).sorted { $0.key < $1.key }.flatMap { scope, list in
                (list.instances ?? []).map { GCPStatusMapping.instance($0, provider: name, zone: GCPStatusMapping.lastSegment(scope)) }
            }
            next = listed.nextPageToken
        }
        for index in instances.indices where instanceOperations[instances[index].id]?.type == "delete" {
            instances[index].state = .deleting
        }
        if !filter.states.isEmpty { instances = instances.filter { filter.states.contains($0.state) } }
        return Page(items: instances.sorted { ($0.name, $0.id) < ($1.name, $1.id) }, nextPageToken: next.flatMap { $0.isEmpty ? nil : $0 })
    }

    public func startInstance(id: String) async throws -> Instance {
        var current = try await getInstance(id: id)
        if try current.startIsDone(id: id) { return current }
        try await act("start", on: current)
        current.state = .creating
        current.providerState = "STAGING"
        return current
    }

    /// Stopping always releases the instance's compute here: `deallocate` changes nothing.
    public func stopInstance(id: String, deallocate: Bool?) async throws -> Instance {
        var current = try await getInstance(id: id)
        switch current.state {
        case .stopped, .stopping: return current
        case .deleting, .deleted:
            throw CloudProviderError.conflict(resourceType: "instance", name: id, reason: "is \(current.providerState); a deleted instance cannot be stopped")
        default: break
        }
        try await act("stop", on: current)
        current.state = .stopping
        current.providerState = "STOPPING"
        return current
    }

    public func terminateInstance(id: String) async throws -> Instance {
        let current: Instance
        do {
            current = try await getInstance(id: id)
        } catch CloudProviderError.notFound {
            throw CloudProviderError.notFound(resourceType: "instance", name: id)
        }
        if current.state == .deleting { return current }
        try await act("delete", on: current)
        var result = current
        result.state = .deleting
        return result
    }

    /// Starts `verb` on the instance and follows its operation.
    private func act(_ verb: String, on instance: Instance) async throws {
        let project = try await projectID()
        let requestID = Self.requestID(from: nil)
        let operation: ComputeOperation
        switch verb {
        case "start": operation = try await compute.start(project: project, zone: instance.zone, instance.name, requestID: requestID)
        case "stop": operation = try await compute.stop(project: project, zone: instance.zone, instance.name, requestID: requestID)
        default: operation = try await compute.delete(project: project, zone: instance.zone, instance.name, requestID: requestID)
        }
        instanceOperations[instance.id] = TrackedZoneOperation(name: operation.name, zone: instance.zone, type: verb)
    }
}

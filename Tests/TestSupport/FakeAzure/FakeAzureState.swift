import CloudCore
import Foundation

/// A managed cluster of the fake.
struct FakeManagedCluster {
    var group: String
    var name: String
    var location: String
    var tags: [String: String]
    /// As asked (`1.29` or `1.29.9`), and the full version running.
    var kubernetesVersion: String
    var currentVersion: String
    var provisioningState = "Creating"
    var power = "Running"
    var dnsPrefix: String
    var aad: Bool
    var pools: [String: FakeAgentPool] = [:]
}

/// JSON kept as bytes, so the fake's state stays `Sendable`.
struct StoredJSON: Sendable {
    private var bytes: Data

    init(_ object: Any) {
        bytes = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
    }

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] ?? [:] }
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: bytes)) as? [[String: Any]] ?? [] }
}

/// An agent pool of the fake.
struct FakeAgentPool {
    var name: String
    var count: Int
    var vmSize: String
    var mode: String
    var orchestratorVersion: String
    var currentVersion: String
    var provisioningState = "Creating"
    var vnetSubnetID: String?
}

/// A virtual machine of the fake.
struct FakeVirtualMachine {
    var group: String
    var name: String
    var location: String
    var tags: [String: String]
    var zones: [String]?
    var storedProperties: StoredJSON
    var provisioningState = "Creating"
    /// `starting`, `running`, `stopping`, `stopped`, `deallocating`, `deallocated`; nil while creating.
    var power: String?
    var created = Date()
    /// The error of the last operation that failed, which the instance view shows until one succeeds.
    var failure: (code: String, message: String)?

    /// The `properties` it was created with.
    var properties: [String: Any] { storedProperties.object }
}

/// A network interface of the fake.
struct FakeNetworkInterface {
    var group: String
    var name: String
    var location: String
    var tags: [String: String]
    var storedConfigurations: StoredJSON
    var privateIP: String
    var provisioningState = "Succeeded"

    var ipConfigurations: [[String: Any]] { storedConfigurations.array }
}

/// A public IP address of the fake.
struct FakePublicIP {
    var group: String
    var name: String
    var location: String
    var tags: [String: String]
    var zones: [String]?
    var ipAddress: String?
    var provisioningState = "Updating"
}

/// A long-running operation and what happens when it is done.
struct FakeARMOperation {
    enum Effect {
        case createCluster(String), updateCluster(String, version: String?, pools: [String: (count: Int?, version: String?)])
        case deleteCluster(String)
        case putPool(String, pool: String), deletePool(String, pool: String)
        /// A power action; when it fails the VM is left `from` (its settled state before).
        case createVM(String), power(String, to: String, from: String?), deleteVM(String)
        case createNIC(String), createPublicIP(String), deleteNIC(String), deletePublicIP(String)

        /// The managed cluster an AKS operation acts on.
        var cluster: String? {
            switch self {
            case .createCluster(let key), .updateCluster(let key, _, _), .deleteCluster(let key), .putPool(let key, _), .deletePool(let key, _): key
            default: nil
            }
        }

        /// The agent pool an AKS operation acts on.
        var pool: String? {
            switch self {
            case .putPool(_, let pool), .deletePool(_, let pool): pool
            default: nil
            }
        }

        /// The network interface or public IP a Network operation acts on.
        var networkResource: String? {
            switch self {
            case .createNIC(let key), .createPublicIP(let key), .deleteNIC(let key), .deletePublicIP(let key): key
            default: nil
            }
        }

        /// The virtual machine a Compute operation acts on.
        var virtualMachine: String? {
            switch self {
            case .createVM(let key), .power(let key, _, _), .deleteVM(let key): key
            default: nil
            }
        }

        /// Whether it deletes its resource (its `Location` then answers 204 once it succeeded).
        var isDelete: Bool {
            switch self {
            case .deleteCluster, .deletePool, .deleteVM, .deleteNIC, .deletePublicIP: true
            default: false
            }
        }
    }

    var id: String
    var kind: String
    var provider: String
    var location: String
    var apiVersion: String
    var effect: Effect
    var started: ContinuousClock.Instant
    var startedAt: Date
    var error: (code: String, message: String)?
    var applied = false
    /// Ended before its time by a newer operation (status `Canceled`); its effect never happens.
    var canceled = false
    /// Network operations finish sooner.
    var duration: Duration
}

/// The fake's whole state, changed under one lock by `handle`.
struct FakeAzureState {
    let operationDuration: Duration
    let subscription: String
    var baseURL = ""
    var tokens: Set<String>
    var expired: Set<String> = []
    var injected: [(status: Int, retryAfter: Int?)] = []
    var failingOperations: [String: (code: String, message: String)] = [:]
    var clientSecrets: [String: String] = [:]
    var clientAssertions: [String: String] = [:]
    var grants = 0
    var pageSize = 2
    /// Answer 202s with `Location` alone, as resource providers may (no `Azure-AsyncOperation`).
    var locationOnly = false
    /// Operation kinds that do not end until released (an Azure that takes its time).
    var heldKinds: Set<String> = []
    /// Lowercased name → location.
    var resourceGroups: [String: String] = [:]
    /// Lowercased subnet resource ids.
    var subnets: Set<String> = []
    var clusters: [String: FakeManagedCluster] = [:]
    var vms: [String: FakeVirtualMachine] = [:]
    var nics: [String: FakeNetworkInterface] = [:]
    var publicIPs: [String: FakePublicIP] = [:]
    /// `group/name`, lowercased.
    var disks: Set<String> = []
    var operations: [String: FakeARMOperation] = [:]
    var counter = 0

    static let containerService = "2023-11-01"
    static let compute = "2023-09-01"
    static let network = "2023-09-01"
    /// Minor versions AKS offers here: patches, whether preview, whether default.
    static let versions: [(minor: String, patches: [String], preview: Bool, isDefault: Bool)] = [
        ("1.28", ["1.28.15"], false, false),
        ("1.29", ["1.29.9", "1.29.11"], false, false),
        ("1.30", ["1.30.5", "1.30.7"], false, true),
        ("1.31", ["1.31.1"], true, false),
    ]

    init(operationDuration: Duration, tokens: Set<String>, subscription: String) {
        self.operationDuration = operationDuration
        self.tokens = tokens
        self.subscription = subscription
        addResourceGroup("rg-test", location: "eastus")
    }

    mutating func addResourceGroup(_ name: String, location: String) {
        resourceGroups[name.lowercased()] = location
        subnets.insert("/subscriptions/\(subscription)/resourceGroups/\(name)/providers/Microsoft.Network/virtualNetworks/vnet-test/subnets/default".lowercased())
    }

    static func key(_ group: String, _ name: String) -> String { "\(group)/\(name)".lowercased() }

    // MARK: - Dispatch

    mutating func handle(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.url.path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        if request.method == "POST", path.count == 4, path[1] == "oauth2", path[2] == "v2.0", path[3] == "token" {
            return tokenGrant(tenant: path[0], request)
        }
        guard let header = request.header("authorization"), header.hasPrefix("Bearer ") else {
            return Self.error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        }
        let token = String(header.dropFirst(7))
        guard tokens.contains(token) else {
            let (code, message) = expired.contains(token)
                ? ("ExpiredAuthenticationToken", "The access token expiry UTC time '11/28/2026 21:00:00' is earlier than current UTC time '\(Self.timestamp(Date()))'.")
                : ("InvalidAuthenticationToken", "The access token is invalid.")
            return Self.error(401, code, message, headers: ["WWW-Authenticate": #"Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="\#(message)""#])
        }
        if !injected.isEmpty {
            let (status, retryAfter) = injected.removeFirst()
            return Self.error(status, status == 429 ? "TooManyRequests" : "ServiceUnavailable",
                              status == 429 ? "The request is being throttled." : "The service is temporarily unavailable.",
                              headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        }
        settle()
        let query = Dictionary((URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") },
                               uniquingKeysWith: { first, _ in first })
        guard path.count >= 2, path[0].lowercased() == "subscriptions" else {
            return Self.error(404, "InvalidResourceType", "The resource type could not be found.")
        }
        guard path[1] == subscription else {
            return Self.error(404, "SubscriptionNotFound", "The subscription '\(path[1])' could not be found.")
        }
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body.isEmpty ? Array("{}".utf8) : request.body))) as? [String: Any] ?? [:]
        let rest = Array(path.dropFirst(2))
        // Subscription-level: operations, lists, versions.
        if rest.count >= 2, rest[0].lowercased() == "providers" {
            return providerScope(request.method, provider: rest[1], Array(rest.dropFirst(2)), query: query)
        }
        guard rest.count >= 4, rest[0].lowercased() == "resourcegroups", rest[2].lowercased() == "providers" else {
            return Self.error(404, "InvalidResourceType", "The resource type could not be found.")
        }
        let group = rest[1]
        guard resourceGroups[group.lowercased()] != nil else {
            return Self.error(404, "ResourceGroupNotFound", "Resource group '\(group)' could not be found.")
        }
        let provider = rest[3]
        let remainder = Array(rest.dropFirst(4))
        switch provider.lowercased() {
        case "microsoft.containerservice":
            guard let problem = Self.checkVersion(query, Self.containerService) else {
                return containerService(request.method, group: group, remainder, query: query, body: body)
            }
            return problem
        case "microsoft.compute":
            guard let problem = Self.checkVersion(query, Self.compute) else { return compute(request.method, group: group, remainder, query: query, body: body) }
            return problem
        case "microsoft.network":
            guard let problem = Self.checkVersion(query, Self.network) else { return network(request.method, group: group, remainder, query: query, body: body) }
            return problem
        default:
            return Self.error(400, "MissingSubscriptionRegistration", "The subscription is not registered to use namespace '\(provider)'.")
        }
    }

    /// The regions the fake offers (ARM's short names).
    static let locations: Set<String> = ["eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
                                         "canadacentral", "brazilsouth", "northeurope", "westeurope", "uksouth", "francecentral",
                                         "germanywestcentral", "swedencentral", "japaneast", "australiaeast", "southeastasia", "centralindia"]

    /// ARM's 400 for a location the resource type is not offered in, or nil.
    static func checkLocation(_ location: String, type: String) -> HTTPResponse? {
        guard !locations.contains(location.lowercased().replacingOccurrences(of: " ", with: "")) else { return nil }
        return error(400, "LocationNotAvailableForResourceType",
                     "The provided location '\(location)' is not available for resource type '\(type)'. List of available regions for the resource type is '\(locations.sorted().joined(separator: ","))'.")
    }

    static func checkVersion(_ query: [String: String], _ expected: String) -> HTTPResponse? {
        guard let version = query["api-version"] else {
            return error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
        }
        guard version == expected else {
            return error(400, "InvalidApiVersionParameter", "The api-version '\(version)' is invalid. The supported versions are '\(expected)'.")
        }
        return nil
    }

    /// `/subscriptions/S/providers/P/…`: operation statuses and results, subscription lists,
    /// Kubernetes versions.
    private mutating func providerScope(_ method: String, provider: String, _ rest: [String], query: [String: String]) -> HTTPResponse {
        let lower = rest.map { $0.lowercased() }
        if rest.count == 4, lower[0] == "locations", lower[2] == "operations" || lower[2] == "operationresults" {
            guard let operation = operations[rest[3]], operation.provider.lowercased() == provider.lowercased(),
                  operation.location.lowercased() == rest[1].lowercased() else {
                return Self.error(404, "NotFound", "The operation '\(rest[3])' was not found in location '\(rest[1])'.")
            }
            // Compute's Location is its status URL with `monitor=true`.
            return lower[2] == "operations" && query["monitor"] != "true" ? asyncStatus(operation) : locationResult(operation)
        }
        if provider.lowercased() == "microsoft.compute", lower == ["virtualmachines"], method == "GET" {
            if let problem = Self.checkVersion(query, Self.compute) { return problem }
            return listAllVirtualMachines(query: query)
        }
        if provider.lowercased() == "microsoft.containerservice" {
            if let problem = Self.checkVersion(query, Self.containerService) { return problem }
            if rest == ["managedClusters"], method == "GET" {
                return page(clusters.values.sorted { ($0.group, $0.name) < ($1.group, $1.name) }.map(clusterJSON), query: query,
                            path: "/subscriptions/\(subscription)/providers/Microsoft.ContainerService/managedClusters")
            }
            if rest.count == 3, rest[0] == "locations", rest[2] == "kubernetesVersions", method == "GET" {
                return Self.json(200, ["values": Self.versions.map { minor -> [String: Any] in
                    var patches: [String: Any] = [:]
                    for patch in minor.patches { patches[patch] = ["upgrades": Self.upgrades(from: patch)] }
                    var entry: [String: Any] = ["version": minor.minor, "isPreview": minor.preview, "patchVersions": patches,
                                                "capabilities": ["supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]]]
                    if minor.isDefault { entry["isDefault"] = true }
                    return entry
                }])
            }
        }
        return Self.error(404, "InvalidResourceType", "The resource type '\(rest.joined(separator: "/"))' could not be found in the namespace '\(provider)'.")
    }

    /// A page of `items`, with a `nextLink` on this server when more remain; the link keeps
    /// the request's other query parameters (`statusOnly` …), as ARM's do.
    func page(_ items: [[String: Any]], query: [String: String], path: String) -> HTTPResponse {
        let start = Int(query["$skipToken"] ?? "0") ?? 0
        let slice = Array(items.dropFirst(start).prefix(pageSize))
        var json: [String: Any] = ["value": slice]
        if start + pageSize < items.count {
            var components = URLComponents(string: baseURL + path)!
            components.queryItems = query.filter { $0.key != "$skipToken" }.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
                + [URLQueryItem(name: "$skipToken", value: String(start + pageSize))]
            json["nextLink"] = components.url!.absoluteString
        }
        return Self.json(200, json)
    }

    // MARK: - Versions

    static func allPatches(includingPreview: Bool = false) -> [String] {
        versions.filter { includingPreview || !$0.preview }.flatMap(\.patches)
    }

    static func minor(_ version: String) -> (Int, Int) {
        let parts = version.split(separator: ".").compactMap { Int($0) }
        return (parts.count > 0 ? parts[0] : 0, parts.count > 1 ? parts[1] : 0)
    }

    /// The full version `asked` (`1.29` → its newest patch), if AKS offers it.
    static func resolve(_ asked: String) -> String? {
        if let exact = allPatches(includingPreview: true).first(where: { $0 == asked }) { return exact }
        return versions.first { $0.minor == asked }?.patches.last
    }

    /// Newer patches of the same minor and the patches of the next minor.
    static func upgrades(from version: String) -> [String] {
        let (major, minor) = self.minor(version)
        return allPatches(includingPreview: true).filter {
            let target = self.minor($0)
            return target.0 == major && (target.1 == minor + 1 || (target.1 == minor && $0.compare(version, options: .numeric) == .orderedDescending))
        }
    }

    // MARK: - Operations

    /// Starts an operation; answers the headers that point to it.
    mutating func startOperation(kind: String, provider: String, location: String, apiVersion: String, effect: FakeARMOperation.Effect,
                                 quick: Bool = false) -> [String: String] {
        counter += 1
        let id = String(format: "%08x-0000-4000-8000-%012x", counter * 2_654_435_761 % 0xFFFF_FFFF, counter)
        let operation = FakeARMOperation(id: id, kind: kind, provider: provider, location: location, apiVersion: apiVersion, effect: effect,
                                         started: .now, startedAt: Date(), error: failingOperations.removeValue(forKey: kind),
                                         duration: quick ? operationDuration / 3 : operationDuration)
        operations[id] = operation
        return headers(of: operation)
    }

    /// The `Azure-AsyncOperation` and `Location` URLs of an operation, each resource provider's
    /// own form of the latter: Compute's is its status URL with `monitor=true`, Network's
    /// `operationResults`, AKS's `operationresults`.
    func headers(of operation: FakeARMOperation) -> [String: String] {
        let scope = "\(baseURL)/subscriptions/\(subscription)/providers/\(operation.provider)/locations/\(operation.location)"
        let version = "api-version=\(operation.apiVersion)"
        let location = switch operation.provider.lowercased() {
        case "microsoft.compute": "\(scope)/operations/\(operation.id)?monitor=true&\(version)"
        case "microsoft.network": "\(scope)/operationResults/\(operation.id)?\(version)"
        default: "\(scope)/operationresults/\(operation.id)?\(version)"
        }
        return ["Azure-AsyncOperation": "\(scope)/operations/\(operation.id)?\(version)", "Location": location, "Retry-After": "0"]
    }

    /// The 202 that answers a delete or an action: both URLs, or `Location` alone when so set.
    func accepted(_ headers: [String: String]) -> HTTPResponse {
        HTTPResponse(status: 202, headers: locationOnly ? headers.filter { $0.key != "Azure-AsyncOperation" } : headers)
    }

    /// The operations still running that `matching` picks, oldest first.
    func running(_ matching: (FakeARMOperation.Effect) -> Bool) -> [FakeARMOperation] {
        operations.values.filter { !$0.applied && matching($0.effect) }.sorted { $0.started < $1.started }
    }

    /// Whether an operation still runs on the cluster (AKS refuses a second one).
    func busy(cluster key: String) -> Bool {
        !running { $0.cluster == key }.isEmpty
    }

    /// Ends the running operations `matching` picks as `Canceled` with this error, before their
    /// effect: a newer operation took over.
    mutating func preempt(_ matching: (FakeARMOperation.Effect) -> Bool, code: String, message: String) {
        for operation in running(matching) {
            operations[operation.id]?.applied = true
            operations[operation.id]?.canceled = true
            operations[operation.id]?.error = (code, message)
        }
    }

    private func asyncStatus(_ operation: FakeARMOperation) -> HTTPResponse {
        var json: [String: Any] = ["id": "/subscriptions/\(subscription)/providers/\(operation.provider)/locations/\(operation.location)/operations/\(operation.id)",
                                   "name": operation.id, "startTime": Self.timestamp(operation.startedAt)]
        guard operation.applied else {
            json["status"] = "InProgress"
            return Self.json(200, json, headers: ["Retry-After": "0"])
        }
        json["endTime"] = Self.timestamp(Date())
        if let error = operation.error {
            json["status"] = operation.canceled ? "Canceled" : "Failed"
            json["error"] = ["code": error.code, "message": error.message]
        } else {
            json["status"] = "Succeeded"
        }
        return Self.json(200, json)
    }

    /// The `Location` URL: 202 while it runs, then the outcome as a status: the error (409 when
    /// a newer operation canceled it), 204 for a delete, 200 otherwise.
    private func locationResult(_ operation: FakeARMOperation) -> HTTPResponse {
        guard operation.applied else { return HTTPResponse(status: 202, headers: ["Retry-After": "0", "Content-Length": "0"]) }
        if let error = operation.error { return Self.error(operation.canceled ? 409 : 400, error.code, error.message) }
        if operation.effect.isDelete { return HTTPResponse(status: 204) }
        if case .power = operation.effect { return HTTPResponse(status: 200, headers: ["Content-Length": "0"]) }
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
    }

    /// Applies every operation whose time is up.
    mutating func settle() {
        let now = ContinuousClock.now
        for (id, operation) in operations.sorted(by: { $0.value.started < $1.value.started })
        where !operation.applied && now - operation.started >= operation.duration && !heldKinds.contains(operation.kind) {
            operations[id]!.applied = true
            apply(operation)
        }
    }

    /// Where an operation that has not finished leaves a resource, and what it does at the end.
    private mutating func apply(_ operation: FakeARMOperation) {
        let failed = operation.error != nil
        switch operation.effect {
        case .createCluster(let key):
            clusters[key]?.provisioningState = failed ? "Failed" : "Succeeded"
            for pool in clusters[key]?.pools.keys.map({ $0 }) ?? [] { clusters[key]?.pools[pool]?.provisioningState = failed ? "Failed" : "Succeeded" }
        case .updateCluster(let key, let version, let pools):
            clusters[key]?.provisioningState = failed ? "Failed" : "Succeeded"
            guard !failed else { return }
            if let version, let full = Self.resolve(version) { clusters[key]?.currentVersion = full }
            for (name, change) in pools {
                if let count = change.count { clusters[key]?.pools[name]?.count = count }
                if let version = change.version, let full = Self.resolve(version) { clusters[key]?.pools[name]?.currentVersion = full }
            }
            for pool in clusters[key]?.pools.keys.map({ $0 }) ?? [] { clusters[key]?.pools[pool]?.provisioningState = "Succeeded" }
        case .deleteCluster(let key):
            if failed { clusters[key]?.provisioningState = "Failed" } else { clusters[key] = nil }
        case .putPool(let key, let pool):
            clusters[key]?.pools[pool]?.provisioningState = failed ? "Failed" : "Succeeded"
            if !failed, let version = clusters[key]?.pools[pool]?.orchestratorVersion, let full = Self.resolve(version) {
                clusters[key]?.pools[pool]?.currentVersion = full
            }
        case .deletePool(let key, let pool):
            if failed { clusters[key]?.pools[pool]?.provisioningState = "Failed" } else { clusters[key]?.pools[pool] = nil }
        case .createVM(let key):
            vms[key]?.power = failed ? nil : "running"
            settleVM(key, failure: operation.error)
        case .power(let key, let target, let previous):
            vms[key]?.power = failed ? previous : target
            settleVM(key, failure: operation.error)
        case .deleteVM(let key):
            guard !failed, let vm = vms.removeValue(forKey: key) else {
                settleVM(key, failure: operation.error)
                return
            }
            deleteAttachments(of: vm)
        case .deleteNIC(let key):
            if failed { nics[key]?.provisioningState = "Failed" } else { nics[key] = nil }
        case .deletePublicIP(let key):
            if failed { publicIPs[key]?.provisioningState = "Failed" } else { publicIPs[key] = nil }
        case .createNIC(let key):
            nics[key]?.provisioningState = failed ? "Failed" : "Succeeded"
        case .createPublicIP(let key):
            publicIPs[key]?.provisioningState = failed ? "Failed" : "Succeeded"
            if !failed {
                counter += 1
                publicIPs[key]?.ipAddress = "20.42.\(counter / 250).\(counter % 250 + 1)"
            }
        }
    }

    // MARK: - Answers

    static func json(_ status: Int, _ object: Any, headers: [String: String] = [:]) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var all = ["Content-Type": "application/json; charset=utf-8", "x-ms-request-id": UUID().uuidString.lowercased(),
                   "x-ms-correlation-request-id": UUID().uuidString.lowercased()]
        all.merge(headers) { _, given in given }
        return HTTPResponse(status: status, headers: all, body: Array(data))
    }

    static func error(_ status: Int, _ code: String, _ message: String, target: String? = nil, headers: [String: String] = [:]) -> HTTPResponse {
        var error: [String: Any] = ["code": code, "message": message]
        if let target { error["target"] = target }
        return json(status, ["error": error], headers: headers)
    }

    static func notFound(_ type: String, _ name: String, group: String) -> HTTPResponse {
        error(404, "ResourceNotFound", "The Resource '\(type)/\(name)' under resource group '\(group)' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}

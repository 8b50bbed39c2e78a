import CloudCore
import Foundation
import Synchronization

/// Azure Resource Manager (AKS managed clusters and agent pools, virtual machines, network
/// interfaces and public IPs) and Microsoft Entra's token endpoint, as their REST references
/// describe them, served over real HTTP on 127.0.0.1 for tests.
///
/// Lists come in pages (`setPageSize`) linked by `nextLink`s that keep the request's query;
/// the subscription's VMs list with `statusOnly=true` answers each VM's instance view alone.
///
/// Every call needs the right `api-version` (ContainerService 2023-11-01, Compute and Network
/// 2023-09-01) and `Authorization: Bearer` with an accepted token. Mutations that take time
/// answer 201 or 202 with `Azure-AsyncOperation` (and, for deletes and power actions,
/// `Location`, in each resource provider's own form) URLs on this server and `Retry-After`; a
/// resource changes when its operation is done, `operationDuration` later, as on Azure.
/// Newer operations take over as on Azure: a VM's power action or delete preempts the action
/// under way (`OperationPreempted`), a cluster or pool delete the operations on it
/// (`AKSOperationPreemptedByDelete`); the older ones end `Canceled`. A failed VM operation
/// leaves the VM `Failed`, its code and message in the instance view. Unknown regions, reserved
/// admin user names and SSH keys Azure does not take are refused as ARM does. Failures can be
/// injected; everything received stays inspectable. The resource group `rg-test` (eastus)
/// with the subnet `vnet-test/default` exists from the start.
///
/// Operation kinds for `failNextOperation`: `createCluster`, `updateCluster` (a PUT of an
/// existing cluster: upgrade or scale), `deleteCluster`, `createAgentPool`, `updateAgentPool`,
/// `deleteAgentPool`, `createVM`, `start`, `powerOff`, `deallocate`, `deleteVM`,
/// `createNetworkInterface`, `createPublicIP`, `deleteNetworkInterface`, `deletePublicIP`.
public final class FakeAzure: Sendable {
    public let server: LoopbackHTTPServer
    public var baseURL: URL { server.baseURL }
    private let box: Box

    private final class Box: Sendable {
        let state: Mutex<FakeAzureState>
        init(_ state: FakeAzureState) { self.state = Mutex(state) }
    }

    /// - Parameters:
    ///   - operationDuration: how long each long-running operation runs.
    ///   - tokens: the bearer tokens accepted.
    ///   - subscription: the one subscription this fake serves.
    public init(operationDuration: Duration = .milliseconds(300), tokens: Set<String> = ["fake-arm-token"],
                subscription: String = "00000000-0000-0000-0000-000000000001") throws {
        let box = Box(FakeAzureState(operationDuration: operationDuration, tokens: tokens, subscription: subscription))
        self.box = box
        server = try LoopbackHTTPServer { request in
            box.state.withLock { $0.handle(request) }
        }
        let base = server.baseURL.absoluteString
        box.state.withLock { $0.baseURL = base }
    }

    /// Accepts `token` from now on.
    public func acceptToken(_ token: String) { box.state.withLock { _ = $0.tokens.insert(token) } }

    /// Refuses `token` from now on as expired (401 ExpiredAuthenticationToken).
    public func expireToken(_ token: String) {
        box.state.withLock { state in
            state.tokens.remove(token)
            state.expired.insert(token)
        }
    }

    /// The tokens the token endpoint issued, refused from now on as expired.
    public func expireIssuedTokens() {
        box.state.withLock { state in
            for token in state.tokens where token.contains(".issued-") {
                state.tokens.remove(token)
                state.expired.insert(token)
            }
        }
    }

    /// The next `count` ARM requests answer `status` (429 TooManyRequests or 503
    /// ServiceUnavailable), with `Retry-After` when given.
    public func failNext(_ count: Int, status: Int, retryAfterSeconds: Int? = nil) {
        box.state.withLock { $0.injected = Array(repeating: (status, retryAfterSeconds), count: count) }
    }

    /// The next operation of `kind` (see the type's documentation) ends Failed with this error.
    public func failNextOperation(kind: String, code: String, message: String) {
        box.state.withLock { $0.failingOperations[kind] = (code, message) }
    }

    /// Honours the client-credentials grant of `clientID` in `tenant` with `secret`.
    public func acceptClientSecret(tenant: String, clientID: String, secret: String) {
        box.state.withLock { $0.clientSecrets["\(tenant)/\(clientID)"] = secret }
    }

    /// Honours the client-credentials grant of `clientID` in `tenant` with `assertion` (workload identity).
    public func acceptClientAssertion(tenant: String, clientID: String, assertion: String) {
        box.state.withLock { $0.clientAssertions["\(tenant)/\(clientID)"] = assertion }
    }

    /// Adds a resource group (with a virtual network `vnet-test` and its subnet `default`).
    public func addResourceGroup(_ name: String, location: String) {
        box.state.withLock { $0.addResourceGroup(name, location: location) }
    }

    /// Whether deletes and actions answer 202 with `Location` alone, without
    /// `Azure-AsyncOperation` (the ARM contract lets a resource provider do so).
    public func answerWithLocationOnly(_ on: Bool = true) { box.state.withLock { $0.locationOnly = on } }

    /// Operations of these kinds (see the type's documentation) run until
    /// `releaseOperations()`, so another client's call surely lands while they run.
    public func holdOperations(kinds: Set<String>) { box.state.withLock { $0.heldKinds = kinds } }

    /// Lets held operations end (those whose time is up end at the next request).
    public func releaseOperations() { box.state.withLock { $0.heldKinds = [] } }

    /// How many items a list page holds (default 2).
    public func setPageSize(_ size: Int) { box.state.withLock { $0.pageSize = max(1, size) } }

    /// How many tokens the token endpoint issued.
    public var tokenGrants: Int { box.state.withLock { $0.grants } }

    /// The network interfaces of a resource group, by name.
    public func networkInterfaceNames(resourceGroup: String) -> [String] {
        box.state.withLock { $0.nics.values.filter { $0.group.lowercased() == resourceGroup.lowercased() }.map(\.name).sorted() }
    }

    /// The public IP addresses of a resource group, by name.
    public func publicIPNames(resourceGroup: String) -> [String] {
        box.state.withLock { $0.publicIPs.values.filter { $0.group.lowercased() == resourceGroup.lowercased() }.map(\.name).sorted() }
    }

    /// The managed disks of a resource group, by name.
    public func diskNames(resourceGroup: String) -> [String] {
        box.state.withLock { $0.disks.filter { $0.hasPrefix(resourceGroup.lowercased() + "/") }.map { String($0.split(separator: "/")[1]) }.sorted() }
    }

    /// Every request received so far, in order.
    public var receivedRequests: [HTTPRequest] { server.receivedRequests }
}

import CloudCore
import CryptoPrimitives
import Diagnostics
import Foundation
import Synchronization

/// The cluster steps an `aws` provider has promised and not yet taken, in a file of the agent's
/// state directory, so that an agent that restarts, or the next one-shot `cloud-agent call`,
/// takes them up when it looks at the cluster.
///
/// EKS has no call for "a cluster with nodes" or "delete a cluster and its node groups": the
/// agent adds the initial node group once the cluster is active, and deletes the cluster once
/// its node groups are gone. Each step is written here before it begins and removed once it is
/// seen through. The file is JSON (mode 0600, replaced atomically); processes sharing it take
/// turns under an exclusive lock. Without a path (tests) the journal lives in memory only.
final class ClusterStepJournal: Sendable {
    /// One promised step.
    struct Entry: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable { case createInitialNodegroup, deleteAfterNodegroups }
        var kind: Kind
        var cluster: String
        var region: String
        /// The initial node group's size and instance type (create steps).
        var nodeCount: Int?
        var nodeType: String?
        /// Whether CreateNodegroup was accepted; the entry stays until the group is active.
        var requested: Bool?
    }

    private struct Contents: Codable {
        var formatVersion = 1
        var steps: [Entry] = []
    }

    let path: String?
    private let memory = Mutex<[Entry]>([])
    private let logger: Logger

    init(path: String?, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// The steps promised for `cluster` in `region`.
    func entries(cluster: String, region: String) -> [Entry] {
        read().filter { $0.cluster == cluster && $0.region == region }
    }

    /// The entry of `kind` for `cluster`, if any.
    func entry(_ kind: Entry.Kind, cluster: String, region: String) -> Entry? {
        entries(cluster: cluster, region: region).first { $0.kind == kind }
    }

    /// Adds or replaces the entry of the same kind and cluster.
    func put(_ entry: Entry) {
        change { steps in
            steps.removeAll { $0.kind == entry.kind && $0.cluster == entry.cluster && $0.region == entry.region }
            steps.append(entry)
        }
    }

    /// Removes the entries of `cluster` (of `kind`, or all).
    func remove(_ kind: Entry.Kind? = nil, cluster: String, region: String) {
        change { steps in steps.removeAll { $0.cluster == cluster && $0.region == region && (kind == nil || $0.kind == kind) } }
    }

    private func read() -> [Entry] {
        guard let path else { return memory.withLock { $0 } }
        do {
            guard let bytes = try AtomicFile.read(path) else { return [] }
            return try JSONDecoder().decode(Contents.self, from: Data(bytes)).steps
        } catch {
            logger.error("cannot read the step journal \(path) (\(error)); its steps are not taken up")
            return []
        }
    }

    private func change(_ body: (inout [Entry]) -> Void) {
        guard let path else {
            memory.withLock { body(&$0) }
            return
        }
        do {
            try FileLock.withExclusiveLock(on: path) { () throws -> Void in
                var steps = read()
                body(&steps)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                try AtomicFile.write(Array(try encoder.encode(Contents(steps: steps))), to: path)
            }
        } catch {
            // The step still runs in this agent; only taking it up elsewhere is lost.
            logger.error("cannot update the step journal \(path): \(error)")
        }
    }
}

import AWSProvider
import AzureProvider
import GCPProvider
import CloudCore
import Diagnostics
import Foundation
import JSONRPC
import LocalProvider

/// The configured providers of one agent, by name: one actor each, chosen per call by the
/// `provider` param, added or replaced at run time by `configureProvider`.
///
/// - Important: Replacing a provider affects later calls only; calls already running on the
///   old instance finish on it. Local providers keep their resources in a state file, so a
///   replacement with the same file sees the same resources.
public actor ProviderRegistry {
    private struct Entry {
        var configuration: ProviderConfiguration
        var provider: any CloudProvider
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    public nonisolated let defaultProvider: String
    private let paths: AgentPaths
    private let logger: Logger

    public init(configuration: AgentConfiguration, paths: AgentPaths, logger: Logger) {
        self.defaultProvider = configuration.defaultProvider
        self.paths = paths
        self.logger = logger
        for provider in configuration.providers {
            entries[provider.name] = Entry(configuration: provider,
                                           provider: Self.makeProvider(provider, paths: paths, fromFile: true, logger: logger))
            order.append(provider.name)
        }
    }

    /// The provider called `name` (nil means the default).
    func provider(named name: String?) throws(RPCError) -> any CloudProvider {
        let name = name ?? defaultProvider
        guard let entry = entries[name] else {
            throw RPCError.invalidParams(param: "provider", reason: "names no configured provider (configured: \(order.joined(separator: ", "))); add one with configureProvider or the config file")
        }
        return entry.provider
    }

    /// Adds or replaces a provider; returns its description (secrets redacted).
    func configure(_ configuration: ProviderConfiguration) -> JSONValue {
        if entries[configuration.name] == nil { order.append(configuration.name) }
        entries[configuration.name] = Entry(configuration: configuration,
                                            provider: Self.makeProvider(configuration, paths: paths, fromFile: false, logger: logger))
        logger.info("provider '\(configuration.name)' (\(configuration.kind.rawValue)) configured")
        return ProviderEntryParser.describe(configuration, isDefault: configuration.name == defaultProvider)
    }

    /// Every provider, in configuration order, secrets redacted.
    func descriptions() -> [JSONValue] {
        order.map { ProviderEntryParser.describe(entries[$0]!.configuration, isDefault: $0 == defaultProvider) }
    }

    /// The steps providers still take on their own, as "provider: step".
    public func backgroundWork() async -> [String] {
        var work: [String] = []
        for name in order {
            work += await entries[name]!.provider.backgroundWork().map { "\(name): \($0)" }
        }
        return work
    }

    /// Returns once every provider's background work is done.
    public func finishBackgroundWork() async {
        for name in order {
            await entries[name]!.provider.finishBackgroundWork()
        }
    }

    /// Wait counters per provider.
    func statistics() async -> [(String, WaitStatistics)] {
        var result: [(String, WaitStatistics)] = []
        for name in order {
            result.append((name, await entries[name]!.provider.waiters.statistics()))
        }
        return result
    }

    /// - Parameter fromFile: whether the provider was read from the config file (so the
    ///   credential plugins of its kubeconfigs can read its settings there too).
    private static func makeProvider(_ configuration: ProviderConfiguration, paths: AgentPaths, fromFile: Bool,
                                     logger: Logger) -> any CloudProvider {
        let invocation = AgentInvocation(configFile: fromFile ? paths.configFile : nil)
        switch configuration.kind {
        case .local:
            return LocalCloudProvider(configuration: configuration, stateDirectory: paths.stateDirectory,
                                      logger: logger.child("provider \(configuration.name)"))
        case .aws:
            return AWSCloudProvider(configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger,
                                    invocation: invocation, stateDirectory: paths.stateDirectory)
        case .gcp:
            return GCPCloudProvider(configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger,
                                    invocation: invocation)
        case .azure:
            return AzureCloudProvider(configuration: configuration, environment: ProcessInfo.processInfo.environment, logger: logger,
                                      invocation: invocation)
        }
    }
}

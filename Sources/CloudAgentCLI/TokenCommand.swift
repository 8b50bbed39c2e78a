import Agent
import AWSProvider
import AzureProvider
import CloudCore
import GCPProvider
import Diagnostics
import Foundation

/// `cloud-agent token eks|gcp|azure …`: prints an `ExecCredential` for kubectl (the exec plugin of the
/// kubeconfigs the agent writes). The token goes to stdout, anything else to stderr.
enum TokenCommand {
    static func runEKS(_ options: EKSTokenCommand.Options, logger: Logger) -> Int32 {
        var options = options
        let environment = ProcessInfo.processInfo.environment
        if let provider = options.provider {
            fill(&options, fromProvider: provider, environment: environment, logger: logger)
        }
        let finalOptions = options
        let outcome = runBlocking { () async -> Result<String, any Error> in
            do {
                return .success(try await EKSTokenCommand.execCredential(finalOptions, environment: environment, logger: logger))
            } catch {
                return .failure(error)
            }
        }
        return finish(outcome, cloud: "eks")
    }

    /// `cloud-agent token gcp|azure [--provider NAME [--config FILE]]`.
    static func runBearer(_ kind: ProviderKind, provider: String?, configFile: String?, logger: Logger) -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let settings = provider.flatMap { providerSettings($0, kind: kind, configFile: configFile, environment: environment, logger: logger) }
        let outcome = runBlocking { () async -> Result<String, any Error> in
            do {
                switch kind {
                case .azure: return .success(try await AzureTokenCommand.execCredential(settings: settings, environment: environment, logger: logger))
                default: return .success(try await GCPTokenCommand.execCredential(settings: settings, environment: environment, logger: logger))
                }
            } catch {
                return .failure(error)
            }
        }
        return finish(outcome, cloud: kind.rawValue)
    }

    /// Prints the credential (status 0) or the error (status 1).
    private static func finish(_ outcome: Result<String, any Error>, cloud: String) -> Int32 {
        switch outcome {
        case .success(let credential):
            writeStdout(credential + "\n")
            return 0
        case .failure(let error):
            writeStderr("cloud-agent token \(cloud): \(error)\n")
            return 1
        }
    }

    /// Takes the settings of the config file's provider `name` (its keys included) for what
    /// the options leave out. A provider that is not there (a kubeconfig copied to another
    /// machine, say) leaves the default credential chain to find credentials, with a warning.
    private static func fill(_ options: inout EKSTokenCommand.Options, fromProvider name: String, environment: [String: String],
                             logger: Logger) {
        if let entry = providerSettings(name, kind: .aws, configFile: options.configFile, environment: environment, logger: logger) {
            options.fill(from: entry)
        }
    }

    /// The config file's provider `name` of `kind`, or nil (with a warning: the default
    /// credential chain then applies).
    private static func providerSettings(_ name: String, kind: ProviderKind, configFile: String?, environment: [String: String],
                                         logger: Logger) -> ProviderConfiguration? {
        let paths = AgentPaths.resolve(explicitConfig: configFile, environment: environment)
        do {
            let configuration = try AgentConfiguration.load(paths, logger: logger)
            if let entry = configuration.providers.first(where: { $0.name == name }), entry.kind == kind { return entry }
            logger.warning("\(paths.configFile) has no \(kind.rawValue) provider '\(name)'; using the default credential chain")
        } catch {
            logger.warning("cannot read the provider '\(name)' from \(paths.configFile) (\(error)); using the default credential chain")
        }
        return nil
    }
}

import Agent
import AWSProvider
import Diagnostics
import Foundation

/// `cloud-agent token eks …`: prints an `ExecCredential` for kubectl (the exec plugin of the
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
        switch outcome {
        case .success(let credential):
            writeStdout(credential + "\n")
            return 0
        case .failure(let error):
            writeStderr("cloud-agent token eks: \(error)\n")
            return 1
        }
    }

    /// Takes the settings of the config file's provider `name` (its keys included) for what
    /// the options leave out. A provider that is not there (a kubeconfig copied to another
    /// machine, say) leaves the default credential chain to find credentials, with a warning.
    private static func fill(_ options: inout EKSTokenCommand.Options, fromProvider name: String, environment: [String: String],
                             logger: Logger) {
        let paths = AgentPaths.resolve(explicitConfig: options.configFile, environment: environment)
        do {
            let configuration = try AgentConfiguration.load(paths, logger: logger)
            if let entry = configuration.providers.first(where: { $0.name == name }), entry.kind == .aws {
                options.fill(from: entry)
            } else {
                logger.warning("\(paths.configFile) has no aws provider '\(name)'; using the default credential chain")
            }
        } catch {
            logger.warning("cannot read the provider '\(name)' from \(paths.configFile) (\(error)); using the default credential chain")
        }
    }
}

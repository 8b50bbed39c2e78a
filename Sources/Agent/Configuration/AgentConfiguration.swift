#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Diagnostics
import JSONRPC

/// The agent's config file: named providers and which one calls use by default.
///
/// ```json
/// {"defaultProvider": "prod",
///  "providers": [{"name": "prod", "kind": "aws", "region": "eu-west-1", "profile": "prod"}]}
/// ```
/// A provider named `local` (kind `local`, `timeScale` 1) exists unless the file defines one.
public struct AgentConfiguration: Sendable, Equatable {
    /// Why the config file cannot be used; the agent refuses to start rather than guess.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let field: String
        public let reason: String
        public var description: String {
            "config file \(path): " + (field.isEmpty ? reason : "'\(field)' \(reason)")
        }
    }

    /// The name calls use when they give no `provider`.
    public static let builtInProviderName = "local"

    public var providers: [ProviderConfiguration]
    public var defaultProvider: String

    public init(providers: [ProviderConfiguration] = [], defaultProvider: String = AgentConfiguration.builtInProviderName) {
        var all = providers
        if !all.contains(where: { $0.name == Self.builtInProviderName }) {
            all.insert(ProviderConfiguration(name: Self.builtInProviderName, kind: .local), at: 0)
        }
        self.providers = all
        self.defaultProvider = defaultProvider
    }

    /// Reads the config file at `paths.configFile`; a missing default file means defaults.
    public static func load(_ paths: AgentPaths, logger: Logger) throws(Problem) -> AgentConfiguration {
        let path = paths.configFile
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw Problem(path: path, field: "", reason: error.description)
        }
        guard let bytes else {
            if paths.configFileIsExplicit { throw Problem(path: path, field: "", reason: "does not exist") }
            return AgentConfiguration()
        }
        let configuration = try parse(bytes, path: path)
        warnIfExposed(path: path, configuration: configuration, logger: logger)
        return configuration
    }

    static func parse(_ bytes: [UInt8], path: String) throws(Problem) -> AgentConfiguration {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw Problem(path: path, field: "", reason: "is not valid JSON: \(error.detail) at byte \(error.offset)")
        }
        guard case .object(let members) = document else { throw Problem(path: path, field: "", reason: "must hold a JSON object") }
        for key in members.keys.sorted() where key != "providers" && key != "defaultProvider" {
            throw Problem(path: path, field: key, reason: "is not a config key (keys: providers, defaultProvider)")
        }
        var providers: [ProviderConfiguration] = []
        if let list = members["providers"] {
            guard case .array(let entries) = list else { throw Problem(path: path, field: "providers", reason: "must be an array") }
            for (index, entry) in entries.enumerated() {
                do throws(ProviderEntryParser.Problem) {
                    let provider = try ProviderEntryParser.parse(entry)
                    if providers.contains(where: { $0.name == provider.name }) {
                        throw ProviderEntryParser.Problem(field: "name", reason: "repeats the name '\(provider.name)' of an earlier provider")
                    }
                    providers.append(provider)
                } catch {
                    throw Problem(path: path, field: "providers[\(index)]" + (error.field.isEmpty ? "" : ".\(error.field)"), reason: error.reason)
                }
            }
        }
        var defaultProvider = builtInProviderName
        if let value = members["defaultProvider"] {
            guard case .string(let name) = value else { throw Problem(path: path, field: "defaultProvider", reason: "must be a string") }
            guard name == builtInProviderName || providers.contains(where: { $0.name == name }) else {
                throw Problem(path: path, field: "defaultProvider", reason: "names no provider in 'providers'")
            }
            defaultProvider = name
        }
        return AgentConfiguration(providers: providers, defaultProvider: defaultProvider)
    }

    /// Secrets in a file others can read deserve a warning (as ssh does for keys).
    private static func warnIfExposed(path: String, configuration: AgentConfiguration, logger: Logger) {
        let holdsSecrets = configuration.providers.contains { provider in
            ProviderEntryParser.specs(for: provider.kind).contains { $0.isSecret && provider.settings[$0.key] != nil }
        }
        var info = stat()
        guard holdsSecrets, stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        logger.warning("config file \(path) holds secrets and can be read by other users; run: chmod 600 \(path)")
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Agent
import AWSProvider
import Diagnostics
import Foundation
import JSONRPC

/// The `cloud-agent` executable: parses the command line and hands off to a command.
@main
enum CloudAgentMain {
    static let optionSpecs: [ParsedArguments.OptionSpec] = [
        .init(name: "-h", value: .none), .init(name: "--help", value: .none),
        .init(name: "-V", value: .none), .init(name: "--version", value: .none),
        .init(name: "--log-level", value: .required),
        .init(name: "--socket", value: .optional),
        .init(name: "--max-message-bytes", value: .required),
        .init(name: "--quiet", value: .none), .init(name: "--compact", value: .none),
        .init(name: "--config", value: .required),
        .init(name: "--cluster", value: .required), .init(name: "--region", value: .required),
        .init(name: "--role-arn", value: .required), .init(name: "--profile", value: .required),
        .init(name: "--endpoint-url", value: .required), .init(name: "--external-id", value: .required),
        .init(name: "--provider", value: .required),
    ]

    static func main() {
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    static func run(_ arguments: [String]) -> Int32 {
        do {
            return try dispatch(arguments)
        } catch {
            writeStderr("cloud-agent: \(error)\nTry 'cloud-agent --help'.\n")
            return 2
        }
    }

    private static func dispatch(_ arguments: [String]) throws(ParsedArguments.UsageError) -> Int32 {
        let parsed = try ParsedArguments(arguments, specs: optionSpecs)
        if !parsed.flags.isDisjoint(with: ["-h", "--help"]) || parsed.operands.first == "help" {
            writeStdout(Usage.text + "\n")
            return 0
        }
        if !parsed.flags.isDisjoint(with: ["-V", "--version"]) || parsed.operands.first == "version" {
            writeStdout("\(AgentInfo.name) \(AgentInfo.version) (protocol \(AgentInfo.protocolVersion))\n")
            return 0
        }
        let logger = Logger(label: "cloud-agent")
        let levelName = parsed.options["--log-level"] ?? ProcessInfo.processInfo.environment["CLOUD_AGENT_LOG"]
        if let levelName {
            guard let level = LogLevel(name: levelName) else {
                throw .init(message: "unknown log level '\(levelName)' (use trace, debug, info, warning, error or off)")
            }
            LogSink.standardError.level = level
        }
        let socketPath: String? = parsed.options["--socket"]
            ?? (parsed.flags.contains("--socket") ? UnixSocketServer.defaultPath() : nil)
        guard let command = parsed.operands.first else {
            throw .init(message: "missing command (serve, call or token)")
        }
        let operands = Array(parsed.operands.dropFirst())
        switch command {
        case "serve":
            guard operands.isEmpty else { throw .init(message: "serve takes no operands, got '\(operands[0])'") }
            var options = SessionOptions()
            if let limit = try parsed.integer("--max-message-bytes", in: 64...(1 << 30)) {
                options.maxMessageBytes = limit
            }
            guard let providers = loadProviders(parsed, logger: logger) else { return 1 }
            return ServeCommand.run(socketPath: socketPath, options: options, providers: providers, logger: logger)
        case "call":
            guard let method = operands.first else { throw .init(message: "call needs a METHOD") }
            guard operands.count <= 2 else { throw .init(message: "call takes METHOD and at most one PARAMS_JSON") }
            var params: JSONValue?
            if operands.count == 2 {
                let text = operands[1] == "-" ? readStandardInput() : Array(operands[1].utf8)
                do {
                    params = try JSONParser.parse(text)
                } catch {
                    throw .init(message: "PARAMS_JSON is not valid JSON: \(error)")
                }
            }
            if socketPath != nil, parsed.options["--config"] != nil {
                throw .init(message: "--config applies to the agent that serves the socket, not to 'call --socket'")
            }
            let options = CallCommand.Options(method: method, params: params, socketPath: socketPath,
                                              quiet: parsed.flags.contains("--quiet"),
                                              compact: parsed.flags.contains("--compact"))
            if socketPath != nil { return CallCommand.run(options, providers: nil, logger: logger) }
            guard let providers = loadProviders(parsed, logger: logger) else { return 1 }
            return CallCommand.run(options, providers: providers, logger: logger)
        case "token":
            guard operands == ["eks"] || operands == ["gcp"] || operands == ["azure"] else {
                throw .init(message: "token takes one operand, the cloud: eks, gcp or azure")
            }
            // stdout carries the credential only; logs stay on stderr and quiet unless asked for.
            if parsed.options["--log-level"] == nil, ProcessInfo.processInfo.environment["CLOUD_AGENT_LOG"] == nil {
                LogSink.standardError.level = .warning
            }
            if operands == ["gcp"] || operands == ["azure"] {
                return TokenCommand.runBearer(operands == ["gcp"] ? .gcp : .azure, provider: parsed.options["--provider"],
                                              configFile: parsed.options["--config"], logger: logger)
            }
            guard let cluster = parsed.options["--cluster"] else { throw .init(message: "token eks needs --cluster NAME") }
            var options = EKSTokenCommand.Options(cluster: cluster, region: parsed.options["--region"], roleArn: parsed.options["--role-arn"],
                                                  profile: parsed.options["--profile"], endpointURL: parsed.options["--endpoint-url"])
            options.externalId = parsed.options["--external-id"]
            options.provider = parsed.options["--provider"]
            options.configFile = parsed.options["--config"]
            return TokenCommand.runEKS(options, logger: logger)
        default:
            throw .init(message: "unknown command '\(command)' (use serve, call or token)")
        }
    }

    /// The configured providers, or nil (after saying why) if the config file is unusable.
    private static func loadProviders(_ parsed: ParsedArguments, logger: Logger) -> ProviderRegistry? {
        let paths = AgentPaths.resolve(explicitConfig: parsed.options["--config"], environment: ProcessInfo.processInfo.environment)
        do {
            let configuration = try AgentConfiguration.load(paths, logger: logger)
            return ProviderRegistry(configuration: configuration, paths: paths, logger: logger)
        } catch {
            writeStderr("cloud-agent: \(error)\n")
            return nil
        }
    }

    private static func readStandardInput() -> [UInt8] {
        FileHandle.standardInput.readDataToEndOfFile().map { $0 }
    }
}

import JSONRPC

/// The agent as a Model Context Protocol server on the same stdio (or socket) session: an
/// `initialize` that names an MCP revision gets an MCP answer, `tools/list` offers one tool per
/// cloud method (its input schema from the OpenRPC document), and `tools/call` runs the method,
/// answering its result as structured content (and as text) or its error as a tool error.
/// Progress (`_meta.progressToken`) and `notifications/cancelled` are the session's.
enum MCPAdapter {
    /// The MCP revisions reachable through `initialize`, oldest first.
    static let protocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    static let listTools = "tools/list"
    static let callTool = "tools/call"
    /// Methods offered as tools: the cloud methods and listProviders (not configureProvider:
    /// a model should not pass credentials through tool calls).
    static let toolMethods: Set<String> = [
        "listProviders", "createCluster", "getCluster", "listClusters", "deleteCluster", "waitClusterReady", "getKubeconfig",
        "upgradeCluster", "getAvailableVersions", "createNodePool", "getNodePool", "listNodePools", "scaleNodePool",
        "deleteNodePool", "createInstance", "getInstance", "listInstances", "startInstance", "stopInstance",
        "terminateInstance", "waitInstanceReady",
    ]

    /// Whether an `initialize` comes from an MCP client: it names an MCP revision, or (a revision
    /// newer than this agent knows) it is not this protocol's and carries MCP's members.
    static func isMCP(_ params: JSONValue?) -> Bool {
        guard let version = params?["protocolVersion"]?.stringValue, version != AgentInfo.protocolVersion else { return false }
        return protocolVersions.contains(version) || (params?["capabilities"]?.objectValue != nil && params?["clientInfo"]?.objectValue != nil)
    }

    /// The answer to an MCP `initialize`: the client's revision when this agent speaks it,
    /// else the newest it does.
    static func initializeResult(_ params: JSONValue?) -> JSONValue {
        let asked = params?["protocolVersion"]?.stringValue ?? ""
        let version = protocolVersions.contains(asked) ? asked : protocolVersions.last!
        return [
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": ["name": .string(AgentInfo.name), "title": "cloud-agent", "version": .string(AgentInfo.version)],
            "instructions": "Manages Kubernetes clusters (EKS, GKE, AKS) and virtual machines through configured providers; the built-in provider `local` simulates a cloud without an account. Call listProviders first; pass `wait: true` to mutations to get the resource once it is ready.",
        ]
    }

    /// Adds `tools/list` and `tools/call` to `table` (`tools/call` runs the methods of `table`
    /// as it is when this is called).
    static func register(in table: inout MethodTable) {
        let methods = table
        table.register(listTools) { _, _ in ["tools": .array(tools)] }
        table.register(callTool) { params, context in
            guard let name = params?["name"]?.stringValue, toolMethods.contains(name), methods.contains(name) else {
                throw RPCError.invalidParams(param: "name", reason: "is not a tool of this server: \(params?["name"].map { JSONSerializer.string($0) } ?? "missing")")
            }
            var arguments = params?["arguments"] ?? .object([:])
            guard arguments.objectValue != nil else {
                throw RPCError.invalidParams(param: "arguments", reason: "must be an object")
            }
            if arguments["_meta"] != nil {
                arguments = .object(arguments.objectValue!.filter { $0.key != "_meta" })
            }
            do throws(RPCError) {
                let result = try await methods.invoke(name, params: arguments, context: context)
                return ["content": [["type": "text", "text": .string(JSONSerializer.string(result))]], "structuredContent": result,
                        "isError": false]
            } catch where error.code == .requestCancelled {
                throw error
            } catch {
                // A tool that failed is the tool's result, for the model to read (MCP's tool errors).
                return ["content": [["type": "text", "text": .string("\(error.message) (error \(error.code.rawValue))")]],
                        "structuredContent": ["error": error.jsonValue], "isError": true]
            }
        }
    }

    /// The tools, built on first use: the agent parses its OpenRPC document only when an MCP
    /// client or `rpc.discover` asks, so start-up and memory do not pay for it.
    static let tools: [JSONValue] = tools(from: Discover.document)

    /// One tool per method of `toolMethods` the document describes.
    static func tools(from document: JSONValue) -> [JSONValue] {
        let methods = document["methods"]?.arrayValue ?? []
        return methods.compactMap { method -> JSONValue? in
            guard let name = method["name"]?.stringValue, toolMethods.contains(name) else { return nil }
            var properties: [String: JSONValue] = [:]
            var required: [JSONValue] = []
            for param in method["params"]?.arrayValue ?? [] {
                // Content descriptors shared by every method (progressToken, _meta) are MCP's own.
                guard let paramName = param["name"]?.stringValue else { continue }
                var schema = resolve(param["schema"] ?? .object([:]), in: document, depth: 0)
                if var object = schema.objectValue, let description = param["description"] {
                    object["description"] = description
                    schema = .object(object)
                }
                properties[paramName] = schema
                if param["required"] == .bool(true) { required.append(.string(paramName)) }
            }
            let summary = method["summary"]?.stringValue ?? name
            let description = method["description"]?.stringValue.map { "\(summary)\n\n\($0)" } ?? summary
            var input: [String: JSONValue] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
            if !required.isEmpty { input["required"] = .array(required) }
            return ["name": .string(name), "title": .string(summary), "description": .string(description), "inputSchema": .object(input)]
        }.sorted { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }
    }

    /// `schema` with every `$ref` to `#/components/…` replaced by what it names, so each tool's
    /// schema stands alone.
    static func resolve(_ schema: JSONValue, in document: JSONValue, depth: Int) -> JSONValue {
        guard depth < 16 else { return .object([:]) }
        switch schema {
        case .object(let members):
            if let reference = members["$ref"]?.stringValue, reference.hasPrefix("#/") {
                var target: JSONValue? = document
                for part in reference.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
                var resolved = resolve(target ?? .object([:]), in: document, depth: depth + 1)
                if var object = resolved.objectValue {
                    for (key, value) in members where key != "$ref" { object[key] = resolve(value, in: document, depth: depth + 1) }
                    resolved = .object(object)
                }
                return resolved
            }
            return .object(members.mapValues { resolve($0, in: document, depth: depth + 1) })
        case .array(let items):
            return .array(items.map { resolve($0, in: document, depth: depth + 1) })
        default:
            return schema
        }
    }
}

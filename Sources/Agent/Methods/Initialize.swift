import JSONRPC

/// `initialize`: an optional handshake that tells the client who we are and what we answer.
public enum Initialize: RPCMethod {
    public static let name = "initialize"

    public struct ClientInfo: Codable, Sendable {
        public var name: String
        public var version: String?
    }

    public struct Params: Codable, Sendable {
        public var clientInfo: ClientInfo?
        public var protocolVersion: String?
        public var capabilities: JSONValue?
    }

    public struct ServerInfo: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
    }

    public struct Capabilities: Codable, Sendable, Equatable {
        /// Every request method the agent answers, sorted.
        public var methods: [String]
        /// Notifications the agent accepts from clients.
        public var notifications: [String]
        public var transports: [String]
    }

    public struct Result: Codable, Sendable, Equatable {
        public var serverInfo: ServerInfo
        public var protocolVersion: String
        public var capabilities: Capabilities
    }
}

import JSONRPC

/// `rpc.discover`: the OpenRPC document describing every method (`protocol/openrpc.json`,
/// embedded in the binary).
enum Discover {
    static let name = "rpc.discover"

    /// Parsed once, on first use.
    static let document: JSONValue = {
        do {
            return try JSONParser.parse(Array(OpenRPCDocument.text.utf8))
        } catch {
            preconditionFailure("the embedded OpenRPC document is not valid JSON: \(error)")
        }
    }()
}

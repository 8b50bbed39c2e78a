/// A parsed XML document as a small tree, for reading AWS Query API responses (EC2, STS).
///
/// Namespaces are dropped from element names; a leaf keeps its text exactly (CDATA included),
/// whitespace-only text and the text around child elements is dropped. Responses are small, so a tree
/// is simpler than a streaming reader at no real cost.
struct XMLTree: Sendable, Equatable {
    var name: String
    var text: String
    var children: [XMLTree]

    /// The first child called `name`.
    func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child called `name`.
    func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The element at `path` below this one (each step the first child of that name).
    func at(_ path: String...) -> XMLTree? {
        var current: XMLTree? = self
        for step in path { current = current?.child(step) }
        return current
    }

    /// The text of the element at `path`, nil if absent or empty.
    func string(_ path: String...) -> String? {
        var current: XMLTree? = self
        for step in path { current = current?.child(step) }
        guard let text = current?.text, !text.isEmpty else { return nil }
        return text
    }

    /// The `<item>` children of the element at `path` (EC2's list encoding).
    func items(_ path: String...) -> [XMLTree] {
        var current: XMLTree? = self
        for step in path { current = current?.child(step) }
        return current?.children("item") ?? []
    }

    /// Parses `bytes` (UTF-8) with `XMLScanner`; nil if they are not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> XMLTree? { XMLScanner.tree(from: bytes) }
}

/// The error of a Query API response: EC2's `<Response><Errors><Error>` or STS/IAM's
/// `<ErrorResponse><Error>`, with the request id.
enum QueryErrorBody {
    static func parse(status: Int, body: [UInt8]) -> AWSErrorMapping.Failure {
        guard let tree = XMLTree.parse(body) else {
            return AWSErrorMapping.Failure(status: status, code: "", message: String(decoding: body.prefix(200), as: UTF8.self), requestID: nil)
        }
        let error = tree.at("Errors", "Error") ?? tree.child("Error")
        return AWSErrorMapping.Failure(status: status, code: error?.string("Code") ?? "", message: error?.string("Message") ?? "",
                                       requestID: tree.string("RequestID") ?? tree.string("RequestId"))
    }
}

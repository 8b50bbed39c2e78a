import JSONRPC

/// Params of a cloud method: every accepted name is a case of `CodingKeys`, so unknown or
/// misspelt params are refused (see `StrictParams`) and a test can compare the names with
/// `protocol/openrpc.json`.
protocol AgentParams: StrictParams, Sendable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension AgentParams {
    static var paramNames: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }
}

import JSONRPC

/// The agent's error codes for cloud failures, one per `CloudProviderError` case (documented
/// in `protocol/openrpc.json`). Invalid requests use -32602 and cancelled waits -32800.
extension ErrorCode {
    /// The resource does not exist.
    public static let notFound = ErrorCode(-32002)
    /// The resource already exists, or its state forbids the operation.
    public static let conflict = ErrorCode(-32003)
    /// No usable credentials, or the cloud rejected them.
    public static let unauthenticated = ErrorCode(-32004)
    /// The credentials lack permission.
    public static let permissionDenied = ErrorCode(-32005)
    /// The cloud asked us to slow down.
    public static let throttled = ErrorCode(-32006)
    /// A wait timed out; the cloud operation continues.
    public static let timeout = ErrorCode(-32007)
    /// The provider cannot do this (not implemented, or the cloud has no such thing).
    public static let unsupportedOperation = ErrorCode(-32008)
    /// Any other failure the cloud reported.
    public static let providerError = ErrorCode(-32009)
}

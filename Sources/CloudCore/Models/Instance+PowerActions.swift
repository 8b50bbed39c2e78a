extension Instance {
    /// Whether `startInstance` has nothing to do (the instance is running or starting); throws
    /// -32003 when it cannot be started from where it is (deleted, or still stopping).
    public func startIsDone(id: String) throws(CloudProviderError) -> Bool {
        switch state {
        case .running, .creating:
            return true
        case .deleting, .deleted:
            throw .conflict(resourceType: "instance", name: id, reason: "is \(providerState); a deleted instance cannot be started")
        case .stopping:
            throw .conflict(resourceType: "instance", name: id, reason: "is stopping; start it once it is stopped")
        default:
            return false
        }
    }
}

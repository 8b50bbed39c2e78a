import CloudCore

/// `DescribeInstances` filters for an `InstanceFilter`: one `tag:KEY` filter per tag and one
/// `instance-state-name` filter for the states, so EC2 filters before it pages.
enum EC2Filters {
    static let states = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"]

    /// The filters, or nil when nothing can match (states EC2 instances are never in).
    static func of(_ filter: InstanceFilter) -> [(name: String, values: [String])]? {
        var filters = filter.tags.sorted { $0.key < $1.key }.map { (name: "tag:\($0.key)", values: [$0.value]) }
        if let zone = filter.zone { filters.append((name: "availability-zone", values: [zone])) }
        if !filter.states.isEmpty {
            let raw = states.filter { filter.states.contains(EC2Instance.status($0)) }
            if raw.isEmpty { return nil }
            filters.append((name: "instance-state-name", values: raw))
        }
        return filters
    }
}

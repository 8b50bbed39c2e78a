/// Which page of a list to return.
public struct PageRequest: Sendable, Equatable {
    /// Default page size when the caller gives none.
    public static let defaultLimit = 100
    /// The largest page a caller may ask for.
    public static let maximumLimit = 1000

    /// At most this many items (1 to 1000, default 100).
    public var limit: Int
    /// The `nextPageToken` of the previous page, or nil for the first.
    public var pageToken: String?

    public init(limit: Int = PageRequest.defaultLimit, pageToken: String? = nil) {
        self.limit = limit
        self.pageToken = pageToken
    }
}

/// One page of a list, and the token for the next if there is more.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String? = nil) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

extension Page: Equatable where Item: Equatable {}

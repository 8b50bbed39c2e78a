import CloudCore

/// The settings a `local` provider accepts, and their values for one provider.
public struct LocalSettings: Sendable, Equatable {
    public static let specs: [SettingSpec] = [
        SettingSpec("timeScale", "Simulation pace: 1 = realistic demo pace (a cluster takes about 3 s), 0 = instant, 10 = ten times slower.",
                    type: .number(0...10_000)),
        SettingSpec("stateFile", "Where resources are kept, an absolute path (default $XDG_STATE_HOME/cloud-agent/local/NAME.json).",
                    check: { $0.hasPrefix("/") ? nil : "must be an absolute path" }),
    ]

    /// The region of a local provider configured without one.
    public static let defaultRegion = "local-1"

    public var timeScale: Double
    public var region: String
    public var stateFile: String?

    public init(_ configuration: ProviderConfiguration) {
        timeScale = configuration.number("timeScale") ?? 1
        region = configuration.region ?? Self.defaultRegion
        stateFile = configuration.string("stateFile")
    }
}

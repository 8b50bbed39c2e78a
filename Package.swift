// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CloudAgent",
    products: [
        .executable(name: "cloud-agent", targets: ["CloudAgentCLI"]),
    ],
    targets: [
        .target(name: "Diagnostics"),
        .target(name: "JSONRPC", dependencies: ["Diagnostics"]),
        .target(name: "Agent", dependencies: ["JSONRPC", "Diagnostics"]),
        .executableTarget(name: "CloudAgentCLI", dependencies: ["Agent", "JSONRPC", "Diagnostics"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "JSONRPC"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "JSONRPC"]),
    ],
    swiftLanguageModes: [.v6]
)

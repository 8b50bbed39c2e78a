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
        .target(name: "TestSupport", dependencies: ["JSONRPC", "Diagnostics"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "JSONRPC", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "JSONRPC"]),
    ],
    swiftLanguageModes: [.v6]
)

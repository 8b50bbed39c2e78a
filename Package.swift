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
        .target(name: "CurlShim", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CloudCore", dependencies: ["Diagnostics", "CurlShim"]),
        .target(name: "CryptoPrimitives"),
        .target(name: "LocalProvider", dependencies: ["CloudCore", "Diagnostics"]),
        .target(name: "AWSProvider", dependencies: ["CloudCore", "CryptoPrimitives"]),
        .target(name: "GCPProvider", dependencies: ["CloudCore", "CryptoPrimitives", "Diagnostics"]),
        .target(name: "AzureProvider", dependencies: ["CloudCore", "Diagnostics"]),
        .target(name: "Agent", dependencies: ["JSONRPC", "Diagnostics", "CloudCore", "LocalProvider",
                                              "AWSProvider", "GCPProvider", "AzureProvider"]),
        .executableTarget(name: "CloudAgentCLI", dependencies: ["Agent", "AWSProvider", "GCPProvider", "AzureProvider", "CloudCore", "JSONRPC",
                                                               "Diagnostics"]),
        .target(name: "TestSupport", dependencies: ["JSONRPC", "Diagnostics", "CloudCore", "CryptoPrimitives"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC", "TestSupport"]),
        .testTarget(name: "CloudCoreTests", dependencies: ["CloudCore", "TestSupport"]),
        .testTarget(name: "LocalProviderTests", dependencies: ["LocalProvider", "CloudCore"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "JSONRPC", "CloudCore", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "JSONRPC", "CloudCore"]),
        .testTarget(name: "CryptoPrimitivesTests", dependencies: ["CryptoPrimitives", "TestSupport"], resources: [.copy("Vectors")]),
        .testTarget(name: "AWSProviderTests", dependencies: ["AWSProvider", "CryptoPrimitives", "CloudCore", "TestSupport"],
                    resources: [.copy("Vectors")]),
        .testTarget(name: "GCPProviderTests", dependencies: ["GCPProvider", "CryptoPrimitives", "CloudCore", "Diagnostics", "JSONRPC", "TestSupport"]),
        .testTarget(name: "AzureProviderTests", dependencies: ["AzureProvider", "CloudCore", "Diagnostics", "JSONRPC", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

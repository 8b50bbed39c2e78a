import CloudCore
import Diagnostics
import Foundation
import Synchronization
@testable import LocalProvider

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let seconds = Mutex(1_800_000_000.0)
    var now: Double { seconds.withLock { $0 } }
    func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
}

/// A temporary directory removed when the fixture goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = "\(NSTemporaryDirectory())/local-provider-tests/\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func makeProvider(in directory: TemporaryDirectory, name: String = "local", timeScale: Double = 1,
                  clock: ManualClock? = nil, logSink: LogSink = .standardError) -> LocalCloudProvider {
    let configuration = ProviderConfiguration(name: name, kind: .local, settings: ["timeScale": .number(timeScale)])
    if let clock {
        return LocalCloudProvider(configuration: configuration, stateDirectory: directory.path,
                                  logger: Logger(label: "test", sink: logSink), clock: { clock.now })
    }
    return LocalCloudProvider(configuration: configuration, stateDirectory: directory.path, logger: Logger(label: "test", sink: logSink))
}

/// The error a call throws, as a `CloudProviderError`.
func providerError(_ body: () async throws -> some Any) async -> CloudProviderError? {
    do {
        _ = try await body()
        return nil
    } catch let error as CloudProviderError {
        return error
    } catch {
        return .providerError(ProviderFailure(code: "unexpected", message: "\(error)"))
    }
}

extension CloudProviderError {
    var invalidField: String? {
        if case .invalidRequest(let field, _) = self { return field }
        return nil
    }

    var isConflict: Bool {
        if case .conflict = self { return true }
        return false
    }

    var isNotFound: Bool {
        if case .notFound = self { return true }
        return false
    }
}

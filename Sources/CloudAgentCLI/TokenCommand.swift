import AWSProvider
import Diagnostics
import Dispatch
import Foundation
import Synchronization

/// `cloud-agent token eks …`: prints an `ExecCredential` for kubectl (the exec plugin of the
/// kubeconfigs the agent writes). The token goes to stdout, anything else to stderr.
enum TokenCommand {
    static func runEKS(_ options: EKSTokenCommand.Options, logger: Logger) -> Int32 {
        let outcome = Mutex<Result<String, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let environment = ProcessInfo.processInfo.environment
        Task {
            let result: Result<String, any Error>
            do {
                result = .success(try await EKSTokenCommand.execCredential(options, environment: environment, logger: logger))
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0! }) {
        case .success(let credential):
            writeStdout(credential + "\n")
            return 0
        case .failure(let error):
            writeStderr("cloud-agent token eks: \(error)\n")
            return 1
        }
    }
}

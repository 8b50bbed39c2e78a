#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Foundation

/// The Google Cloud CLI as a last resort: `gcloud auth print-access-token` prints the access
/// token of gcloud's active account (refreshing it if needed).
///
/// Run with `ProcessRunner` (30 s at most) and the chain's environment, so `CLOUDSDK_CONFIG`
/// and the account gcloud is set to apply. Its output is the token and is never logged.
enum GCloudCommand {
    static let arguments = ["auth", "print-access-token"]
    static let timeout = Duration.seconds(30)

    /// The `gcloud` executable on `path`, or nil if there is none.
    static func locate(path: String?) -> String? {
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/gcloud"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `executable auth print-access-token` and returns the token it printed.
    /// - Throws: a sentence for the "what was tried" message, without the output.
    static func printAccessToken(executable: String, environment: [String: String]) async throws -> String {
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try await ProcessRunner.run([executable] + arguments, environment: environment, timeout: timeout, limit: 64 << 10)
        } catch let failure as ProcessRunner.Failure {
            throw Failure(description: failure.description)
        }
        guard outcome.status == 0 else {
            // gcloud's last stderr line says why ("You do not currently have an active account selected").
            let said = String(decoding: outcome.standardError, as: UTF8.self)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty }
            throw Failure(description: "it exited with status \(outcome.status)" + (said.map { ": " + String($0.prefix(300)) } ?? ""))
        }
        let token = String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw Failure(description: "it printed no single token")
        }
        return token
    }

    /// Why gcloud gave no token.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }
}

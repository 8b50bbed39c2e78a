#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Foundation

/// The Azure CLI as a last resort: `az account get-access-token --output json --resource R
/// [--tenant T]` prints a token of the account `az login` signed in (refreshing it if needed).
///
/// Its answer: `{"accessToken": …, "expiresOn": "2026-11-28 22:10:31.000000", "expires_on":
/// 1795907431, "tokenType": "Bearer", …}`. `expires_on` (seconds since 1970, CLI 2.54 and
/// later) is preferred; older CLIs give only `expiresOn`, in the local time of the `az`
/// process (`TZ` of the chain's environment when it names a zone, else this process's).
/// Run with `ProcessRunner` (30 s at most) and the chain's environment, so `AZURE_CONFIG_DIR`
/// applies. Its output holds the token and is never logged nor put in an error.
enum AzureCLICommand {
    static let timeout = Duration.seconds(30)

    /// The arguments after `az`.
    static func arguments(resource: String, tenant: String?) -> [String] {
        ["account", "get-access-token", "--output", "json", "--resource", resource] + (tenant.map { ["--tenant", $0] } ?? [])
    }

    /// The `az` executable on `path`, or nil if there is none.
    static func locate(path: String?) -> String? {
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/az"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `executable account get-access-token …` and returns the token it printed.
    /// - Parameter now: when it ran, to turn the expiry it prints into a lifetime.
    /// - Throws: `Failure`, a sentence for the "what was tried" message, without the output.
    static func getAccessToken(executable: String, resource: String, tenant: String?, environment: [String: String],
                               now: @Sendable () -> Date) async throws -> AzureAccessToken {
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try await ProcessRunner.run([executable] + arguments(resource: resource, tenant: tenant),
                                                  environment: environment, timeout: timeout, limit: 256 << 10)
        } catch let failure as ProcessRunner.Failure {
            throw Failure(description: failure.description)
        }
        guard outcome.status == 0 else {
            // The CLI's "ERROR: …" line says why ("Please run 'az login' to setup account.");
            // warnings may come before it.
            let lines = String(decoding: outcome.standardError, as: UTF8.self)
                .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let said = lines.first { $0.hasPrefix("ERROR") } ?? lines.first
            throw Failure(description: "it exited with status \(outcome.status)" + (said.map { ": " + String($0.prefix(300)) } ?? ""))
        }
        let zone = environment["TZ"].flatMap { TimeZone(identifier: $0) } ?? .current
        guard let token = parse(outcome.standardOutput, now: now(), timeZone: zone) else {
            throw Failure(description: "it printed no JSON object with an accessToken")
        }
        return token
    }

    /// The token in the CLI's JSON answer; nil when there is none.
    static func parse(_ output: [UInt8], now: Date, timeZone: TimeZone) -> AzureAccessToken? {
        struct Body: Decodable {
            var accessToken: String?
            var expiresOn: String?
            var expires_on: AzureAccessToken.FlexibleNumber?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(output)),
              let token = AzureAccessToken.usableToken(body.accessToken) else {
            return nil
        }
        let expiry = body.expires_on?.value.map { Date(timeIntervalSince1970: $0) }
            ?? body.expiresOn.flatMap { localTime($0, timeZone: timeZone) }
        return AzureAccessToken(value: token, expiresIn: expiry.flatMap { AzureAccessToken.lifetime(until: $0, now: now) })
    }

    /// `YYYY-MM-DD HH:MM:SS` with optional fractional seconds, in `timeZone`.
    static func localTime(_ text: String, timeZone: TimeZone) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-").map { Int($0) }
        let clock = (parts[1].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .split(separator: ":").map { Int($0) }
        guard date.count == 3, clock.count == 3, let year = date[0], let month = date[1], let day = date[2],
              let hour = clock[0], let minute = clock[1], let second = clock[2] else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    /// Why the CLI gave no token.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }
}

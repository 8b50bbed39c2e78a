import Testing
@testable import CloudCore

@Suite struct ProcessRunnerTests {
    @Test func capturesStatusAndBothStreams() async throws {
        let outcome = try await ProcessRunner.run(["sh", "-c", "echo '{\"Version\": 1}'; echo warning >&2; exit 3"])
        #expect(outcome.status == 3)
        #expect(outcome.standardOutput == Array("{\"Version\": 1}\n".utf8))
        #expect(outcome.standardError == Array("warning\n".utf8))
    }

    @Test func theEnvironmentIsExactlyTheOneGiven() async throws {
        let outcome = try await ProcessRunner.run(["/usr/bin/env"], environment: ["ONLY": "this", "PATH": "/usr/bin:/bin"])
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self).split(separator: "\n").sorted() == ["ONLY=this", "PATH=/usr/bin:/bin"])
    }

    @Test func aProgramThatTakesTooLongIsKilled() async throws {
        let start = ContinuousClock.now
        await #expect(throws: ProcessRunner.Failure.self) {
            try await ProcessRunner.run(["sleep", "30"], timeout: .milliseconds(200))
        }
        // Well under the program's 30 s, with room for a loaded machine running the whole suite.
        #expect(ContinuousClock.now - start < .seconds(25))
    }

    @Test func cancellingTheCallerKillsTheProgram() async throws {
        let start = ContinuousClock.now
        let task = Task { try await ProcessRunner.run(["sleep", "30"]) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(25))
    }

    @Test func aMissingProgramIsAClearError() async {
        let error = await #expect(throws: ProcessRunner.Failure.self) {
            try await ProcessRunner.run(["no-such-program-for-cloud-agent"])
        }
        #expect(error?.description.contains("not found on PATH") == true)
    }
}

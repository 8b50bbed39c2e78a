import Foundation
import JSONRPC
import Testing
import TestSupport

/// Waits on the `local` provider: progress, cancellation, timeouts and many waits at once.
@Suite struct LocalWaitTests {
    /// The `$/progress` values sent under `token`, up to and including the response to `id`.
    private func progressAndResponse(_ agent: LocalAgent, id: Int, token: JSONValue? = nil) async throws
        -> (progress: [JSONValue], response: JSONValue) {
        let token = token ?? .int(id)
        var progress: [JSONValue] = []
        while true {
            let message = try await agent.connection.first { $0["id"] == .int(id) || $0["params"]?["token"] == token }
            if message["id"] == .int(id), message["method"] == nil { return (progress, message) }
            progress.append(message["params"]?["value"] ?? .null)
        }
    }

    @Test func createClusterWithWaitStreamsEachPhaseThenAnswersTheActiveCluster() async throws {
        // At timeScale 1.5 the control plane takes 3 s and the node pool 1.5 s more. Waits
        // poll with a capped backoff (50 ms × 1.5ⁿ, at most 1 s, up to 20 % jitter), so polls
        // are at most about 1 s apart and one falls inside the node pool phase even when the
        // machine is busy. (With a faster pace the phase is often skipped between two polls:
        // it ends at exactly 1.5 × its start, the backoff's own ratio, and a sleep that
        // overshoots a little misses it. Seen at 0.4 under the full suite's load.)
        let agent = try await LocalAgent(providers: [["name": "paced", "kind": "local", "timeScale": 1.5]])
        let id = agent.send("createCluster", ["provider": "paced", "name": "demo", "wait": true])
        let (progress, response) = try await progressAndResponse(agent, id: id)
        let cluster = try #require(response["result"], "\(response)")
        #expect(cluster["status"] == "active")
        #expect(cluster["providerStatus"] == "ACTIVE")
        #expect(cluster[path: "nodePools", 0, "status"] == "active")

        #expect(progress.first?["kind"] == "begin")
        #expect(progress.first?["message"] == "creating cluster demo")
        #expect(progress.last?["kind"] == "end")
        let reports = progress.filter { $0["kind"] == "report" }
        #expect(progress.count == reports.count + 2)
        // While creating: one report per phase, in order. (A last report may show the cluster
        // active; nothing else may follow.)
        let creating = reports.prefix { $0["status"] == "creating" }
        #expect(creating.map { $0["phase"] } == ["creating control plane", "creating node pool default"])
        let after = reports.dropFirst(creating.count)
        #expect(after.count <= 1 && after.allSatisfy { $0["status"] == "active" && $0["phase"] == "active" }, "\(Array(after))")
        for report in creating {
            #expect(report["providerStatus"] == "CREATING")
            #expect(report["reason"] == "changed")
            #expect(report[path: "resource", "name"] == "demo")
            #expect(report[path: "resource", "status"] == "creating")
            #expect(report[path: "resource", "statusMessage"] == report["phase"])
            #expect((report["elapsedSeconds"]?.double ?? -1) >= 0)
            #expect(report["message"]?.stringValue?.hasPrefix("cluster demo: \(report["phase"]?.stringValue ?? "?") [creating, ") == true)
        }
        let reachedNodePool = try #require(creating.last?["elapsedSeconds"]?.double)
        #expect(reachedNodePool >= 2.8, "the node pool phase begins 3 s after the create")
    }

    @Test func progressGoesUnderTheRequestedToken() async throws {
        let agent = try await LocalAgent()
        _ = try await agent.result("createCluster", ["name": "demo"])
        let id = agent.send("waitClusterReady", ["name": "demo", "progressToken": "mine"])
        let (progress, response) = try await progressAndResponse(agent, id: id, token: "mine")
        #expect(response[path: "result", "status"] == "active")
        #expect(progress.first?["kind"] == "begin")
        #expect(progress.first?["message"] == "waiting for cluster demo to become active")
        #expect(progress.last?["kind"] == "end")
        #expect(!agent.connection.heldMessages.contains { $0["params"]?["token"] == .int(id) }, "nothing under the request id")

        let metaID = agent.send("createCluster", ["name": "other", "wait": true, "_meta": ["progressToken": 42]])
        let (metaProgress, metaResponse) = try await progressAndResponse(agent, id: metaID, token: 42)
        #expect(metaResponse[path: "result", "status"] == "active")
        #expect(metaProgress.first?["message"] == "creating cluster other")
        #expect(metaProgress.last?["kind"] == "end")

        // A mutation without `wait` sends no progress at all.
        let quietID = agent.send("createCluster", ["name": "quiet"])
        let (quietProgress, quietResponse) = try await progressAndResponse(agent, id: quietID)
        #expect(quietResponse[path: "result", "name"] == "quiet")
        #expect(quietProgress.isEmpty)
    }

    @Test func cancellingAWaitEndsTheWaitNotTheOperation() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.slow])
        let id = agent.send("createCluster", ["provider": "slow", "name": "demo", "wait": true])
        // The first report comes from the wait's first poll: the wait has begun.
        let report = try await agent.connection.first { $0["params"]?["token"] == .int(id) && $0["params"]?["value"]?["kind"] == "report" }
        #expect(report[path: "params", "value", "phase"] == "creating control plane")
        agent.connection.notify("$/cancelRequest", ["id": .int(id)])
        let response = try await agent.connection.response(id)
        let error = try #require(response["error"], "\(response)")
        #expect(error["code"] == .int(Code.cancelled))
        #expect(error[path: "data", "type"] == "cancelled")
        #expect(error[path: "data", "operationContinues"] == true)
        #expect(error[path: "data", "resourceType"] == "cluster")
        #expect(error[path: "data", "name"] == "demo")
        #expect(error[path: "data", "target"] == "active")
        #expect(error[path: "data", "lastStatus"] == "creating")
        let message = try #require(error["message"]?.stringValue)
        #expect(message.contains("continues"), "\(message)")
        let end = try await agent.connection.first(timeout: 5) { $0["params"]?["token"] == .int(id) && $0["params"]?["value"]?["kind"] == "end" }
        #expect(end[path: "params", "value", "message"] == "cancelled")

        let cluster = try await agent.result("getCluster", ["provider": "slow", "name": "demo"])
        #expect(cluster["status"] == "creating", "the cluster is still being created")
        #expect(try await agent.result("debug.stats")[path: "waits", "slow", "activeWaits"] == 0)
    }

    @Test func aWaitThatTimesOutSaysWhereTheResourceWas() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.slow])
        _ = try await agent.result("createCluster", ["provider": "slow", "name": "demo"])
        let started = ContinuousClock.now
        let error = try await agent.failure("waitClusterReady", ["provider": "slow", "name": "demo", "timeoutSeconds": 0.3],
                                            code: Code.timeout)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300))
        #expect(error[path: "data", "type"] == "timeout")
        #expect(error[path: "data", "lastStatus"] == "creating")
        #expect(error[path: "data", "lastProviderStatus"] == "CREATING")
        #expect(error[path: "data", "target"] == "active")
        #expect(error[path: "data", "operationContinues"] == true)
        let elapsed = try #require(error[path: "data", "elapsedSeconds"]?.double)
        #expect(elapsed >= 0.3 && elapsed < 10, "\(elapsed)")
        #expect(error["message"]?.stringValue?.contains("timed out") == true)

        // A create that waits too little still creates.
        let created = try await agent.failure("createCluster", ["provider": "slow", "name": "other", "wait": true, "timeoutSeconds": 0.2],
                                              code: Code.timeout)
        #expect(created[path: "data", "name"] == "other")
        #expect(try await agent.result("getCluster", ["provider": "slow", "name": "other"])["status"] == "creating")
    }

    @Test func concurrentWaitsOnOneClusterShareOnePollLoopAndAllAnswer() async throws {
        // The cluster takes 9 s: plenty for 50 waits to join the first poll loop, even with the
        // whole suite running on two cores.
        let agent = try await LocalAgent(providers: [["name": "paced", "kind": "local", "timeScale": 3]])
        _ = try await agent.result("createCluster", ["provider": "paced", "name": "demo"])
        let ids = (0..<50).map { 100_000 + $0 }
        let lines = ids.map { id in
            JSONSerializer.string(["jsonrpc": "2.0", "id": .int(id), "method": "waitClusterReady",
                                   "params": ["provider": "paced", "name": "demo"]]) + "\n"
        }.joined()
        await agent.connection.sendBulk(Array(lines.utf8))
        for id in ids {
            let response = try await agent.connection.response(id)
            #expect(response[path: "result", "status"] == "active", "\(response)")
        }
        let stats = try #require(try await agent.result("debug.stats")[path: "waits", "paced"])
        #expect(stats["waits"] == 50)
        #expect(stats["activeWaits"] == 0)
        #expect(stats["pollLoops"] == 1)
    }

    @Test func aThousandConcurrentWaitsOnOneConnectionCoalesceAndAllAnswer() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.slow])
        let clusters = (0..<10).map { "wait-\($0)" }
        for name in clusters {
            _ = try await agent.result("createCluster", ["provider": "slow", "name": .string(name), "nodeCount": 1])
        }
        let ids = (0..<1000).map { 100_000 + $0 }
        let requests = ids.map { id in
            JSONSerializer.string(["jsonrpc": "2.0", "id": .int(id), "method": "waitClusterReady",
                                   "params": ["provider": "slow", "name": .string(clusters[id % clusters.count])]]) + "\n"
        }.joined()
        await agent.connection.sendBulk(Array(requests.utf8))

        // Every wait reports its first observation once it has joined its cluster's poll loop.
        var reported = Set<Int>()
        while reported.count < ids.count {
            let message = try await agent.connection.next()
            #expect(message["method"] == "$/progress", "no wait ends on its own: \(message)")
            guard message[path: "params", "value", "kind"] == "report",
                  let token = message[path: "params", "token"]?.numberValue?.intValue else { continue }
            #expect(message[path: "params", "value", "status"] == "creating")
            reported.insert(token)
        }
        #expect(reported == Set(ids))

        let during = try #require(try await agent.result("debug.stats")[path: "waits", "slow"])
        #expect(during["waits"] == 1000)
        #expect(during["activeWaits"] == 1000)
        #expect(during["pollLoops"] == 10, "one poll loop per cluster")
        let polls = try #require(during["polls"]?.numberValue?.intValue)
        #expect(polls >= 10 && polls < 250, "polls are shared: \(polls) for 1000 waits")

        let cancels = ids.map { JSONSerializer.string(["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": .int($0)]]) + "\n" }
        await agent.connection.sendBulk(Array(cancels.joined().utf8))
        var answered = Set<Int>()
        while answered.count < ids.count {
            let message = try await agent.connection.next()
            guard message["method"] == nil else { continue }
            let id = try #require(message["id"]?.numberValue?.intValue, "\(message)")
            #expect(message[path: "error", "code"] == .int(Code.cancelled), "\(message)")
            #expect(message[path: "error", "data", "type"] == "cancelled")
            #expect(message[path: "error", "data", "name"] == .string(clusters[id % clusters.count]))
            #expect(!answered.contains(id), "one answer per request")
            answered.insert(id)
        }
        #expect(answered == Set(ids))

        let after = try #require(try await agent.result("debug.stats")[path: "waits", "slow"])
        #expect(after["activeWaits"] == 0)
        #expect(after["pollLoops"] == 10)
        #expect(try await agent.connection.ping(id: 1_000_000)["result"] == .object([:]))
        #expect(try await agent.result("listClusters", ["provider": "slow"])["clusters"]?.names == clusters)
    }
}

import Foundation
import Testing
@testable import CloudCore

@Suite struct ModelCodingTests {
    private func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ json: String) throws -> T {
        let decoded = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reencoded = try JSONDecoder().decode(T.self, from: encoder.encode(decoded))
        #expect(reencoded == decoded)
        // The encoding is the literal JSON, member for member (sorted, optional members absent when nil).
        let canonical = { (text: Data) throws -> NSDictionary in try JSONSerialization.jsonObject(with: text) as! NSDictionary }
        #expect(try canonical(encoder.encode(decoded)) == canonical(Data(json.utf8)))
        return decoded
    }

    @Test func aClusterHasTheSameShapeForEveryCloud() throws {
        let cluster = try roundTrip(KubernetesCluster.self, """
            {"id": "arn:aws:eks:eu-west-1:123456789012:cluster/prod", "name": "prod", "provider": "prod", "cloud": "aws",
             "region": "eu-west-1", "version": "1.30", "status": "active", "providerStatus": "ACTIVE",
             "endpoint": "https://ABC.gr7.eu-west-1.eks.amazonaws.com", "caData": "LS0tLS1CRUdJTg==",
             "nodePools": [{"id": "np-1", "name": "default", "cluster": "prod", "status": "updating", "providerStatus": "UPDATING",
                            "statusMessage": "scaling", "nodeCount": 3, "nodeType": "m6i.large", "version": "1.30",
                            "createdAt": "2026-11-28T10:00:00Z"}],
             "createdAt": "2026-11-28T09:50:00Z", "tags": {"team": "platform"}}
            """)
        #expect(cluster.cloud == .aws && cluster.status == .active && cluster.nodePools[0].status == .updating)
        #expect(cluster.statusMessage == nil)
    }

    @Test func anInstanceHasTheSameShapeForEveryCloud() throws {
        let instance = try roundTrip(Instance.self, """
            {"id": "i-0123456789abcdef0", "name": "web-1", "provider": "local", "cloud": "local", "state": "stopped",
             "providerState": "stopped", "instanceType": "local.small", "image": "local-linux-24.04", "zone": "local-1a",
             "privateIP": "10.0.0.4", "tags": {}, "createdAt": "2026-11-28T09:50:00Z"}
            """)
        #expect(instance.state == .stopped && instance.publicIP == nil)
    }

    @Test func anUnknownStatusDecodesAsUnknown() throws {
        let statuses = try JSONDecoder().decode([ResourceStatus].self, from: Data(#"["active", "hibernating", "deleted"]"#.utf8))
        #expect(statuses == [.active, .unknown, .deleted])
        #expect(ResourceStatus.allCases.count == 10)
    }

    @Test func waitTargetsJudgeEveryStatus() {
        #expect(WaitTarget.ready.verdict(for: .running) == .reached)
        #expect(WaitTarget.ready.verdict(for: .updating) == .pending)
        #expect(WaitTarget.ready.verdict(for: .deleting) == .unreachable)
        #expect(WaitTarget.stopped.verdict(for: .stopping) == .pending)
        #expect(WaitTarget.stopped.verdict(for: .deleted) == .unreachable)
        #expect(WaitTarget.deleted.verdict(for: .active) == .pending)
        #expect(WaitTarget.deleted.verdict(for: .failed) == .unreachable)
        #expect(WaitTarget.ready.statusWord(resourceType: "instance") == "running")
        #expect(WaitTarget.ready.statusWord(resourceType: "cluster") == "active")
    }
}

import Testing
@testable import CloudCore

@Suite struct ResourceRulesTests {
    private func field(_ body: () throws(CloudProviderError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            if case .invalidRequest(let field, _) = error { return field }
            return "unexpected \(error)"
        }
    }

    @Test(arguments: ["demo", "prod-eu-1", "A_b-9", String(repeating: "a", count: 100)])
    func clusterNamesEveryCloudAcceptsPass(_ name: String) {
        #expect(field { () throws(CloudProviderError) in try ResourceRules.clusterName(name) } == nil)
    }

    @Test(arguments: ["", "-demo", "demo cluster", "démo", String(repeating: "a", count: 101)])
    func clusterNamesNoCloudAcceptsFail(_ name: String) {
        #expect(field { () throws(CloudProviderError) in try ResourceRules.clusterName(name) } == "name")
    }

    @Test func portableRulesAreTheStrictestCloudsRules() {
        #expect(field { () throws(CloudProviderError) in try PortableRules.clusterName("prod-1") } == nil)
        for name in ["Prod", "prod_1", "1prod", "prod-", String(repeating: "a", count: 41)] {
            #expect(field { () throws(CloudProviderError) in try PortableRules.clusterName(name) } == "name", "\(name)")
        }
        #expect(field { () throws(CloudProviderError) in try PortableRules.nodePoolName("pool1") } == nil)
        for name in ["pool-1", "Pool", "1pool", "abcdefghijklm"] {
            #expect(field { () throws(CloudProviderError) in try PortableRules.nodePoolName(name) } == "name", "\(name)")
        }
    }

    @Test func versionsAreKubernetesVersions() {
        for good in ["1.30", "1.30.2", "1.30.2-gke.1587003", "1.29.1-eks-1"] {
            #expect(field { () throws(CloudProviderError) in try ResourceRules.version(good) } == nil, "\(good)")
        }
        for bad in ["v1.30", "1", "1.x", "latest", "1.30.2.1", ""] {
            #expect(field { () throws(CloudProviderError) in try ResourceRules.version(bad) } == "version", "\(bad)")
        }
    }

    @Test func nodeCountsTagsAndKeysAreChecked() {
        #expect(field { () throws(CloudProviderError) in try ResourceRules.nodeCount(1001) } == "nodeCount")
        #expect(field { () throws(CloudProviderError) in try ResourceRules.nodeCount(-1) } == "nodeCount")
        #expect(field { () throws(CloudProviderError) in try ResourceRules.tags(["": "x"]) } == "tags.")
        #expect(field { () throws(CloudProviderError) in try ResourceRules.tags(["k": String(repeating: "v", count: 257)]) } == "tags.k")
        let many = Dictionary(uniqueKeysWithValues: (0..<51).map { ("k\($0)", "v") })
        #expect(field { () throws(CloudProviderError) in try ResourceRules.tags(many) } == "tags")
        #expect(field { () throws(CloudProviderError) in try ResourceRules.sshPublicKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx me@host") } == nil)
        #expect(field { () throws(CloudProviderError) in try ResourceRules.sshPublicKey("-----BEGIN OPENSSH PRIVATE KEY-----") } == "sshPublicKey")
        #expect(field { () throws(CloudProviderError) in try ResourceRules.userData(String(repeating: "x", count: 16385)) } == "userData")
    }

    @Test func requestsValidateEveryField() {
        #expect(field { () throws(CloudProviderError) in try CreateClusterRequest(name: "demo", subnets: [""]).validate() } == "subnets[0]")
        #expect(field { () throws(CloudProviderError) in try CreateClusterRequest(name: "demo", region: "EU West").validate() } == "region")
        #expect(field { () throws(CloudProviderError) in try CreateNodePoolRequest(cluster: "", name: "pool").validate() } == "cluster")
        #expect(field { () throws(CloudProviderError) in try CreateInstanceRequest(name: "vm", zone: "").validate() } == "zone")
    }

    @Test func settingChecksExplainWithoutQuotingValues() {
        #expect(SettingChecks.url("http://127.0.0.1:5000") == nil)
        #expect(SettingChecks.url("ftp://x") != nil)
        #expect(SettingChecks.guid("00000000-0000-0000-0000-000000000000") == nil)
        #expect(SettingChecks.guid("0000") != nil)
        #expect(SettingChecks.iamRoleARN("arn:aws:iam::123456789012:role/EksRole") == nil)
        #expect(SettingChecks.iamRoleARN("arn:aws:iam::1234:role/x") != nil)
        let secret = SettingSpec("secret", "A secret.", secret: true)
        #expect(secret.problem(with: .number(1)) == "must be a string")
        let scale = SettingSpec("timeScale", "Pace.", type: .number(0...10))
        #expect(scale.problem(with: .number(11)) == "must be a number from 0 to 10")
    }

    @Test func ipv4CIDRBlocks() {
        for good in ["0.0.0.0/0", "10.0.0.0/8", "203.0.113.7/32", "192.168.1.0/24"] { #expect(ResourceRules.isIPv4CIDR(good), "\(good)") }
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/-1", "a.b.c.d/8", "10.0.0.0/8/1", "", "1..2.3/4", "10.0.0.0/+8"] {
            #expect(!ResourceRules.isIPv4CIDR(bad), "\(bad)")
        }
    }
}

import CloudCore
import Diagnostics
import Testing
@testable import Agent
@testable import JSONRPC

@Suite struct AgentConfigurationTests {
    private func parse(_ text: String) -> Result<AgentConfiguration, AgentConfiguration.Problem> {
        do {
            return .success(try AgentConfiguration.parse(Array(text.utf8), path: "/etc/c.json"))
        } catch {
            return .failure(error)
        }
    }

    private func problem(_ text: String) -> AgentConfiguration.Problem? {
        if case .failure(let problem) = parse(text) { return problem }
        return nil
    }

    @Test func aFileListsNamedProvidersAndTheDefault() throws {
        let configuration = try parse("""
            {"defaultProvider": "prod", "providers": [
              {"name": "prod", "kind": "aws", "region": "eu-west-1", "profile": "prod", "secretAccessKey": "s3cr3t"},
              {"name": "fast", "kind": "local", "timeScale": 0}]}
            """).get()
        #expect(configuration.defaultProvider == "prod")
        #expect(configuration.providers.map(\.name) == ["local", "prod", "fast"])
        #expect(configuration.providers[1].region == "eu-west-1")
        #expect(configuration.providers[1].string("profile") == "prod")
        #expect(configuration.providers[2].number("timeScale") == 0)
    }

    @Test func anEmptyFileKeepsTheBuiltInLocalProvider() throws {
        let configuration = try parse("{}").get()
        #expect(configuration.providers == [ProviderConfiguration(name: "local", kind: .local)])
        #expect(configuration.defaultProvider == "local")
    }

    @Test func problemsNameTheFieldAndNeverTheSecret() {
        #expect(problem("[]")?.reason == "must hold a JSON object")
        #expect(problem("{\"provider\": []}")?.field == "provider")
        #expect(problem("{\"providers\": [{\"kind\": \"aws\"}]}")?.field == "providers[0].name")
        #expect(problem("{\"providers\": [{\"name\": \"x\", \"kind\": \"openstack\"}]}")?.field == "providers[0].kind")
        #expect(problem("{\"providers\": [{\"name\": \"Prod!\", \"kind\": \"aws\"}]}")?.field == "providers[0].name")
        let typo = problem("{\"providers\": [{\"name\": \"p\", \"kind\": \"aws\", \"secretaccesskey\": \"hunter2\"}]}")
        #expect(typo?.field == "providers[0].secretaccesskey")
        #expect(typo?.reason.contains("did you mean 'secretAccessKey'") == true)
        let wrongType = problem("{\"providers\": [{\"name\": \"p\", \"kind\": \"aws\", \"secretAccessKey\": 12345}]}")
        #expect(wrongType?.reason == "must be a string")
        #expect(wrongType.map { !$0.description.contains("12345") } == true)
        #expect(problem("{\"providers\": [{\"name\": \"p\", \"kind\": \"local\", \"timeScale\": -1}]}")?.field == "providers[0].timeScale")
        #expect(problem("{\"providers\": [{\"name\": \"p\", \"kind\": \"azure\", \"subscriptionId\": \"nope\"}]}")?.field == "providers[0].subscriptionId")
        #expect(problem("{\"providers\": [{\"name\": \"p\", \"kind\": \"local\"}, {\"name\": \"p\", \"kind\": \"local\"}]}")?.field == "providers[1].name")
        #expect(problem("{\"defaultProvider\": \"ghost\"}")?.field == "defaultProvider")
        #expect(problem("{\"providers\": [") != nil)
    }

    @Test func pathsFollowTheXDGRules() {
        let paths = AgentPaths.resolve(explicitConfig: nil, environment: ["HOME": "/home/u", "XDG_STATE_HOME": "relative/ignored"])
        #expect(paths.configFile == "/home/u/.config/cloud-agent/config.json")
        #expect(paths.stateDirectory == "/home/u/.local/state/cloud-agent")
        #expect(!paths.configFileIsExplicit)
        let explicit = AgentPaths.resolve(explicitConfig: "/c.json", environment: ["HOME": "/h", "XDG_STATE_HOME": "/s", "XDG_CONFIG_HOME": "/c"])
        #expect(explicit.configFile == "/c.json" && explicit.configFileIsExplicit)
        #expect(explicit.stateDirectory == "/s/cloud-agent")
    }
}

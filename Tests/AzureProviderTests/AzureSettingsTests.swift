import CloudCore
import Testing
@testable import AzureProvider

struct AzureSettingsTests {
    @Test(arguments: ["rg", "my-rg_1", "(prod).east", String(repeating: "r", count: 90)])
    func resourceGroupNamesARMAcceptsPass(_ name: String) {
        #expect(AzureSettings.resourceGroupName(name) == nil)
    }

    @Test(arguments: ["ends.", "has space", "slash/", String(repeating: "r", count: 91)])
    func resourceGroupNamesARMRefusesFail(_ name: String) {
        #expect(AzureSettings.resourceGroupName(name)?.contains("90 letters") == true)
    }

    @Test(arguments: ["admin", "backup", "console", "david", "sql", "user3", "Ops", "9lives", String(repeating: "u", count: 33)])
    func adminNamesComputeRefusesFail(_ name: String) {
        #expect(AzureSettings.adminUsername(name) != nil)
    }

    @Test(arguments: ["azureuser", "ops_1", "deploy-bot"])
    func adminNamesComputeTakesPass(_ name: String) {
        #expect(AzureSettings.adminUsername(name) == nil)
    }
}

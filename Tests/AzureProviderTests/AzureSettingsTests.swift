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
}

import CloudCore
import Testing
@testable import GCPProvider

/// The `gcp` provider's settings checks.
struct GCPSettingsTests {
    @Test func projectIDsFollowGooglesRule() {
        for good in ["my-project", "abcdef", "p-123456-prod"] { #expect(GCPSettings.projectID(good) == nil, "\(good)") }
        for bad in ["short", "My-Project", "1project", "project-", String(repeating: "a", count: 31), "my_project"] {
            #expect(GCPSettings.projectID(bad) != nil, "\(bad)")
        }
    }
}

import CloudCore
import Foundation
import Testing
@testable import AWSProvider

/// Where each service is reached: settings per service, then for all, then the environment,
/// then the regional endpoint.
struct AWSEndpointsTests {
    private func endpoints(_ settings: [String: SettingValue], region: String = "eu-west-1",
                           environment: [String: String] = [:]) -> AWSEndpoints {
        AWSEndpoints.from(settings: ProviderConfiguration(name: "p", kind: .aws, region: region, settings: settings),
                          region: region, environment: environment)
    }

    @Test func regionalEndpointsByDefault() {
        let plain = endpoints([:])
        #expect(plain.url(for: "eks").absoluteString == "https://eks.eu-west-1.amazonaws.com")
        #expect(plain.url(for: "sts").absoluteString == "https://sts.eu-west-1.amazonaws.com")
        #expect(endpoints([:], region: "cn-north-1").url(for: "ec2").absoluteString == "https://ec2.cn-north-1.amazonaws.com.cn")
    }

    @Test func aServiceSettingBeatsTheSettingForAllWhichBeatsTheEnvironment() {
        let environment = ["AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:1/", "AWS_ENDPOINT_URL": "http://127.0.0.1:2/"]
        let configured = endpoints(["endpointURL": .string("http://127.0.0.1:3"), "stsEndpointURL": .string("https://sts-fips.eu-west-1.amazonaws.com")],
                                   environment: environment)
        #expect(configured.url(for: "sts").absoluteString == "https://sts-fips.eu-west-1.amazonaws.com")
        #expect(configured.url(for: "eks").absoluteString == "http://127.0.0.1:3")
        let fromEnvironment = endpoints(["eksEndpointURL": .string("http://127.0.0.1:4")], environment: environment)
        #expect(fromEnvironment.url(for: "eks").absoluteString == "http://127.0.0.1:4")
        #expect(fromEnvironment.url(for: "ec2").absoluteString == "http://127.0.0.1:1/")
        #expect(fromEnvironment.url(for: "sts").absoluteString == "http://127.0.0.1:2/")
    }
}

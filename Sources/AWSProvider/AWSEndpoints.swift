import CloudCore
import Foundation

/// Where each AWS service of one provider is reached.
///
/// By default the regional endpoints (`https://eks.eu-west-1.amazonaws.com`; `.amazonaws.com.cn`
/// in China). The `eksEndpointURL`, `ec2EndpointURL` and `stsEndpointURL` settings replace one
/// service's, `endpointURL` all of them (tests, moto, LocalStack, VPC endpoints); as in the AWS
/// SDKs, `AWS_ENDPOINT_URL_<SERVICE>` and then `AWS_ENDPOINT_URL` in the environment do the same
/// per service or for all, below the settings.
struct AWSEndpoints: Sendable, Equatable {
    var region: String
    var override: URL?
    var environment: [String: String]
    /// Per-service overrides (`eks`, `ec2`, `sts`), above `override`.
    var services: [String: URL] = [:]

    /// The services whose endpoint a setting of their own may replace.
    static let settableServices = ["eks", "ec2", "sts"]

    /// The endpoints a provider's settings give.
    static func from(settings: ProviderConfiguration, region: String, environment: [String: String]) -> AWSEndpoints {
        var endpoints = AWSEndpoints(region: region, override: settings.string("endpointURL").flatMap(URL.init(string:)),
                                     environment: environment)
        for service in settableServices {
            if let url = settings.string("\(service)EndpointURL").flatMap(URL.init(string:)) { endpoints.services[service] = url }
        }
        return endpoints
    }

    func url(for service: String) -> URL {
        if let own = services[service] { return own }
        if let override { return override }
        let variable = "AWS_ENDPOINT_URL_" + service.uppercased().replacingOccurrences(of: "-", with: "_")
        for name in [variable, "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty, let url = URL(string: value) { return url }
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://\(service).\(region).\(suffix)")!
    }
}

import Foundation

/// Where each AWS service of one provider is reached.
///
/// By default the regional endpoints (`https://eks.eu-west-1.amazonaws.com`; `.amazonaws.com.cn`
/// in China). The `endpointURL` setting replaces all of them (tests, moto, LocalStack); as in the
/// AWS SDKs, `AWS_ENDPOINT_URL_<SERVICE>` and then `AWS_ENDPOINT_URL` in the environment do the
/// same per service or for all, below the setting.
struct AWSEndpoints: Sendable, Equatable {
    var region: String
    var override: URL?
    var environment: [String: String]

    func url(for service: String) -> URL {
        if let override { return override }
        let variable = "AWS_ENDPOINT_URL_" + service.uppercased().replacingOccurrences(of: "-", with: "_")
        for name in [variable, "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty, let url = URL(string: value) { return url }
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://\(service).\(region).\(suffix)")!
    }
}

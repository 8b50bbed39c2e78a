import CloudCore

/// The settings an `aws` provider accepts (config file entry or `configureProvider`).
public enum AWSSettings {
    public static let specs: [SettingSpec] = [
        SettingSpec("accessKeyId", "Access key id; with secretAccessKey, explicit credentials."),
        SettingSpec("secretAccessKey", "Secret access key.", secret: true),
        SettingSpec("sessionToken", "Session token of temporary credentials.", secret: true),
        SettingSpec("profile", "Profile in ~/.aws/config and ~/.aws/credentials."),
        SettingSpec("roleArn", "Role to assume through STS (cross-account).", check: SettingChecks.iamRoleARN),
        SettingSpec("externalId", "External id for assuming roleArn."),
        SettingSpec("eksRoleArn", "IAM role of EKS control planes created by createCluster.", check: SettingChecks.iamRoleARN),
        SettingSpec("nodeRoleArn", "IAM role of EKS managed node groups.", check: SettingChecks.iamRoleARN),
        SettingSpec("endpointURL", "Base URL replacing every AWS endpoint (tests, LocalStack, moto).", check: SettingChecks.url),
        SettingSpec("eksEndpointURL", "URL replacing the EKS endpoint only (above endpointURL).", check: SettingChecks.url),
        SettingSpec("ec2EndpointURL", "URL replacing the EC2 endpoint only (above endpointURL).", check: SettingChecks.url),
        SettingSpec("stsEndpointURL", "URL replacing the STS endpoint only (above endpointURL); also the EKS token's.", check: SettingChecks.url),
    ]
}

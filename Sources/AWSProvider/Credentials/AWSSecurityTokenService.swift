/// The STS operations the credential chain needs (implemented by `STSClient`; tests inject their own).
protocol AWSSecurityTokenService: Sendable {
    /// `AssumeRole`, signed with `credentials`.
    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String,
                    externalId: String?) async throws -> AWSCredentials
    /// `AssumeRoleWithWebIdentity` (unsigned: the token is the proof).
    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials
}

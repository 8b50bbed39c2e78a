import CloudCore

/// The SSH keys Azure installs on Linux VMs: RSA and Ed25519 only (Compute refuses ECDSA and
/// security keys), checked before the VM's public IP and network interface are made.
enum AzureSSHKeyRule {
    static let types: Set<String> = ["ssh-rsa", "ssh-ed25519"]

    static func check(_ key: String) throws(CloudProviderError) {
        guard let type = key.split(separator: " ").first, types.contains(String(type)) else {
            throw .invalidRequest(field: "sshPublicKey", reason: "must be an ssh-rsa or ssh-ed25519 key: Azure's Linux VMs take no other kind")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport

/// Signs messages with RS256 using Python's `cryptography` package in a child process, so
/// tests can compare `RSAPrivateKey` with an independent implementation at run time.
///
/// Python 3 with cryptography is required (scripts/test installs it); when it is missing the
/// cross-check fails with the reason instead of being skipped.
enum CryptographySigner {
    /// One key (PKCS#8 PEM) and the message to sign with it.
    struct Request: Encodable, Sendable {
        var pem: String
        var messageHex: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let script = #"""
        import json, sys
        try:
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding
        except ImportError as error:
            sys.stderr.write(f"cannot import cryptography ({error}); install it with 'python3 -m pip install cryptography'\n")
            sys.exit(3)

        signatures = []
        for request in json.loads(sys.argv[1]):
            key = serialization.load_pem_private_key(request["pem"].encode("ascii"), password=None)
            message = bytes.fromhex(request["messageHex"])
            signatures.append(key.sign(message, padding.PKCS1v15(), hashes.SHA256()).hex())
        json.dump(signatures, sys.stdout)
        """#

    /// The signatures (hex) that cryptography makes for `requests`, in order.
    static func sign(_ requests: [Request]) async throws -> [String] {
        let argument = String(decoding: try JSONEncoder().encode(requests), as: UTF8.self)
        let command = ["/usr/bin/env", "python3", "-c", script, argument]
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(command, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw Failure(description: "cannot start python3 for the cryptography cross-check (python3 -m pip install cryptography): \(error)")
        }
        let (status, output, errors) = await onOwnThread { child.collectOutput(timeoutSeconds: 60) }
        guard let status else {
            throw Failure(description: "the cryptography cross-check script did not finish within 60 seconds and was killed")
        }
        guard status == 0 else {
            throw Failure(description: """
                the RS256 cross-check needs python3 with cryptography (python3 -m pip install cryptography); \
                the script exited with status \(status): \(String(decoding: errors, as: UTF8.self))
                """)
        }
        do {
            return try JSONDecoder().decode([String].self, from: Data(output))
        } catch {
            throw Failure(description: "cryptography's answer is not a JSON list of signatures (\(error)): \(String(decoding: output, as: UTF8.self))")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Signs a request with botocore (`SigV4Auth`, or `SigV4QueryAuth` for presigned URLs) in a
/// Python child process at a fixed timestamp, so tests can compare our signer with the one
/// the AWS CLI uses.
///
/// Python 3 with botocore is required (the test command installs it); when it is missing the
/// cross-check fails with the reason instead of being skipped.
public enum BotocoreSigner {
    /// What to sign, as the embedded script reads it.
    public struct Request: Encodable, Sendable {
        public var method: String
        public var url: String
        /// Sent as a dict, so names must be distinct.
        public var headers: [[String]]
        public var body: String
        public var service: String
        public var region: String
        public var accessKeyId: String
        public var secretAccessKey: String
        public var sessionToken: String?
        /// `yyyyMMdd'T'HHmmss'Z'`.
        public var timestamp: String
        /// Presigns (`SigV4QueryAuth`) with this lifetime in seconds when set.
        public var expires: Int?

        public init(method: String, url: String, headers: [[String]], body: String, service: String, region: String,
                    accessKeyId: String, secretAccessKey: String, sessionToken: String?, timestamp: String, expires: Int?) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.service = service
            self.region = region
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
            self.timestamp = timestamp
            self.expires = expires
        }
    }

    /// What botocore produced.
    public struct Result: Decodable, Sendable {
        public var url: String
        public var headers: [[String]]
        public var canonicalRequest: String
        public var stringToSign: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let script = #"""
        import datetime, json, sys
        try:
            import botocore, botocore.auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
        except ImportError as error:
            sys.stderr.write(f"cannot import botocore ({error}); install it with 'python3 -m pip install botocore'\n")
            sys.exit(3)

        spec = json.loads(sys.argv[1])
        fixed = datetime.datetime.strptime(spec["timestamp"], "%Y%m%dT%H%M%SZ")
        # add_auth reads the clock through this module-level name.
        botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed

        base = botocore.auth.SigV4QueryAuth if spec.get("expires") else botocore.auth.SigV4Auth
        captured = {}

        class Capturing(base):
            def string_to_sign(self, request, canonical_request):
                captured["canonicalRequest"] = canonical_request
                captured["stringToSign"] = super().string_to_sign(request, canonical_request)
                return captured["stringToSign"]

        credentials = Credentials(spec["accessKeyId"], spec["secretAccessKey"], spec.get("sessionToken"))
        if spec.get("expires"):
            signer = Capturing(credentials, spec["service"], spec["region"], expires=spec["expires"])
        else:
            signer = Capturing(credentials, spec["service"], spec["region"])
        request = AWSRequest(method=spec["method"], url=spec["url"], headers=dict(spec["headers"]),
                             data=spec["body"].encode("utf-8"))
        signer.add_auth(request)
        json.dump({"url": request.url, "headers": [[k, v] for k, v in request.headers.items()], **captured}, sys.stdout)
        """#

    /// Runs the script for `request` and decodes its answer.
    public static func sign(_ request: Request) async throws -> Result {
        let argument = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let command = ["/usr/bin/env", "python3", "-c", script, argument]
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(command, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw Failure(description: "cannot start python3 for the botocore cross-check: \(error)")
        }
        let (status, output, errors) = await onOwnThread { child.collectOutput(timeoutSeconds: 60) }
        guard let status else {
            throw Failure(description: "the botocore cross-check script did not finish within 60 seconds and was killed")
        }
        guard status == 0 else {
            throw Failure(description: """
                the botocore cross-check needs python3 with botocore (python3 -m pip install botocore); \
                the script exited with status \(status): \(String(decoding: errors, as: UTF8.self))
                """)
        }
        do {
            return try JSONDecoder().decode(Result.self, from: Data(output))
        } catch {
            throw Failure(description: "botocore's answer is not the expected JSON (\(error)): \(String(decoding: output, as: UTF8.self))")
        }
    }
}

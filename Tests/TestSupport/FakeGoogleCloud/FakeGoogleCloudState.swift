import CloudCore
import CryptoPrimitives
import Foundation

/// A GKE cluster of the fake.
struct FakeCluster {
    var project: String
    var location: String
    var name: String
    var version: String
    var status = "PROVISIONING"
    var statusMessage = ""
    var labels: [String: String]
    var pools: [String: FakeNodePool] = [:]
    var created: Date
}

/// A node pool of the fake.
struct FakeNodePool {
    var name: String
    var status = "PROVISIONING"
    var nodeCount: Int
    var machineType: String
    var version: String
}

/// A Compute instance of the fake.
struct FakeInstance {
    var project: String
    var zone: String
    var name: String
    var id: UInt64
    var status = "PROVISIONING"
    var machineType: String
    var labels: [String: String]
    var image: String
    var external: Bool
    var privateIP: String
    var created: Date
}

/// An operation of either API and what happens when it is done.
struct FakeOperation {
    enum Effect {
        case createCluster, deleteCluster, upgradeMaster(String), createPool(String), deletePool(String), resizePool(String, Int)
        case upgradePool(String, String)
        case insert, start, stop, delete
    }

    var name: String
    var type: String
    var project: String
    /// GKE location or Compute zone.
    var place: String
    var isCompute: Bool
    /// The resource key (`project/place/name`).
    var target: String
    var targetName: String
    var effect: Effect
    var started: ContinuousClock.Instant
    var startedAt: Date
    var error: String?
    var applied = false
}

/// The fake's whole state, changed under one lock by `handle`.
struct FakeGoogleCloudState {
    let operationDuration: Duration
    var tokens: Set<String>
    var injected: [(status: Int, retryAfter: Int?)] = []
    var failingOperations: [String: String] = [:]
    var refused = 0
    var clusters: [String: FakeCluster] = [:]
    var instances: [String: FakeInstance] = [:]
    var operations: [String: FakeOperation] = [:]
    var requestIDs: [String: String] = [:]
    var counter = 0
    /// Refresh tokens the token endpoint honours, and how many tokens it issued.
    var refreshTokens: Set<String> = []
    /// Service accounts whose signed JWTs the token endpoint honours: email → public key.
    var serviceAccounts: [String: RSAPublicKey] = [:]
    /// The `aud` the JWTs must name (this fake's `/token`).
    var tokenURL = ""
    var grants = 0
    var tokenLifetime = 3599

    static let versions = ["1.32.1-gke.1200000", "1.31.5-gke.1000000", "1.31.4-gke.1300000", "1.30.9-gke.1100000", "1.30.8-gke.1000000"]
    static let defaultVersion = "1.31.5-gke.1000000"
    /// The release channels: each one's default and valid versions.
    static let channels: [(name: String, defaultVersion: String, versions: [String])] = [
        ("RAPID", "1.32.1-gke.1200000", ["1.32.1-gke.1200000", "1.31.5-gke.1000000"]),
        ("REGULAR", defaultVersion, ["1.31.5-gke.1000000", "1.31.4-gke.1300000", "1.30.9-gke.1100000"]),
        ("STABLE", "1.30.9-gke.1100000", ["1.30.9-gke.1100000", "1.30.8-gke.1000000"]),
    ]

    init(operationDuration: Duration, tokens: Set<String>) {
        self.operationDuration = operationDuration
        self.tokens = tokens
    }

    // MARK: - Dispatch

    mutating func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.method == "POST", request.url.path == "/token" { return tokenGrant(request) }
        guard let token = request.header("authorization"), token.hasPrefix("Bearer "), tokens.contains(String(token.dropFirst(7))) else {
            refused += 1
            return Self.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                              headers: ["WWW-Authenticate": #"Bearer realm="https://accounts.google.com/", error="invalid_token""#])
        }
        if !injected.isEmpty {
            let (status, retryAfter) = injected.removeFirst()
            return Self.error(status, status == 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
                              status == 429 ? "Quota exceeded for quota metric 'Read requests'." : "The service is currently unavailable.",
                              headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        }
        settle()
        let path = request.url.path.split(separator: "/").map(String.init)
        let query = Dictionary((URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") },
                               uniquingKeysWith: { first, _ in first })
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body.isEmpty ? Array("{}".utf8) : request.body))) as? [String: Any] ?? [:]
        if path.count >= 5, path[0] == "v1", path[1] == "projects", path[3] == "locations" {
            return gke(request.method, project: path[2], location: path[4], Array(path.dropFirst(5)), body: body)
        }
        if path.count >= 4, path[0] == "compute", path[1] == "v1", path[2] == "projects" {
            return compute(request.method, project: path[3], Array(path.dropFirst(4)), query: query, body: body)
        }
        return Self.error(404, "NOT_FOUND", "The requested URL \(request.url.path) was not found on this server.")
    }

    // MARK: - OAuth

    /// `https://oauth2.googleapis.com/token`: the refresh-token grant of authorized_user files.
    mutating func tokenGrant(_ request: HTTPRequest) -> HTTPResponse {
        var form: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        switch form["grant_type"] {
        case "refresh_token":
            guard let refresh = form["refresh_token"], refreshTokens.contains(refresh), form["client_id"] != nil, form["client_secret"] != nil else {
                return Self.json(400, ["error": "invalid_grant", "error_description": "Bad Request"])
            }
        case "urn:ietf:params:oauth:grant-type:jwt-bearer":
            if let problem = checkAssertion(form["assertion"] ?? "") {
                return Self.json(400, ["error": "invalid_grant", "error_description": problem])
            }
        default:
            return Self.json(400, ["error": "unsupported_grant_type", "error_description": "Invalid grant_type"])
        }
        grants += 1
        let issued = "ya29.issued-\(grants)"
        tokens.insert(issued)
        return Self.json(200, ["access_token": issued, "expires_in": tokenLifetime, "token_type": "Bearer",
                               "scope": "https://www.googleapis.com/auth/cloud-platform"])
    }

    /// Why a service account's JWT is refused, or nil: RS256, a known `iss` whose key made the
    /// signature, `aud` this endpoint, a scope, and at most an hour of life, not expired.
    func checkAssertion(_ jwt: String) -> String? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let header = Self.decodeSegment(parts[0]), let claims = Self.decodeSegment(parts[1]),
              let signature = Base64URL.decode(parts[2]) else { return "Invalid JWT" }
        guard header["alg"] as? String == "RS256" else { return "Invalid JWT: algorithm" }
        guard let issuer = claims["iss"] as? String, let key = serviceAccounts[issuer] else { return "Invalid JWT: unknown issuer" }
        guard key.verifyPKCS1v15SHA256(Array("\(parts[0]).\(parts[1])".utf8), signature: signature) else { return "Invalid JWT Signature." }
        guard claims["aud"] as? String == tokenURL else { return "Invalid JWT: audience" }
        guard (claims["scope"] as? String)?.isEmpty == false else { return "Invalid JWT: no scope" }
        guard let issued = claims["iat"] as? Double, let expires = claims["exp"] as? Double, expires - issued <= 3600,
              expires > Date().timeIntervalSince1970 else { return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe." }
        return nil
    }

    static func decodeSegment(_ text: String) -> [String: Any]? {
        Base64URL.decode(text).flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    // MARK: - Time

    /// Applies every operation whose time is up.
    mutating func settle() {
        let now = ContinuousClock.now
        for (name, operation) in operations where !operation.applied && now - operation.started >= operationDuration {
            operations[name]!.applied = true
            apply(operation)
        }
    }

    func status(of operation: FakeOperation) -> String {
        if operation.applied { return "DONE" }
        return ContinuousClock.now - operation.started < operationDuration / 3 ? "PENDING" : "RUNNING"
    }

    private mutating func apply(_ operation: FakeOperation) {
        let key = operation.target
        if let message = operation.error {
            switch operation.effect {
            case .createCluster:
                clusters[key]?.status = "ERROR"
                clusters[key]?.statusMessage = message
            case .createPool(let pool): clusters[key]?.pools[pool]?.status = "ERROR"
            case .upgradeMaster, .upgradePool, .resizePool:
                clusters[key]?.status = "RUNNING"
                for pool in clusters[key]?.pools.keys.map({ $0 }) ?? [] where clusters[key]?.pools[pool]?.status == "RECONCILING" {
                    clusters[key]?.pools[pool]?.status = "RUNNING"
                }
            case .insert: instances[key] = nil
            default: break
            }
            return
        }
        switch operation.effect {
        case .createCluster:
            clusters[key]?.status = "RUNNING"
            for pool in clusters[key]?.pools.keys.map({ $0 }) ?? [] { clusters[key]?.pools[pool]?.status = "RUNNING" }
        case .deleteCluster: clusters[key] = nil
        case .upgradeMaster(let version):
            clusters[key]?.version = version
            clusters[key]?.status = "RUNNING"
        case .createPool(let pool): clusters[key]?.pools[pool]?.status = "RUNNING"
        case .deletePool(let pool): clusters[key]?.pools[pool] = nil
        case .upgradePool(let pool, let version):
            clusters[key]?.pools[pool]?.version = version
            clusters[key]?.pools[pool]?.status = "RUNNING"
            clusters[key]?.status = "RUNNING"
        case .resizePool(let pool, _):
            clusters[key]?.pools[pool]?.status = "RUNNING"
            clusters[key]?.status = "RUNNING"
        case .insert, .start: instances[key]?.status = "RUNNING"
        case .stop: instances[key]?.status = "TERMINATED"
        case .delete: instances[key] = nil
        }
    }

    mutating func startOperation(type: String, project: String, place: String, compute: Bool, target: String, targetName: String,
                                 effect: FakeOperation.Effect) -> FakeOperation {
        counter += 1
        let name = "operation-\(1_700_000_000_000 + counter)-\(String(counter * 2_654_435_761 % 0xFFFFFF, radix: 16))"
        let operation = FakeOperation(name: name, type: type, project: project, place: place, isCompute: compute, target: target,
                                      targetName: targetName, effect: effect, started: .now, startedAt: Date(),
                                      error: failingOperations.removeValue(forKey: type))
        operations[name] = operation
        return operation
    }

    /// Whether an operation still runs on `target` (GKE refuses a second one).
    func busy(_ target: String) -> FakeOperation? {
        operations.values.first { $0.target == target && !$0.applied && !$0.isCompute }
    }

    // MARK: - Answers

    static func json(_ status: Int, _ object: Any, headers: [String: String] = [:]) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json; charset=UTF-8"]) { given, _ in given },
                            body: Array(data))
    }

    static func error(_ code: Int, _ status: String, _ message: String, reason: String? = nil, headers: [String: String] = [:]) -> HTTPResponse {
        var error: [String: Any] = ["code": code, "message": message, "status": status]
        if let reason { error["errors"] = [["message": message, "domain": "global", "reason": reason]] }
        return json(code, ["error": error], headers: headers)
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}

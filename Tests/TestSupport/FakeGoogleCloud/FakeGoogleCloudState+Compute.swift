import CloudCore
import Foundation

/// The Compute Engine `compute/v1` paths of the fake.
extension FakeGoogleCloudState {
    mutating func compute(_ method: String, project: String, _ rest: [String], query: [String: String], body: [String: Any]) -> HTTPResponse {
        if method == "GET", rest == ["aggregated", "instances"] {
            let all = instances.values.filter { $0.project == project && matches($0, filter: query["filter"]) }.sorted { ($0.zone, $0.name) < ($1.zone, $1.name) }
            let (page, next) = Self.page(all, query: query)
            var items: [String: Any] = [:]
            for zone in Set(all.map(\.zone)).union(["asia-east1-a"]).sorted() {
                let here = page.filter { $0.zone == zone }
                items["zones/\(zone)"] = here.isEmpty
                    ? ["warning": ["code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'zones/\(zone)' on this page."]]
                    : ["instances": here.map(instanceJSON)]
            }
            var json: [String: Any] = ["kind": "compute#instanceAggregatedList", "items": items]
            if let next { json["nextPageToken"] = next }
            return Self.json(200, json)
        }
        guard rest.count >= 3, rest[0] == "zones" else { return Self.error(404, "NOT_FOUND", "Not found.", reason: "notFound") }
        let zone = rest[1]
        if rest[2] == "operations", rest.count == 4 {
            guard let operation = operations[rest[3]], operation.isCompute else {
                return Self.error(404, "NOT_FOUND", "The resource 'projects/\(project)/zones/\(zone)/operations/\(rest[3])' was not found", reason: "notFound")
            }
            return Self.json(200, computeOperationJSON(operation))
        }
        guard rest[2] == "instances" else { return Self.error(404, "NOT_FOUND", "Not found.", reason: "notFound") }
        if rest.count == 3 {
            if method == "GET" {
                let all = instances.values.filter { $0.project == project && $0.zone == zone && matches($0, filter: query["filter"]) }
                    .sorted { $0.name < $1.name }
                let (page, next) = Self.page(all, query: query)
                var json: [String: Any] = ["kind": "compute#instanceList"]
                if !page.isEmpty { json["items"] = page.map(instanceJSON) }
                if let next { json["nextPageToken"] = next }
                return Self.json(200, json)
            }
            return insert(project: project, zone: zone, query: query, body: body)
        }
        let name = rest[3]
        let key = "\(project)/\(zone)/\(name)"
        if let id = query["requestId"], let earlier = requestIDs[id], let operation = operations[earlier] {
            return Self.json(200, computeOperationJSON(operation))
        }
        guard let instance = instances[key] else {
            return Self.error(404, "NOT_FOUND", "The resource 'projects/\(project)/zones/\(zone)/instances/\(name)' was not found", reason: "notFound")
        }
        let verb = rest.count == 5 ? rest[4] : nil
        switch (method, verb) {
        case ("GET", nil): return Self.json(200, instanceJSON(instance))
        case ("POST", "start"?):
            instances[key]?.status = instance.status == "RUNNING" ? "RUNNING" : "STAGING"
            return recorded(query, startOperation(type: "start", project: project, place: zone, compute: true, target: key, targetName: name, effect: .start))
        case ("POST", "stop"?):
            instances[key]?.status = instance.status == "TERMINATED" ? "TERMINATED" : "STOPPING"
            return recorded(query, startOperation(type: "stop", project: project, place: zone, compute: true, target: key, targetName: name, effect: .stop))
        case ("DELETE", nil):
            instances[key]?.status = "STOPPING"
            return recorded(query, startOperation(type: "delete", project: project, place: zone, compute: true, target: key, targetName: name, effect: .delete))
        default:
            return Self.error(400, "INVALID_ARGUMENT", "Invalid request.", reason: "invalid")
        }
    }

    private mutating func recorded(_ query: [String: String], _ operation: FakeOperation) -> HTTPResponse {
        if let id = query["requestId"] { requestIDs[id] = operation.name }
        return Self.json(200, computeOperationJSON(operation))
    }

    private mutating func insert(project: String, zone: String, query: [String: String], body: [String: Any]) -> HTTPResponse {
        if let id = query["requestId"], let earlier = requestIDs[id], let operation = operations[earlier] {
            return Self.json(200, computeOperationJSON(operation))  // Compute's idempotency: the same operation.
        }
        guard let name = body["name"] as? String, name.count <= 63, name.first?.isLowercase == true,
              name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }), name.last != "-" else {
            return Self.error(400, "INVALID_ARGUMENT", "Invalid value for field 'resource.name': '\(body["name"] ?? "")'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
                              reason: "invalid")
        }
        let key = "\(project)/\(zone)/\(name)"
        guard instances[key] == nil else {
            return Self.error(409, "ALREADY_EXISTS", "The resource 'projects/\(project)/zones/\(zone)/instances/\(name)' already exists", reason: "alreadyExists")
        }
        let disks = body["disks"] as? [[String: Any]] ?? []
        let image = (disks.first?["initializeParams"] as? [String: Any])?["sourceImage"] as? String ?? ""
        let nic = (body["networkInterfaces"] as? [[String: Any]])?.first
        counter += 1
        instances[key] = FakeInstance(project: project, zone: zone, name: name, id: 4_000_000_000_000_000_000 + UInt64(counter),
                                      machineType: (body["machineType"] as? String ?? "e2-medium").split(separator: "/").last.map(String.init) ?? "",
                                      labels: body["labels"] as? [String: String] ?? [:], image: image,
                                      external: !((nic?["accessConfigs"] as? [Any]) ?? []).isEmpty,
                                      privateIP: "10.128.0.\(counter % 250 + 2)", created: Date())
        return recorded(query, startOperation(type: "insert", project: project, place: zone, compute: true, target: key, targetName: name, effect: .insert))
    }

    /// Compute filters the fake understands: `(labels.KEY = "VALUE")` and `(status = VALUE)`
    /// expressions, all of which must hold.
    func matches(_ instance: FakeInstance, filter: String?) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        for expression in filter.split(separator: ")").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "( ")) }) where !expression.isEmpty {
            let parts = expression.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { return false }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if parts[0].hasPrefix("labels.") {
                if instance.labels[String(parts[0].dropFirst(7))] != value { return false }
            } else if parts[0] == "status" {
                if instance.status != value { return false }
            } else {
                return false
            }
        }
        return true
    }

    /// `maxResults` items after the `pageToken` (an offset), and the next token.
    static func page<T>(_ items: [T], query: [String: String]) -> ([T], String?) {
        let size = min(500, max(1, Int(query["maxResults"] ?? "") ?? 500))
        let offset = query["pageToken"].flatMap { Int($0.dropFirst(4)) } ?? 0
        let page = Array(items.dropFirst(offset).prefix(size))
        return (page, offset + size < items.count ? "page\(offset + size)" : nil)
    }

    func instanceJSON(_ instance: FakeInstance) -> [String: Any] {
        let zoneURL = "https://www.googleapis.com/compute/v1/projects/\(instance.project)/zones/\(instance.zone)"
        var nic: [String: Any] = ["name": "nic0", "network": "https://www.googleapis.com/compute/v1/projects/\(instance.project)/global/networks/default",
                                  "networkIP": instance.privateIP]
        if instance.external, instance.status == "RUNNING" {
            nic["accessConfigs"] = [["type": "ONE_TO_ONE_NAT", "name": "External NAT", "natIP": "34.70.\(instance.id % 200).\(instance.id % 97 + 1)"]]
        }
        return ["kind": "compute#instance", "id": String(instance.id), "name": instance.name, "status": instance.status,
                "machineType": "\(zoneURL)/machineTypes/\(instance.machineType)", "zone": zoneURL, "labels": instance.labels,
                "creationTimestamp": Self.timestamp(instance.created), "networkInterfaces": [nic],
                "disks": [["boot": true, "autoDelete": true, "source": "\(zoneURL)/disks/\(instance.name)"]],
                "selfLink": "\(zoneURL)/instances/\(instance.name)"]
    }

    func computeOperationJSON(_ operation: FakeOperation) -> [String: Any] {
        let zoneURL = "https://www.googleapis.com/compute/v1/projects/\(operation.project)/zones/\(operation.place)"
        let status = status(of: operation)
        var json: [String: Any] = [
            "kind": "compute#operation", "id": String(operation.name.hashValue.magnitude), "name": operation.name, "zone": zoneURL,
            "operationType": operation.type, "targetLink": "\(zoneURL)/instances/\(operation.targetName)", "status": status,
            "progress": status == "DONE" ? 100 : status == "RUNNING" ? 50 : 0, "insertTime": Self.timestamp(operation.startedAt),
            "selfLink": "\(zoneURL)/operations/\(operation.name)",
        ]
        if operation.applied, let message = operation.error {
            json["error"] = ["errors": [["code": "ZONE_RESOURCE_POOL_EXHAUSTED", "message": message]]]
            json["httpErrorStatusCode"] = 503
            json["httpErrorMessage"] = "SERVICE UNAVAILABLE"
        }
        return json
    }
}

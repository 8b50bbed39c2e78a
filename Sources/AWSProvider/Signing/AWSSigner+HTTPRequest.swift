import CloudCore
import Foundation

extension AWSSigner {
    /// `request` with its headers signed at `date` (see `signHeaders`), ready for an `HTTPTransport`.
    public func signed(_ request: HTTPRequest, date: Date = Date()) -> HTTPRequest {
        var signed = request
        signed.headers = signHeaders(method: request.method, url: request.url, headers: request.headers, body: request.body, date: date)
        return signed
    }
}

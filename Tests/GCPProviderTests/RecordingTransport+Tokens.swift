import CloudCore
import TestSupport

extension HTTPResponse {
    /// A token endpoint's (or the metadata server's) successful answer.
    static func token(_ token: String, expiresIn: Int? = 3599) -> HTTPResponse {
        .json(200, #"{"access_token":"\#(token)","#  + (expiresIn.map { #""expires_in":\#($0),"# } ?? "") + #""token_type":"Bearer"}"#)
    }
}

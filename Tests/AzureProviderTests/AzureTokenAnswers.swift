import CloudCore
import Foundation
import TestSupport

extension HTTPResponse {
    /// Microsoft Entra's token endpoint's successful answer (`expires_in` a number).
    static func entraToken(_ token: String, expiresIn: Int? = 3599) -> HTTPResponse {
        .json(200, #"{"token_type":"Bearer","#
            + (expiresIn.map { #""expires_in":\#($0),"ext_expires_in":\#($0),"# } ?? "") + #""access_token":"\#(token)"}"#)
    }

    /// A managed identity endpoint's successful answer (numbers as strings), expiring
    /// `expiresIn` seconds after `issuedAt`.
    static func managedIdentityToken(_ token: String, issuedAt: Date, expiresIn: Int = 3599) -> HTTPResponse {
        let expiresOn = Int(issuedAt.timeIntervalSince1970) + expiresIn
        return .json(200, """
            {"access_token":"\(token)","client_id":"11111111-2222-3333-4444-555555555555","expires_in":"\(expiresIn)",\
            "expires_on":"\(expiresOn)","ext_expires_in":"\(expiresIn)","not_before":"\(expiresOn - expiresIn)",\
            "resource":"https://management.azure.com/","token_type":"Bearer"}
            """)
    }
}

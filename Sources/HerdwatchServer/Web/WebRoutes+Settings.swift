import Access
import Foundation
import Hummingbird

extension WebRoutes {
    /// The choices of the blur setting: the person's own (on, off) or the server's (`web.blurMedia`).
    static func blurChoices(_ own: Bool?, serverDefault: Bool) -> [[String: Any]] {
        [
            [
                "value": "default", "label": "As the server sets it (\(serverDefault ? "blurred" : "not blurred"))",
                "checked": own == nil,
            ],
            ["value": "on", "label": "Blur and desaturate media until I reveal it", "checked": own == true],
            ["value": "off", "label": "Show media as it is", "checked": own == false],
        ]
    }

    /// `GET /herdwatch/settings`: the signed-in person's own settings.
    func settingsPage(_ request: Request, context: Context) async -> Response {
        let own = context.principal?.account?.blurMedia
        return page(
            "settings", title: "Settings", context: context,
            ["blurChoices": Self.blurChoices(own, serverDefault: settings.blurMedia)])
    }

    struct SettingsForm: Decodable {
        var csrf: String
        var blur: String?
    }

    /// `POST /herdwatch/settings`: saves the blur setting with the account (CSRF-checked like every form).
    func saveSettings(_ request: Request, context: Context) async -> Response {
        guard let form: SettingsForm = await decodeForm(request), await checkCSRF(request, context, form: form.csrf),
            let account = context.principal?.account
        else { return forbidden(context, Self.csrfMessage) }
        let blur: Bool?
        switch form.blur {
        case "on": blur = true
        case "off": blur = false
        case "default": blur = nil
        default:
            return message(
                context, status: .unprocessableContent, heading: "Choose a setting",
                text: "Choose how media is shown (blurred, as it is, or as the server sets it), then save again.")
        }
        do {
            guard try await access.store.setBlurMedia(accountID: account.id, to: blur) else {
                return forbidden(context, "Your account no longer exists; ask an admin.")
            }
        } catch {
            return unavailable(context)
        }
        return Self.redirect(to: "/herdwatch/settings")
    }
}

import ActivityPub
import Foundation
@testable import HerdwatchServer
import Testing

/// Keys are read with the same id host parser as the rest of the firewall (`Hostname.host(ofID:)`), so that a
/// key and its owner cannot be on different hosts to two parsers.
@Suite struct ActorKeyIDTests {
    private func document(id: String, keyID: String, owner: String) -> String {
        #"{"id":"\#(id)","type":"Person","publicKey":{"id":"\#(keyID)","owner":"\#(owner)","publicKeyPem":"-----BEGIN PUBLIC KEY-----"}}"#
    }

    private func readError(_ json: String, keyID: String) throws -> KeyFetchError.Code? {
        let value = try JSONValue.parse(json)
        do throws(KeyFetchError) {
            _ = try ActorKey.read(value, keyID: keyID, fetchedAt: Date())
            return nil
        } catch {
            return error.code
        }
    }

    @Test func backslashKeyIDIsRefused() throws {
        // Foundation's URL read `trusted.example\` as userinfo and `attacker` as the host of both, so the owner
        // check passed while the rest of the firewall saw trusted.example.
        let keyID = #"http://trusted.example\\@attacker/users/x#main-key"#
        let owner = #"http://trusted.example\\@attacker/users/x"#
        let parsedKeyID = #"http://trusted.example\@attacker/users/x#main-key"#
        #expect(try readError(document(id: owner, keyID: keyID, owner: owner), keyID: parsedKeyID) == .badKeyID)
    }

    @Test func userinfoInTheKeyIDOrOwnerIsRefused() throws {
        let keyID = "https://trusted.example@attacker.example/users/x#main-key"
        let owner = "https://trusted.example@attacker.example/users/x"
        #expect(try readError(document(id: owner, keyID: keyID, owner: owner), keyID: keyID) == .badKeyID)
        let plainKey = "https://attacker.example/users/x#main-key"
        let json = document(id: "https://attacker.example/users/x", keyID: plainKey, owner: "https://x@attacker.example/users/x")
        #expect(try readError(json, keyID: plainKey) == .ownerMismatch)
    }

    @Test func ownerOnTheKeysHostIsAccepted() throws {
        let keyID = "https://Social.Example/users/x#main-key"
        let json = document(id: "https://social.example/users/x", keyID: keyID, owner: "https://social.example:443/users/x")
        #expect(try readError(json, keyID: keyID) == nil)
    }
}

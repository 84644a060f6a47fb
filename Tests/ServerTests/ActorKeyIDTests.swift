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

/// The key fetcher reads a keyId's host as the URL Standard does, or refuses it, before any lookup.
extension KeyFetchTests {
    @Test(arguments: [
        #"http://trusted.example\@127.0.0.1/users/a#main-key"#, "http://user@trusted.example/users/a#main-key",
        #"https:\\trusted.example/users/a#main-key"#, "http://trusted%2Eexample/users/a#main-key", "ftp://trusted.example/k",
    ])
    func aKeyIdThatIsNotPlainlyWrittenIsRefusedBeforeAnyLookup(keyID: String) async {
        let resolver = ScriptedResolver([["203.0.113.9"]])
        do throws(KeyFetchError) {
            _ = try await fetcher(allowPrivate: false, resolver: resolver).key(for: keyID, refresh: false)
            Issue.record("\(keyID) was fetched")
        } catch {
            #expect(error.code == .badKeyID, "\(keyID)")
        }
        #expect(resolver.count == 0, "\(keyID) was looked up")
    }
}

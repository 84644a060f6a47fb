import ActivityPub
import FuzzSupport

/// `Activity.decode` then `Normalizer.subject(for:actor:now:)`, as the inbox path runs them on a delivery body;
/// the embedded actor, if any, stands in for the fetched actor document. The subject's derived values that
/// rules read (`text.length`, link and mention hosts) are computed too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let activity = try? Activity.decode(FuzzInput.bytes(start, count)) else { return 0 }
    let subject = Normalizer.subject(for: activity, actor: activity.embeddedActor, now: FuzzInput.now)
    let derived = subject.textLength + subject.linkHosts.count + subject.linkDomains.count
        + subject.mentionHosts.count
    withExtendedLifetime((subject, derived)) {}
    return 0
}

/// The entry point SwiftPM links as `main`; see `runLibFuzzer`.
@_cdecl("FuzzActivity_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, count in
        fuzz(UnsafeRawPointer(data) ?? UnsafeRawPointer(bitPattern: 1)!, data == nil ? 0 : count)
    }
}

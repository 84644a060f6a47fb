import Foundation
public import Intake
public import Logging
public import RuleEngine
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the rule directory into the running engine, on `SIGHUP` and on
/// `POST /herdwatch/api/v1/rules/reload`. A set that does not load (what `herdwatch rules lint` reports as errors)
/// changes nothing: the engine in use stays, and the log and the answer say why. Loading (compiling every
/// pattern) runs on the server's thread pool, never on an event loop; reloads run one at a time.
public final class RuleReloader: Sendable {
    public let engines: RuleEngineHolder
    public let directory: String
    let work: any BlockingWork
    let logger: Logger
    /// Serialises reloads: a second one waits for the first rather than racing it.
    private let running = ReloadQueue()
    /// Where nodes share a database: told after each reload this node started, so the others reload too.
    let signals: (any NodeSignals)?

    public init(
        engines: RuleEngineHolder, directory: String, work: any BlockingWork, logger: Logger,
        signals: (any NodeSignals)? = nil
    ) {
        self.signals = signals
        self.engines = engines
        self.directory = directory
        self.work = work
        self.logger = logger
    }

    public enum Outcome: Sendable {
        /// The new set is in use.
        case reloaded(previousVersion: String, version: String, rules: Int, warnings: [String])
        /// The set did not load; the engine in use (`version`) stays.
        case refused(version: String, errors: [String])
    }

    /// The trigger of a reload another node asked for (which is not passed on).
    static let anotherNode = "another node"

    /// Reloads `directory`; `trigger` names who asked, for the log.
    public func reload(by trigger: String) async -> Outcome {
        await running.one {
            let directory = self.directory
            let previous = self.engines.engine.ruleSet.version
            let loaded: Result<RuleEngine, RuleSetError>
            do {
                loaded = try await self.work.run { () -> Result<RuleEngine, RuleSetError> in
                    do throws(RuleSetError) {
                        return .success(RuleEngine(ruleSet: try RuleSet.load(directory: directory)))
                    } catch {
                        return .failure(error)
                    }
                }
            } catch {
                loaded = .failure(RuleSetError(diagnostics: []))
            }
            switch loaded {
            case .success(let engine):
                self.engines.replace(with: engine)
                let ruleSet = engine.ruleSet
                self.logger.notice(
                    "rules reloaded",
                    metadata: [
                        "rules.directory": "\(directory)", "rules.version": "\(ruleSet.version)",
                        "rules.previous_version": "\(previous)", "rules.count": "\(ruleSet.rules.count)", "trigger": "\(trigger)",
                    ])
                if let signals = self.signals, trigger != Self.anotherNode {
                    do {
                        try await signals.send("rules")
                    } catch {
                        self.logger.error(
                            "rules reloaded here, but the other nodes could not be told; reload them too",
                            metadata: ["error": "\(error)"])
                    }
                }
                return .reloaded(
                    previousVersion: previous, version: ruleSet.version, rules: ruleSet.rules.count,
                    warnings: ruleSet.warnings.map(\.description))
            case .failure(let error):
                let errors = error.diagnostics.filter { $0.severity == .error }.map(\.description)
                let shown = errors.isEmpty ? ["the server is shutting down"] : errors
                self.logger.error(
                    "rules not reloaded: the set in \(directory) has errors; the rules in use (\(previous)) stay. Run `herdwatch rules lint \(directory)`",
                    metadata: ["rules.errors": "\(shown.joined(separator: "; "))", "trigger": "\(trigger)"])
                return .refused(version: previous, errors: shown)
            }
        }
    }
}

/// Runs one closure at a time, in arrival order.
final class ReloadQueue: Sendable {
    private let tail = Mutex<Task<Void, Never>?>(nil)

    func one<Result: Sendable>(_ body: @escaping @Sendable () async -> Result) async -> Result {
        let task = tail.withLock { tail -> Task<Result, Never> in
            let previous = tail
            let task = Task {
                await previous?.value
                return await body()
            }
            tail = Task { _ = await task.value }
            return task
        }
        return await task.value
    }
}

/// Reloads the rules on every `SIGHUP` until the server stops.
struct RuleReloadSignalService: Service {
    let reloader: RuleReloader

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                _ = await reloader.reload(by: "SIGHUP")
            }
        }
    }
}

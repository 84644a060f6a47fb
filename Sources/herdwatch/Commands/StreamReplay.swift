import ActivityPub
import ArgumentParser
import HerdwatchServer
import Intake
import Reputation

/// The in-order replay of recorded streams that `check` and `eval` share, so both decide exactly as the server
/// would have: decoding, normalising, folding and the prefilter scan run on the other cores a batch ahead;
/// reputation is read a batch at a time and the verdicts follow the input order, as if each activity were checked
/// in turn; reputation's batches are written on a thread of their own while the replay goes on, as the server
/// writes them.
struct StreamReplay {
    let assessor: Assessor
    /// The actor bare activities are evaluated with.
    var defaultActor: Actor?
    /// Activities without an envelope `signature` count as unsigned.
    var unverified = false

    /// Replays `files` in order. `tag` reads what the caller needs from each envelope beside the assessment (on a
    /// worker); `each` gets every item in input order: its `file:line`, its envelope id, and its assessment or why
    /// it could not be read. A reputation store failure ends the replay with exit status 2.
    func run<Tag: Sendable>(
        _ files: [String], tag: @escaping @Sendable (Envelope) -> Tag,
        each: (_ source: String, _ id: String?, _ outcome: Result<(Assessor.Assessment, Tag), ActivityPubError>) throws
            ->
            Void
    ) async throws {
        let assessor = assessor
        let defaultActor = defaultActor
        let unverified = unverified
        func replay() async throws {
            for file in files {
                let input = try openInput(file)
                try await ReplayPipeline.run(
                    workers: InputBatches.workers,
                    next: { input.next(InputBatches.batchSize) },
                    prepare: { entry in
                        entry.prepared {
                            (
                                assessor.prepare(replaying: $0, defaultActor: defaultActor, unverified: unverified),
                                tag($0)
                            )
                        }
                    },
                    consume: { batch in
                        do {
                            try assessor.prefetch(batch.compactMap { try? $0.payload.get().0 })
                        } catch {
                            throw fail("reputation store: \(error)")
                        }
                        for item in batch {
                            switch item.payload {
                            case .failure(let error):
                                try each(item.source, item.id, .failure(error))
                            case .success(let (prepared, tag)):
                                let assessment = await assessor.assess(prepared, prefetched: true)
                                if let failure = assessment.reputationFailure {
                                    throw fail("reputation store: \(failure)")
                                }
                                try each(item.source, item.id, .success((assessment, tag)))
                            }
                        }
                    })
            }
        }
        do {
            if let reputation = assessor.reputation {
                try await reputation.withBackgroundWriter(replay)
            } else {
                try await replay()
            }
            // What the follow graph learned goes to the database (with --db) in its last batch.
            try assessor.follows?.flush()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail("reputation store: \(error)")
        }
    }
}

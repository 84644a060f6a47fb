import Foundation
import RuleEngine
import Testing

@Suite("Reloading rules while serving")
struct RuleEngineHolderTests {
    static func rules(scoring score: Int) -> String {
        """
        rules:
          - id: casino
            description: casino
            types: [Create]
            when: {regex: 'casino'}
            score: \(score)
        """
    }

    @Test func aGoodReloadSwapsAndABadOneKeepsTheOldEngine() async throws {
        let directory = try RuleDirectory(["r.yaml": Self.rules(scoring: 3)])
        let holder = RuleEngineHolder(RuleEngine(ruleSet: try RuleSet.load(directory: directory.path)))
        let before = holder.engine.ruleSet.version
        #expect(try holder.engine.evaluate(activity: note("casino")).score == 3)

        try Self.rules(scoring: 9).write(to: directory.url.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        try await holder.reload(directory: directory.path)
        #expect(holder.engine.ruleSet.version != before)
        #expect(try holder.engine.evaluate(activity: note("casino")).action == .hold)

        try "rules: [".write(to: directory.url.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        await #expect(throws: RuleSetError.self) { try await holder.reload(directory: directory.path) }
        #expect(try holder.engine.evaluate(activity: note("casino")).score == 9)
        withExtendedLifetime(directory) {}
    }

    @Test func evaluationsDuringAReloadUseOneWholeEngine() async throws {
        let directory = try RuleDirectory(["r.yaml": Self.rules(scoring: 3)])
        let holder = RuleEngineHolder(RuleEngine(ruleSet: try RuleSet.load(directory: directory.path)))
        let newDirectory = try RuleDirectory(["r.yaml": Self.rules(scoring: 9)])
        let newPath = newDirectory.path
        let versions = [holder.engine.ruleSet.version, try RuleSet.load(directory: newPath).version]
        let scores = try await withThrowingTaskGroup(of: (String, Double).self) { group in
            for _ in 0..<200 {
                group.addTask {
                    let engine = holder.engine
                    return (engine.ruleSet.version, try engine.evaluate(activity: note("casino")).score)
                }
            }
            group.addTask {
                try await holder.reload(directory: newPath)
                return ("reload", 0)
            }
            return try await group.reduce(into: [(String, Double)]()) { $0.append($1) }
        }
        for (version, score) in scores where version != "reload" {
            #expect(versions.contains(version))
            #expect(score == (version == versions[0] ? 3 : 9))
        }
        #expect(holder.engine.ruleSet.version == versions[1])
        withExtendedLifetime((directory, newDirectory)) {}
    }
}

import ArgumentParser
import Intake
import RuleEngine

/// Loads a rule directory, or prints its errors and exits with status 2.
func loadRules(_ directory: String) throws -> RuleSet {
    do {
        return try RuleDirectory.load(directory)
    } catch {
        throw fail(error.description)
    }
}

/// Opens replay input (`-` for standard input), or says why it cannot and exits with status 2.
func openInput(_ file: String) throws -> InputBatches {
    do {
        return try InputBatches(file: file)
    } catch {
        throw fail(error.description)
    }
}

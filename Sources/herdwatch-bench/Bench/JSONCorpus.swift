import ActivityPub
import Foundation

/// The activities `herdwatch-bench json` parses: every `*.json` of a folder, as bytes and as `Data`.
struct JSONCorpus {
    struct Document {
        var name: String
        var bytes: [UInt8]
        var data: Data
    }

    var documents: [Document]
    var totalBytes: Int { documents.reduce(0) { $0 + $1.bytes.count } }

    init(documents: [Document]) {
        self.documents = documents
    }

    init(directory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        documents = try names.map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            return Document(name: name, bytes: Array(data), data: data)
        }
    }

    /// Where `Activity` and `DecodableActivity` read a document differently (id, type, actor, addressing, the
    /// object's id), one line each: timing two readers is only fair when they read the same thing.
    func disagreements() -> [String] {
        let decoder = JSONDecoder()
        var found: [String] = []
        for document in documents {
            let ours: Activity
            let theirs: DecodableActivity
            do {
                ours = try Activity.decode(document.bytes)
                theirs = try decoder.decode(DecodableActivity.self, from: document.data)
            } catch {
                found.append("\(document.name): \(error)")
                continue
            }
            let fields: [(String, String, String)] = [
                ("id", "\(ours.id ?? "-")", "\(theirs.id ?? "-")"),
                ("type", ours.type, theirs.type ?? "-"),
                ("actor", ours.actorID ?? "-", theirs.actor ?? "-"),
                ("to", "\(ours.to)", "\(theirs.to)"),
                ("cc", "\(ours.cc)", "\(theirs.cc)"),
                ("object id", ours.object.flatMap(Self.id) ?? "-", theirs.object?.id ?? "-"),
            ]
            for (field, mine, other) in fields where mine != other {
                found.append("\(document.name): \(field): Activity reads \(mine), DecodableActivity \(other)")
            }
        }
        return found
    }

    private static func id(of object: ObjectReference) -> String? {
        switch object {
        case .uri(let uri): uri
        case .object(let object): object.id
        case .actor(let actor): actor.id
        case .activity(let activity): activity.id
        case .multiple(let objects): objects.lazy.compactMap(id).first
        }
    }
}

public import ActivityPub
public import Foundation

extension FollowGraph {
    /// The change a delivery from a remote actor makes to the graph, if any; `isLocal` says whether a host is one
    /// of this instance's. Only for deliveries whose signature verified with the activity's actor as signer:
    /// the caller checks that (`LocalFollows.learn`).
    ///
    /// - `Follow` of a local user by the sender: the sender follows that user.
    /// - `Accept{Follow}` of a local user's `Follow` of the sender: the user follows the sender.
    /// - `Reject{Follow}` of the same: that edge is removed (a refused request, or a follower removed).
    /// - `Undo{Follow}` of the sender's own `Follow` of a local user: that edge is removed.
    /// - `Block` of a local user by the sender: both edges between them are removed (a block ends both follows).
    ///
    /// An `Accept`, `Reject` or `Undo` whose object is only an id cannot be attributed (the id alone does not say
    /// who followed whom, and guessing from it would let the sender pick the edge): it changes nothing.
    public static func changes(
        learnedFrom activity: Activity, at date: Date, isLocal: (String) -> Bool
    ) -> [FollowChange] {
        guard let senderID = activity.actorID, let sender = FollowAccount(actorID: senderID), !isLocal(sender.host),
            let object = activity.object
        else { return [] }
        func localAccount(_ id: String?) -> FollowAccount? {
            guard let id, let account = FollowAccount(actorID: id), isLocal(account.host) else { return nil }
            return account
        }
        func embeddedFollow() -> Activity? {
            guard case .activity(let follow) = object, follow.type == "Follow" else { return nil }
            return follow
        }
        switch activity.type {
        case "Follow":
            guard let local = localAccount(singleID(object)) else { return [] }
            return [
                .add(
                    FollowRecord(
                        edge: FollowEdge(local: local, remote: sender, direction: .remoteFollowsLocal), since: date))
            ]
        case "Accept", "Reject":
            guard let follow = embeddedFollow(), let local = localAccount(follow.actorID),
                let followed = follow.object.flatMap(singleID), followed == senderID
            else { return [] }
            let edge = FollowEdge(local: local, remote: sender, direction: .localFollowsRemote)
            return activity.type == "Accept" ? [.add(FollowRecord(edge: edge, since: date))] : [.remove(edge)]
        case "Undo":
            guard let follow = embeddedFollow(), follow.actorID == senderID,
                let local = localAccount(follow.object.flatMap(singleID))
            else { return [] }
            return [.remove(FollowEdge(local: local, remote: sender, direction: .remoteFollowsLocal))]
        case "Block":
            guard let local = localAccount(singleID(object)) else { return [] }
            return FollowEdge.Direction.allCases.map {
                .remove(FollowEdge(local: local, remote: sender, direction: $0))
            }
        default:
            return []
        }
    }

    /// The id of an object that names one actor: a bare id or an embedded actor.
    private static func singleID(_ object: ObjectReference) -> String? {
        switch object {
        case .uri(let id): id
        case .actor(let actor): actor.id
        case .object, .activity, .multiple: nil
        }
    }
}

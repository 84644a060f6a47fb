import Foundation
import ReviewQueue

/// The backlog series as the points of an SVG polyline: x from oldest to newest, y up with the number of cases,
/// in a `width` × `height` box with `margin` around the line. Numbers only: nothing from a case reaches the SVG.
struct BacklogChart: Sendable, Hashable {
    static let width = 600
    static let height = 160
    static let margin = 10

    let points: [CaseMetrics.BacklogPoint]

    /// The highest count the chart's scale reaches (at least 1, so an empty backlog draws a flat line at 0).
    var top: Int { max(points.map(\.pending).max() ?? 0, 1) }

    var polyline: String {
        guard points.count > 1 else { return "" }
        let innerWidth = Double(Self.width - 2 * Self.margin)
        let innerHeight = Double(Self.height - 2 * Self.margin)
        let top = Double(top)
        return points.enumerated().map { index, point in
            let x = Double(Self.margin) + innerWidth * Double(index) / Double(points.count - 1)
            let y = Double(Self.margin) + innerHeight * (1 - Double(point.pending) / top)
            return "\(Self.format(x)),\(Self.format(y))"
        }.joined(separator: " ")
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.1f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}

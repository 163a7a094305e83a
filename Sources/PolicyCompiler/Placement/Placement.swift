import Diagnostics

/// Where every machine of a policy runs: the result of `Placer.place`.
public struct Placement: Sendable {
    /// Marks a machine that could not be placed.
    public static let unplaced = -1

    /// For each vpxi (indices as in the model), for each of its machines, the index of the
    /// host it runs on (`unplaced` when placement failed for it).
    public var hosts: [[Int]]
    /// For each vpxi, the sum of its machines' costs, units per hour.
    public var costPerHour: [Double]
    /// Why placement failed, if it did (E0120–E0122); empty on success.
    public var diagnostics: [Diagnostic]

    public var succeeded: Bool { !diagnostics.hasErrors }

    /// The machines placed on each host: (vpxi, machine) pairs, by host index.
    public func machines(onHost host: Int) -> [(vpxi: Int, machine: Int)] {
        var result: [(Int, Int)] = []
        for (v, machines) in hosts.enumerated() {
            for (m, h) in machines.enumerated() where h == host { result.append((v, m)) }
        }
        return result
    }
}

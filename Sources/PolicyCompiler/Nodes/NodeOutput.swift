import Backends

/// Builds the bundles of a plan (on every core) and writes them, one folder per host,
/// each atomically (`BundleWriter`): the I/O edge of `spkic nodes` and `--nodes`.
public enum NodeOutput {
    public struct Report: Sendable {
        public var hosts: Int
        public var vms: Int
        public var securityAssociations: Int
        public var logins: Int
        public var files: Int
        public var bytes: Int
        /// Wall time of building (key wrapping, signing, rendering) and of writing.
        public var building: Duration
        public var writing: Duration
    }

    public static func write(_ plan: BundlePlan, secrets: BundleSecrets, to directory: String) throws(NodePlanningError) -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let builder: BundleBuilder
        let bundles: [HostBundle]
        do {
            builder = try BundleBuilder(plan: plan, secrets: secrets)
            bundles = try builder.buildAll()
        } catch {
            throw NodePlanningError(error)
        }
        let built = clock.now
        let written: BundleWriter.Report
        do {
            written = try BundleWriter.write(bundles, to: directory)
        } catch {
            throw NodePlanningError(error)
        }
        return Report(hosts: written.hosts, vms: plan.vms.count, securityAssociations: builder.securityAssociationCount,
                      logins: plan.logins.count, files: written.files, bytes: written.bytes,
                      building: built - start, writing: clock.now - built)
    }
}

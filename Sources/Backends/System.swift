import Foundation

/// The machine, as the bundle builder needs it.
enum System {
    static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}

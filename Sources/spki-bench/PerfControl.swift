#if canImport(Glibc)
import Glibc
#endif

/// Switches a `perf record` session on and off from inside the benchmark, so that a
/// profile holds only the part measured (e.g. the warm renewal passes, not the set-up):
/// `perf record -D -1 --control fifo:CTL,ACK -- spki-bench ... --perf-control CTL,ACK`.
/// perf opens both FIFOs when it starts; each command written to CTL is acknowledged on
/// ACK (`ack`), so that what follows `enable()` is recorded.
final class PerfControl {
    private let control: Int32
    private let acknowledgement: Int32

    /// Opens the FIFOs named by `spec` (`CTL,ACK`).
    init(spec: String) throws(PerfControlError) {
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw PerfControlError(message: "--perf-control takes CTL,ACK (two FIFOs), not `\(spec)`") }
        control = open(parts[0], O_WRONLY)
        guard control >= 0 else { throw PerfControlError(message: "cannot open perf's control FIFO `\(parts[0])`: \(String(cString: strerror(errno)))") }
        acknowledgement = open(parts[1], O_RDONLY)
        guard acknowledgement >= 0 else {
            close(control)
            throw PerfControlError(message: "cannot open perf's acknowledgement FIFO `\(parts[1])`: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(control)
        close(acknowledgement)
    }

    func enable() throws(PerfControlError) { try send("enable") }
    func disable() throws(PerfControlError) { try send("disable") }

    /// Writes `command` and waits for perf's `ack`.
    private func send(_ command: String) throws(PerfControlError) {
        let line = Array((command + "\n").utf8)
        let written = line.withUnsafeBytes { write(control, $0.baseAddress, $0.count) }
        guard written == line.count else { throw PerfControlError(message: "perf's control FIFO refused `\(command)`") }
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while reply.count < 16 {
            guard read(acknowledgement, &byte, 1) == 1 else { throw PerfControlError(message: "perf did not acknowledge `\(command)`") }
            if byte == UInt8(ascii: "\n") { break }
            if byte != 0 { reply.append(byte) }  // perf ends each reply with a NUL after the newline
        }
        guard String(decoding: reply, as: UTF8.self) == "ack" else {
            throw PerfControlError(message: "perf answered `\(String(decoding: reply, as: UTF8.self))` to `\(command)`")
        }
    }
}

struct PerfControlError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

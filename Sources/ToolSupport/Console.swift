#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to standard output and standard error, unbuffered by Swift, for executables.
public enum Console {
    /// Writes raw bytes to standard output.
    public static func out(_ bytes: [UInt8]) {
        writeAll(1, bytes)
    }

    /// Writes text to standard output.
    public static func out(_ text: String) {
        writeAll(1, Array(text.utf8))
    }

    /// Writes a line to standard error.
    public static func err(_ line: String) {
        writeAll(2, Array((line + "\n").utf8))
    }

    /// Whether standard error is a terminal (for colour).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }

    /// Whether standard output is a terminal.
    public static var stdoutIsTerminal: Bool { isatty(1) != 0 }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

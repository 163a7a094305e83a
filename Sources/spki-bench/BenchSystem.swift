#if canImport(Glibc)
import Glibc
#endif

/// Process memory and CPU figures from the kernel, for the compile benchmark.
enum Memory {
    /// Returns freed memory to the system, then resets the resident-set high-water mark
    /// (Linux: `echo 5 > /proc/self/clear_refs`), so that a run's peak is its own.
    static func resetPeak() {
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return }
        _ = write(fd, "5", 1)
        close(fd)
    }

    /// The resident-set high-water mark (`VmHWM`), in bytes.
    static func peakResidentBytes() -> Int {
        guard let text = try? String(decoding: InputReaderLite.read("/proc/self/status"), as: UTF8.self) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.filter(\.isNumber)
            return (Int(digits) ?? 0) * 1024
        }
        return 0
    }

    /// CPU seconds (user + system) of the whole process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// Reads small files (/proc) fully.
enum InputReaderLite {
    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, 4096) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return out
    }
}

/// Directory helpers for the benchmark's work directory.
enum FileSystemHelper {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func makeDirectories(_ path: String) throws {
        if exists(path) { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try makeDirectories(String(path[..<slash])) }
        mkdir(path, 0o755)
    }

    static func entries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Files under `path`, recursively.
    static func count(_ path: String) -> Int {
        entries(path).reduce(0) { $0 + (isDirectory(path + "/" + $1) ? count(path + "/" + $1) : 1) }
    }

    static func removeTree(_ path: String) {
        if isDirectory(path) {
            for name in entries(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

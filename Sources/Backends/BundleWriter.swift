import CFileSystem
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes bundles to disk: one folder per host, `DIR/HOST/`, each replaced atomically.
///
/// Every host's files go first to a fresh temporary folder beside its own
/// (`DIR/.HOST.tmp-XXXXXX`), with their modes; then the file system is flushed once
/// (`syncfs`, so the data is on disk before any rename); then each temporary folder takes
/// its host folder's place in one step (`renameat2(RENAME_EXCHANGE)` when the host folder
/// exists, `rename` otherwise), the old content is removed, and `DIR` is flushed. An agent
/// reading `DIR/HOST` sees the old bundle or the new one, never a mix. When writing fails,
/// no host folder has been touched; when a swap fails, the hosts before it are replaced
/// and the others left as they were.
public enum BundleWriter {
    public struct Report: Sendable, Equatable {
        public var hosts: Int
        public var files: Int
        public var bytes: Int
    }

    public static func write(_ bundles: [HostBundle], to directory: String) throws(BackendsError) -> Report {
        try makeDirectory(directory)
        for bundle in bundles { try check(bundle) }
        // 1. Every temporary folder, on all cores.
        let staged = ResultSlots<String>(count: bundles.count)
        let workers = min(bundles.count, max(1, System.coreCount))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < bundles.count {
                do throws(BackendsError) {
                    staged.set(index, .success(try stage(bundles[index], in: directory)))
                } catch {
                    staged.set(index, .failure(error))
                }
                index += workers
            }
        }
        let temporaries: [String]
        do {
            temporaries = try staged.collect()
        } catch {
            for path in staged.successes() { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        var swapped = 0
        defer { for path in temporaries.dropFirst(swapped) { try? FileManager.default.removeItem(atPath: path) } }
        // 2. One flush for all of them.
        try syncFileSystem(directory)
        // 3. The swaps.
        for (bundle, temporary) in zip(bundles, temporaries) {
            try swap(temporary, into: "\(directory)/\(bundle.host)")
            swapped += 1
        }
        try syncDirectory(directory)
        return Report(hosts: bundles.count, files: bundles.reduce(0) { $0 + $1.files.count }, bytes: bundles.reduce(0) { $0 + $1.byteCount })
    }

    /// Writes one host's folder, `directory/HOST`, atomically.
    public static func write(_ bundle: HostBundle, to directory: String) throws(BackendsError) {
        _ = try write([bundle], to: directory)
    }

    static func check(_ bundle: HostBundle) throws(BackendsError) {
        guard PlanText.isName(bundle.host) else {
            throw BackendsError(.unsafePath, "`\(bundle.host.prefix(80))` cannot be a folder name")
        }
        for file in bundle.files where !BundleFile.isSafe(file.path) {
            throw BackendsError(.unsafePath, "the bundle of `\(bundle.host)` has an unsafe path `\(file.path.prefix(80))`")
        }
    }

    /// Writes a bundle into a new temporary folder of `directory`; returns its path.
    static func stage(_ bundle: HostBundle, in directory: String) throws(BackendsError) -> String {
        var template = Array("\(directory)/.\(bundle.host).tmp-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw failure("cannot create a temporary folder in", directory) }
        let temporary = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        var done = false
        defer { if !done { try? FileManager.default.removeItem(atPath: temporary) } }
        guard chmod(temporary, 0o755) == 0 else { throw failure("cannot set the mode of", temporary) }
        var folders = Set<String>([temporary])
        for file in bundle.files {
            var parent = ""
            for component in file.path.split(separator: "/").dropLast() {
                parent += "/\(component)"
                let folder = temporary + parent
                if folders.insert(folder).inserted { try makeDirectory(folder) }
            }
            try writeFile(file.bytes, to: "\(temporary)/\(file.path)", mode: file.mode)
        }
        done = true
        return temporary
    }

    /// Puts the folder `temporary` at `final` in one step and removes what was there.
    static func swap(_ temporary: String, into final: String) throws(BackendsError) {
        var status = stat()
        if lstat(final, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw BackendsError(.cannotWrite, "`\(final)` exists and is not a folder", help: "move it away")
            }
            guard spkic_rename_exchange(temporary, final) == 0 else { throw failure("cannot swap the new bundle into", final) }
            // `temporary` now holds the previous bundle.
            try? FileManager.default.removeItem(atPath: temporary)
        } else {
            guard rename(temporary, final) == 0 else { throw failure("cannot move the new bundle to", final) }
        }
    }

    static func makeDirectory(_ path: String) throws(BackendsError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = errno
        var status = stat()
        if code == EEXIST, stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { return }
        if code == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]))
            if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        }
        errno = code
        throw failure("cannot create the folder", path)
    }

    static func writeFile(_ bytes: [UInt8], to path: String, mode: UInt32) throws(BackendsError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw failure("cannot create", path) }
        defer { close(fd) }
        guard fchmod(fd, mode_t(mode)) == 0 else { throw failure("cannot set the mode of", path) }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        guard ok else { throw failure("cannot write", path) }
    }

    static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #else
        return Darwin.write(fd, buffer, count)
        #endif
    }

    static func syncFileSystem(_ path: String) throws(BackendsError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open the folder", path) }
        defer { close(fd) }
        guard spkic_syncfs(fd) == 0 else { throw failure("cannot flush the file system of", path) }
    }

    static func syncDirectory(_ path: String) throws(BackendsError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open the folder", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("cannot flush the folder", path) }
    }

    static func failure(_ what: String, _ path: String) -> BackendsError {
        BackendsError(.cannotWrite, "\(what) `\(path)`: \(String(cString: strerror(errno)))")
    }
}

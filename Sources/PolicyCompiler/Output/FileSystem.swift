#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ToolSupport

/// The file operations of the output writer and the key store: the compiler's I/O edge.
/// Errors are `FileError`s naming the path.
enum FileSystem {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its missing parents.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileError) {
        if path.isEmpty || isDirectory(path) { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]), mode: mode)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw FileError(code: .cannotCreate, path: path, reason: errnoText())
        }
    }

    /// Writes a new file (no fsync: the caller syncs a whole tree before publishing it).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(code: .cannotCreate, path: path, reason: errnoText()) }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        if let failure = writeAll(bytes, to: fd) { throw FileError(code: .cannotWrite, path: path, reason: failure) }
    }

    /// Writes a new file in pieces: `body` calls the function it is given with each piece,
    /// in order (no fsync, as `write`).
    static func write(to path: String, mode: mode_t = 0o644,
                      _ body: (([UInt8]) throws(FileError) -> Void) throws(FileError) -> Void) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(code: .cannotCreate, path: path, reason: errnoText()) }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        try body { (piece: [UInt8]) throws(FileError) in
            if let failure = writeAll(piece, to: fd) { throw FileError(code: .cannotWrite, path: path, reason: failure) }
        }
    }

    static func read(_ path: String) throws(FileError) -> [UInt8] { try InputReader.read(path) }

    /// An open directory, to create many files in it without a path walk for each.
    struct Directory {
        let path: String
        let descriptor: Int32

        init(_ path: String) throws(FileError) {
            descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { throw FileError(code: .cannotCreate, path: path, reason: errnoText()) }
            self.path = path
        }

        func close() { _ = Glibc.close(descriptor) }

        /// Writes a new file `name` in the directory: mode 0644 less the umask, no fsync.
        func write(_ bytes: [UInt8], to name: String) throws(FileError) {
            let fd = openat(descriptor, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileError(code: .cannotCreate, path: path + "/" + name, reason: errnoText()) }
            defer { Glibc.close(fd) }
            if let failure = FileSystem.writeAll(bytes, to: fd) {
                throw FileError(code: .cannotWrite, path: path + "/" + name, reason: failure)
            }
        }
    }

    /// Writes every byte to `fd`; the error text, or nil.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) -> String? {
        var written = 0
        return bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errnoText()
                }
                written += n
            }
            return nil
        }
    }

    /// The names in a directory (not `.` and `..`), unsorted; empty when it cannot be read.
    static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a file or a whole tree; missing paths are fine.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// A symbolic link at `path` pointing to `target`.
    static func symlink(_ target: String, at path: String) throws(FileError) {
        guard Glibc.symlink(target, path) == 0 else { throw FileError(code: .cannotCreate, path: path, reason: errnoText()) }
    }

    /// The target of a symbolic link; nil when `path` is not one.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    static func move(_ from: String, _ to: String) throws(FileError) {
        guard rename(from, to) == 0 else { throw FileError(code: .cannotWrite, path: to, reason: errnoText()) }
    }

    /// An exclusive lock on `path` (created if needed), held until the descriptor is
    /// closed; nil when another process holds it.
    static func lock(_ path: String) throws(FileError) -> Int32? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(code: .cannotCreate, path: path, reason: errnoText()) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func unlock(_ fd: Int32) { close(fd) }

    /// Removes a whole tree, the files in parallel (an old output holds many).
    static func removeTreeInParallel(_ path: String) {
        var files: [String] = []
        var directories: [String] = []
        func walk(_ directory: String) {
            directories.append(directory)
            for name in list(directory) {
                let child = directory + "/" + name
                var info = stat()
                guard lstat(child, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR { walk(child) } else { files.append(child) }
            }
        }
        guard isDirectory(path) else { return removeTree(path) }
        walk(path)
        let all = files
        _ = Parallel.map(all.count, chunk: 512) { range in
            for index in range { unlink(all[index]) }
            return 0
        }
        for directory in directories.reversed() { rmdir(directory) }
    }

    /// A new directory beside `path` (same file system, so it can be renamed onto it).
    static func temporaryDirectory(beside path: String) throws(FileError) -> String {
        let parent = AtomicFileName.directory(of: path)
        try makeDirectories(parent)
        var template = Array("\(parent)/.\(AtomicFileName.basename(of: path)).tmp-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let result = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw FileError(code: .cannotCreate, path: path, reason: errnoText()) }
        _ = chmod(made, 0o755)
        return made
    }

    /// A new directory `prefixXXXXXX` in `parent`.
    static func temporaryDirectory(in parent: String, prefix: String) throws(FileError) -> String {
        var template = Array("\(parent)/\(prefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let result = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw FileError(code: .cannotCreate, path: parent, reason: errnoText()) }
        _ = chmod(made, 0o755)
        return made
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// Puts the directory `new` in place of `path` atomically. When `path` exists, the two
    /// are exchanged (Linux `renameat2(RENAME_EXCHANGE)`) and the old content is left at
    /// `new`'s path for the caller to remove; where exchange is not available, `path` is
    /// first moved aside (a short window in which it does not exist).
    static func publish(_ new: String, at path: String) throws(FileError) {
        guard exists(path) else {
            guard rename(new, path) == 0 else { throw FileError(code: .cannotWrite, path: path, reason: errnoText()) }
            return
        }
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") {
            let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
            if renameat2(AT_FDCWD, new, AT_FDCWD, path, 1 << 1) == 0 { return }
        }
        let aside = new + ".old"
        guard rename(path, aside) == 0 else { throw FileError(code: .cannotWrite, path: path, reason: errnoText()) }
        guard rename(new, path) == 0 else {
            let reason = errnoText()
            _ = rename(aside, path)
            throw FileError(code: .cannotWrite, path: path, reason: reason)
        }
        guard rename(aside, new) == 0 else { return }
    }

    private typealias SyncFS = @convention(c) (Int32) -> Int32

    /// Flushes the file system holding `path` to disk (Linux `syncfs`; `sync` elsewhere),
    /// so that a published output survives a crash whole.
    static func syncFileSystem(of path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        if fd >= 0, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") {
            if unsafeBitCast(symbol, to: SyncFS.self)(fd) == 0 { return }
        }
        sync()
    }
}

/// Path helpers.
enum AtomicFileName {
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func basename(of path: String) -> String {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}

import Backends
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ToolSupport

/// `vpxi-agent run --registrar URL`: pulls the host's bundles.
///
/// - With `--vpxi V`, the bundle of one vpxi: `GET URL/v1/hosts/HOST/bundles/VPXI` with
///   `If-None-Match` (an unchanged bundle costs one round trip and writes nothing),
///   unpacks the `BundleArchive` into `STATE/pulled/HOST` in one step (`BundleWriter`), and
///   remembers the ETag in `STATE/pulled/HOST.etag`.
/// - Without, every vpxi of the host (`pullAll`, `RegistrarPull+All.swift`): the index
///   `GET URL/v1/hosts/HOST/bundles` with `If-None-Match` (unchanged: one round trip), then
///   each changed bundle into `STATE/pulled/vpxis/VPXI/HOST`, read as a `BundleSet`.
///
/// The folders are then read, verified and applied exactly like a `--bundle` folder: the
/// pull adds no trust, and a bad pull is refused by the verifier.
public struct RegistrarPull: Sendable {
    public var base: URL
    public var host: String
    /// The vpxi followed; nil: every vpxi of the host.
    public var vpxi: String?
    public var stateDirectory: String
    /// Seconds a request may take.
    public var timeout: TimeInterval

    public init(base: URL, host: String, vpxi: String?, stateDirectory: String, timeout: TimeInterval = 10) {
        self.base = base
        self.host = host
        self.vpxi = vpxi
        self.stateDirectory = stateDirectory
        self.timeout = timeout
    }

    /// The folder the pulled bundle is written to: the agent's bundle folder.
    public var bundleDirectory: String { "\(stateDirectory)/pulled/\(host)" }
    var etagPath: String { "\(stateDirectory)/pulled/\(host).etag" }

    public enum Outcome: Sendable, Equatable {
        /// A new bundle was written (its ETag).
        case updated(String)
        /// The registrar answered 304.
        case unchanged
    }

    /// One pull of the one vpxi followed.
    public func pull() throws(AgentError) -> Outcome {
        guard let vpxi else { throw AgentError(.system, "no vpxi to pull: use pullAll()") }
        return try pull(vpxi: vpxi, into: "\(stateDirectory)/pulled", etagPath: etagPath)
    }

    /// Pulls the bundle of `vpxi` into `directory/HOST`, its ETag in `etagPath`.
    func pull(vpxi: String, into directory: String, etagPath: String) throws(AgentError) -> Outcome {
        let url = base.appendingPathComponent("v1/hosts/\(host)/bundles/\(vpxi)")
        var request = URLRequest(url: url, timeoutInterval: timeout)
        if let known = Self.readETag(etagPath), FileManager.default.fileExists(atPath: "\(directory)/\(host)") {
            request.setValue(known, forHTTPHeaderField: "If-None-Match")
        }
        let (status, body, etag) = try Self.fetch(request)
        switch status {
        case 304:
            return .unchanged
        case 200:
            break
        default:
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            throw AgentError(.bundleRefused, "the registrar answered \(status) to GET \(url.absoluteString): \(text)")
        }
        let bundle: HostBundle
        do {
            bundle = try BundleArchive.decode(body)
        } catch {
            throw AgentError(.bundleRefused, "the bundle pulled from \(url.absoluteString) cannot be unpacked: \(error.message) [\(error.code.rawValue)]")
        }
        guard bundle.host == host else {
            throw AgentError(.bundleRefused, "the registrar sent the bundle of host `\(bundle.host)`, not `\(host)`")
        }
        do {
            try BundleWriter.write(bundle, to: directory)
        } catch {
            throw AgentError(.system, "cannot write the pulled bundle: \(error.message)")
        }
        if let etag {
            do {
                try AtomicFile.write(etag, to: etagPath, mode: 0o644)
            } catch {
                throw AgentError(.system, "cannot write \(etagPath): \(error)")
            }
        }
        return .updated(etag ?? "")
    }

    /// The ETag remembered in `path`, if any.
    static func readETag(_ path: String) -> String? {
        guard let bytes = try? InputReader.read(path, limit: 1024), let text = String(validating: bytes, as: UTF8.self), !text.isEmpty else { return nil }
        return text
    }

    /// A blocking request: the runtime's loop is synchronous.
    static func fetch(_ request: URLRequest) throws(AgentError) -> (Int, [UInt8], String?) {
        let result = Locked<Result<(Int, [UInt8], String?), AgentError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            let value: Result<(Int, [UInt8], String?), AgentError>
            if let http = response as? HTTPURLResponse {
                value = .success((http.statusCode, Array(data ?? Data()), http.value(forHTTPHeaderField: "ETag")))
            } else {
                let reason = error.map { $0.localizedDescription } ?? "no answer"
                value = .failure(AgentError(.system, "cannot reach the registrar at \(request.url?.absoluteString ?? "?"): \(reason)"))
            }
            result.withLock { $0 = value }
            done.signal()
        }
        task.resume()
        done.wait()
        guard let value = result.withLock({ $0 }) else { throw AgentError(.system, "the request ended without an answer") }
        return try value.get()
    }
}

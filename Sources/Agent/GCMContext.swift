import CLibCrypto
import Foundation

/// The AES-GCM state of one SA key, set up once (the system libcrypto's AES-128-GCM or
/// AES-256-GCM: key schedule and GHASH key) and reused for every packet, where only the
/// nonce changes. Seals and opens into caller-owned memory, in place or from one buffer to
/// another, with no allocation.
///
/// By default the context calls the OpenSSL 3 provider's cipher functions directly (`CLibCrypto`'s
/// `spkic_gcm`: looked up once through `OSSL_PROVIDER_query_operation`), which skips EVP's
/// per-call parameter round trips; where they are not reachable, or with `direct: false`, it
/// goes through an `EVP_CIPHER_CTX`.
///
/// The context holds key material. It is freed, and cleared (OpenSSL's GCM implementation
/// clears its key schedule and GHASH key before freeing them), when the SA is removed
/// (`retire()`) or at the latest when the last reference goes. After `retire()` every seal
/// and open fails.
///
/// The lock makes concurrent use safe; the data plane uses each direction's context from one
/// thread only, so it is never contended there.
final class GCMContext: @unchecked Sendable {
    /// Both behind pointers: stable addresses for pthreads, and no dynamic exclusivity check
    /// per packet (which a class's stored `var` would cost).
    private let slot: UnsafeMutablePointer<UnsafeMutablePointer<spkic_gcm>?>
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    /// Whether the provider's functions are called directly (not through EVP).
    let isDirect: Bool
    /// Benchmark only (`vpxi-agent run --benchmark-null-cipher`, see `AssociationTable.benchmarkNullCipher`):
    /// seal copies the message and writes a zero tag, open copies it back and checks nothing.
    /// Never set from a bundle or from the wire; the key context is still made (and retired).
    let isBenchmarkNull: Bool

    /// A context for a 16- or 32-byte AES key; `nil` when libcrypto cannot make one. With
    /// `direct` (the default) through the provider's functions where reachable, otherwise EVP.
    init?(key: UnsafeRawBufferPointer, direct: Bool = true, benchmarkNull: Bool = false) {
        isBenchmarkNull = benchmarkNull
        guard key.count == 16 || key.count == 32,
              let made = spkic_gcm_new(key.baseAddress!.assumingMemoryBound(to: UInt8.self), key.count, direct ? 1 : 0) else { return nil }
        isDirect = spkic_gcm_is_direct(made) == 1
        slot = .allocate(capacity: 1)
        slot.initialize(to: made)
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        if let context = slot.pointee { spkic_gcm_free(context) }
        slot.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Frees and clears the key state now; later seals and opens fail.
    func retire() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let context = slot.pointee { spkic_gcm_free(context) }
        slot.pointee = nil
    }

    /// Whether `retire()` has run.
    var isRetired: Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return slot.pointee == nil
    }

    /// Seals a message given in up to three parts (`first`, `second`, `third`, each read where
    /// it lies), writing their ciphertext back to back from `output` (which may be where
    /// `first` lies, in place, but must not otherwise overlap them), then the 16-byte tag at `tag`.
    func seal(nonce: UnsafeRawPointer, aad: UnsafeRawBufferPointer, _ first: UnsafeRawBufferPointer,
              _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
              _ third: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
              into output: UnsafeMutableRawPointer, tag: UnsafeMutableRawPointer) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let context = slot.pointee else { return false }
        if isBenchmarkNull {
            copy(first, to: output)
            copy(second, to: output + first.count)
            copy(third, to: output + first.count + second.count)
            tag.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
            return true
        }
        return spkic_gcm_begin(context, 1, bytes(nonce), bytes(aad.baseAddress), Int32(aad.count)) == 1
            && update(context, first, output)
            && update(context, second, output + first.count)
            && update(context, third, output + first.count + second.count)
            && spkic_gcm_seal_end(context, tag.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// Opens `ciphertext` into `output` (the same memory, in place, or `ciphertext.count`
    /// bytes elsewhere) and checks the 16-byte `tag`. On false the output is not to be used.
    func open(nonce: UnsafeRawPointer, aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
              tag: UnsafeRawPointer, into output: UnsafeMutableRawPointer) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let context = slot.pointee else { return false }
        if isBenchmarkNull {
            copy(ciphertext, to: output)
            return true
        }
        return spkic_gcm_begin(context, 0, bytes(nonce), bytes(aad.baseAddress), Int32(aad.count)) == 1
            && update(context, ciphertext, output)
            && spkic_gcm_open_end(context, tag.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// The null transform's "encryption": `part` copied to `output` unless it lies there.
    private func copy(_ part: UnsafeRawBufferPointer, to output: UnsafeMutableRawPointer) {
        if part.count > 0 && UnsafeRawPointer(output) != part.baseAddress! {
            output.copyMemory(from: part.baseAddress!, byteCount: part.count)
        }
    }

    private func update(_ context: UnsafeMutablePointer<spkic_gcm>, _ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawPointer) -> Bool {
        input.count == 0
            || spkic_gcm_update(context, bytes(input.baseAddress), output.assumingMemoryBound(to: UInt8.self), Int32(input.count)) == 1
    }

    private func bytes(_ pointer: UnsafeRawPointer?) -> UnsafePointer<UInt8>? {
        pointer?.assumingMemoryBound(to: UInt8.self)
    }
}

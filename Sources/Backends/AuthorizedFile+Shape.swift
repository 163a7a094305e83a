import SExpr
import SPKI

extension AuthorizedFile {
    /// Where each input of a host's `authorized.sexp` went in its document's buffer: the
    /// host's name, each VM's name and HIT, each login's user, SSH key, dates and chain
    /// (its canonical bytes, appended verbatim). A builder given inputs of the same lengths
    /// (the same VMs with the same numbers of logins, each with the same fields present)
    /// makes the same calls, so its buffer is the previous one with each input written over
    /// its slot, and its nodes are the previous ones wherever the new bytes differ only
    /// inside atoms (`AdvancedPrinter.printed(replacingBuffer:of:)` checks that, and that
    /// no line break moves). From one epoch to the next, only the dates and the chains'
    /// dates, hashes and signatures change, in place: the file is patched without building
    /// its document (no chain is parsed).
    struct Shape: Sendable {
        /// An input's bytes in the buffer: offset and length.
        struct Slot: Sendable {
            var offset: Int
            var length: Int

            init(_ offset: Int, _ length: Int) {
                self.offset = offset
                self.length = length
            }
        }

        struct Login: Sendable {
            var user: Slot
            var sshKey: Slot?
            var notBefore: Slot?
            var expires: Slot
            var chain: Slot
        }

        struct VM: Sendable {
            var name: Slot
            var hit: Slot
            var logins: [Login] = []
        }

        var host = Slot(0, 0)
        var vms: [VM] = []
    }

    /// A host's last file, printed, with its shape (nil: not patched without a document).
    struct Kept: Sendable {
        var printed: AdvancedPrinter.Printed
        var shape: Shape?
    }

    /// The file of `host` in `resolved` patched from `kept` without building its document:
    /// each input written over its slot of the previous buffer, then the previous print
    /// patched (`AdvancedPrinter.printed(replacingBuffer:of:)`); nil when an input's length
    /// or the number of VMs or logins differs, or the printer cannot show that the layout
    /// is the same (then the caller builds the document).
    static func patched(host: Int, resolved: ResolvedPlan, kept: Kept) -> Kept? {
        guard let shape = kept.shape, var buffer = kept.printed.buffer else { return nil }
        let plan = resolved.plan
        let vms = resolved.vmsOfHost[host]
        guard vms.count == shape.vms.count else { return nil }
        var dates = DateTexts()
        let complete = buffer.withUnsafeMutableBufferPointer { out -> Bool in
            func write<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ slot: Shape.Slot) -> Bool {
                guard bytes.count == slot.length else { return false }
                let written = UnsafeMutableBufferPointer(rebasing: out[slot.offset ..< slot.offset + slot.length])
                if bytes.withContiguousStorageIfAvailable({ written.update(fromContentsOf: $0) }) == nil {
                    _ = written.update(fromContentsOf: bytes)
                }
                return true
            }
            func write(_ text: String, _ slot: Shape.Slot) -> Bool {
                var text = text
                return text.withUTF8 { write($0, slot) }
            }
            func write(_ text: String?, _ slot: Shape.Slot?) -> Bool {
                switch (text, slot) {
                case (nil, nil): return true
                case (let text?, let slot?): return write(text, slot)
                default: return false
                }
            }
            guard write(plan.hosts[host].name, shape.host) else { return false }
            for (vm, shaped) in zip(vms, shape.vms) {
                let logins = resolved.loginsOfVM[vm]
                guard logins.count == shaped.logins.count, write(plan.vms[vm].name, shaped.name),
                      write(resolved.hitTexts[vm], shaped.hit) else { return false }
                for (index, slots) in zip(logins, shaped.logins) {
                    let login = plan.logins[index]
                    guard write(login.user, slots.user), write(login.sshPublicKey, slots.sshKey),
                          write(login.notBefore.map { dates.text($0) }, slots.notBefore),
                          write(dates.text(login.expires), slots.expires),
                          write(login.chainCanonical, slots.chain) else { return false }
                }
            }
            return true
        }
        guard complete,
              let printed = AdvancedPrinter(width: BundleBuilder.width).printed(replacingBuffer: buffer, of: kept.printed) else { return nil }
        return Kept(printed: printed, shape: shape)
    }
}

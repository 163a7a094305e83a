/// Following the changes other registrars make to what agents and users pull, so that the
/// ETags in memory stay current (`ETagCache`).
extension RegistrarService {
    /// Until cancelled: on PostgreSQL, listens for the change notifications and forgets
    /// each changed vpxi's ETags; while not listening (before the first `LISTEN`, after a
    /// lost connection) the ETags are trusted for a second only, and every reconnection
    /// forgets them all (changes may have been missed). SQLite needs nothing: this
    /// registrar makes every change itself (this then only waits to be cancelled).
    public func followChanges(retry: Duration = .seconds(1)) async {
        guard let store = database as? PostgresStore else {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        let etags = self.etags
        while !Task.isCancelled {
            do {
                try await store.followChanges(listening: { etags.reset(.following) }, changed: { etags.forget(vpxi: $0) })
            } catch where !Task.isCancelled {
                logger.warning("not following other registrars' changes (ETags are kept a second only): \(error)")
            } catch {}
            etags.reset(.expiring)
            try? await Task.sleep(for: retry)
        }
    }
}

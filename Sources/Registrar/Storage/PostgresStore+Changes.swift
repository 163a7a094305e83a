import PostgresNIO

/// Change notifications for the registrars sharing one PostgreSQL database: a trigger on
/// `bundles` and `chains` sends `NOTIFY registrar_pulls, 'VPXI'` for every row written or
/// deleted, delivered when (and only if) its transaction commits, so each registrar can
/// keep the current ETags in memory (`ETagCache`) and forget a vpxi's the moment another
/// registrar changes it.
extension PostgresStore {
    static let changeChannel = "registrar_pulls"

    /// Run by the migrations at every start, under their advisory lock (idempotent:
    /// `CREATE OR REPLACE`, PostgreSQL 14 or later).
    static let changeTriggers: [String] = [
        """
        CREATE OR REPLACE FUNCTION registrar_pull_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('\(changeChannel)', OLD.vpxi);
          ELSE
            PERFORM pg_notify('\(changeChannel)', NEW.vpxi);
          END IF;
          RETURN NULL;
        END
        $$
        """,
        """
        CREATE OR REPLACE TRIGGER registrar_bundles_changed AFTER INSERT OR UPDATE OR DELETE ON bundles
        FOR EACH ROW EXECUTE FUNCTION registrar_pull_changed()
        """,
        """
        CREATE OR REPLACE TRIGGER registrar_chains_changed AFTER INSERT OR UPDATE OR DELETE ON chains
        FOR EACH ROW EXECUTE FUNCTION registrar_pull_changed()
        """,
    ]

    /// Listens on one connection of the pool until the task is cancelled or the connection
    /// fails: `listening` once `LISTEN` is in place, then `changed(vpxi)` for each change
    /// committed by anyone (this registrar included).
    public func followChanges(listening: @Sendable () -> Void, changed: @Sendable (String) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.changeChannel) { notifications in
                listening()
                for try await notification in notifications {
                    changed(notification.payload)
                }
            }
        }
    }
}

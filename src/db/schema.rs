//! The tables qbo-run keeps in PostgreSQL, created on first use and versioned.
//!
//! Every process that opens the database runs [`ensure`] once: under a transaction-scoped
//! advisory lock (so two processes starting at once do not both create), it reads
//! `qbo_run_schema.version`, creates the tables when there is none, and refuses a database whose
//! version is newer than this build knows (an older qbo-run must not write a newer layout).

use super::errors::describe;
use crate::diagnostics::{Error, ErrorKind};

/// The layout this build reads and writes.
pub const SCHEMA_VERSION: i32 = 1;

/// Advisory lock key held while the schema is checked or created.
const SCHEMA_LOCK: i64 = 0x7162_6f72_756e_0001;

/// Version 1: tokens per connection and company; the governor's companies and call leases; the
/// function that grants a call slot in one round trip.
const V1: &str = r#"
CREATE TABLE qbo_run_tokens (
    connection text NOT NULL,
    realm_id text NOT NULL,
    company_name text,
    access_token_expires_at timestamptz NOT NULL,
    access_token_obtained_at timestamptz NOT NULL,
    refresh_token_expires_at timestamptz,
    refresh_token_hard_expires_at timestamptz,
    refresh_token_obtained_at timestamptz NOT NULL,
    needs_login boolean NOT NULL DEFAULT false,
    key_id text,
    secrets bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection, realm_id)
);

CREATE TABLE qbo_run_governor (
    company text PRIMARY KEY,
    blocked_until timestamptz
);

CREATE TABLE qbo_run_governor_calls (
    id bigserial PRIMARY KEY,
    company text NOT NULL,
    started_at timestamptz NOT NULL,
    lease_until timestamptz NOT NULL,
    done boolean NOT NULL DEFAULT false
);
CREATE INDEX qbo_run_governor_calls_by_company ON qbo_run_governor_calls (company, started_at);

CREATE FUNCTION qbo_run_acquire(
    p_company text,
    p_max_in_flight integer,
    p_per_minute integer,
    p_lease_ms integer,
    OUT slot bigint,
    OUT wait_ms integer
) LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := clock_timestamp();
    v_blocked timestamptz;
    v_in_flight integer;
    v_minute integer;
    v_oldest timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('qbo_run_governor:' || p_company, 0));
    DELETE FROM qbo_run_governor_calls
     WHERE company = p_company
       AND started_at <= v_now - interval '60 seconds'
       AND (done OR lease_until <= v_now);
    SELECT blocked_until INTO v_blocked FROM qbo_run_governor WHERE company = p_company;
    IF v_blocked IS NOT NULL AND v_blocked > v_now THEN
        slot := NULL;
        wait_ms := greatest(1, ceil(extract(epoch FROM v_blocked - v_now) * 1000))::integer;
        RETURN;
    END IF;
    SELECT count(*) FILTER (WHERE NOT done AND lease_until > v_now),
           count(*) FILTER (WHERE started_at > v_now - interval '60 seconds'),
           min(started_at) FILTER (WHERE started_at > v_now - interval '60 seconds')
      INTO v_in_flight, v_minute, v_oldest
      FROM qbo_run_governor_calls
     WHERE company = p_company;
    IF v_in_flight >= p_max_in_flight THEN
        slot := NULL;
        wait_ms := 0;
        RETURN;
    END IF;
    IF v_minute >= p_per_minute THEN
        slot := NULL;
        wait_ms := greatest(1, ceil(extract(epoch FROM v_oldest + interval '60 seconds' - v_now) * 1000))::integer;
        RETURN;
    END IF;
    INSERT INTO qbo_run_governor_calls (company, started_at, lease_until)
    VALUES (p_company, v_now, v_now + p_lease_ms * interval '1 millisecond')
    RETURNING id INTO slot;
    wait_ms := 0;
END
$$;
"#;

/// Creates the tables if the database has none; refuses a newer layout.
pub(super) async fn ensure(client: &deadpool_postgres::Object, label: &str) -> Result<(), Error> {
    let failed = |doing: &str, err: tokio_postgres::Error| {
        Error::new(
            ErrorKind::Transient,
            format!("database {label}: {doing}: {}", describe(&err)),
        )
    };
    client
        .batch_execute("BEGIN")
        .await
        .map_err(|e| failed("cannot start a transaction", e))?;
    let result = async {
        client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .await
            .map_err(|e| failed("cannot lock the schema", e))?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS qbo_run_schema (
                     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                     version integer NOT NULL
                 )",
            )
            .await
            .map_err(|e| failed("cannot create qbo_run_schema", e))?;
        let row = client
            .query_opt("SELECT version FROM qbo_run_schema", &[])
            .await
            .map_err(|e| failed("cannot read the schema version", e))?;
        match row.map(|row| row.get::<_, i32>(0)) {
            None => {
                client
                    .batch_execute(V1)
                    .await
                    .map_err(|e| failed("cannot create the tables", e))?;
                client
                    .execute(
                        "INSERT INTO qbo_run_schema (version) VALUES ($1)",
                        &[&SCHEMA_VERSION],
                    )
                    .await
                    .map_err(|e| failed("cannot record the schema version", e))?;
                tracing::info!(database = label, version = SCHEMA_VERSION, "created qbo-run's tables");
                Ok(())
            }
            Some(version) if version > SCHEMA_VERSION => Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "database {label} holds qbo-run tables of version {version}; this qbo-run knows version {SCHEMA_VERSION}"
                ),
            )
            .note("upgrade qbo-run on this machine; a newer version wrote these tables")),
            Some(_) => Ok(()),
        }
    }
    .await;
    match result {
        Ok(()) => client
            .batch_execute("COMMIT")
            .await
            .map_err(|e| failed("cannot finish the schema transaction", e)),
        Err(error) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(error)
        }
    }
}

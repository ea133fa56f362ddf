//! Versioned migrations: the SQL files in `assets/migrations` are the schema;
//! `PRAGMA user_version` says how many have been applied.

use super::{APPLICATION_ID, Result, Store, StoreError};

const MIGRATIONS: &[&str] = &[
    include_str!("../../assets/migrations/0001_init.sql"),
    include_str!("../../assets/migrations/0002_search.sql"),
    include_str!("../../assets/migrations/0003_paperwork.sql"),
    include_str!("../../assets/migrations/0004_outbox_drop.sql"),
    include_str!("../../assets/migrations/0005_note_search.sql"),
    include_str!("../../assets/migrations/0006_high_water.sql"),
    include_str!("../../assets/migrations/0007_search_folds.sql"),
    include_str!("../../assets/migrations/0008_bill_items.sql"),
    include_str!("../../assets/migrations/0009_requests.sql"),
    include_str!("../../assets/migrations/0010_resellers_parcels.sql"),
    include_str!("../../assets/migrations/0011_shallow_folds.sql"),
    include_str!("../../assets/migrations/0012_batches_and_customer_since.sql"),
    include_str!("../../assets/migrations/0013_customers.sql"),
    include_str!("../../assets/migrations/0014_outbox_author.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

impl Store {
    /// The schema version the database file is at.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Refuse databases that are not ours or are newer than this build.
    pub(super) fn check_schema(&self) -> Result<()> {
        // One statement, so one snapshot: read one by one, another process could
        // finish creating the schema in between and a fresh file would look foreign.
        let (version, app, tables): (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT application_id FROM pragma_application_id),
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if version > SCHEMA_VERSION && app == APPLICATION_ID {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if app != APPLICATION_ID && (tables > 0 || version > 0) {
            return Err(StoreError::NotOurs {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// A look-only connection cannot migrate: the schema must already be current.
    pub(super) fn check_read_only_schema(&self) -> Result<()> {
        self.check_schema()?;
        let version = self.schema_version()?;
        if version < SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade {
                path: self.path.clone(),
                found: version,
            });
        }
        Ok(())
    }

    /// Bring the schema up to date. Safe when several processes start at once: the
    /// version is read again under the write lock.
    pub(super) fn migrate(&mut self) -> Result<()> {
        self.check_schema()?;
        if self.schema_version()? == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = self.write()?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
            if !already_applied(&tx, i)? {
                run_migration(&tx, sql)?;
            }
            tx.execute_batch(&format!(
                "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
                i + 1
            ))?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Run one migration file. A database whose version was set back by hand may have parts of
/// it already, so migrations are written to run again (`IF NOT EXISTS`, `IF EXISTS`).
/// SQLite has no such clause for `ALTER TABLE ... ADD COLUMN`: a line holding one is run
/// only when the column is missing.
fn run_migration(tx: &rusqlite::Transaction<'_>, sql: &str) -> Result<()> {
    let mut rest = String::with_capacity(sql.len());
    for line in sql.lines() {
        match added_column(line) {
            Some((table, column)) => {
                tx.execute_batch(&rest)?;
                rest.clear();
                let exists: bool = tx.query_row(
                    "SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
                    [table, column],
                    |r| r.get(0),
                )?;
                if !exists {
                    tx.execute_batch(line)?;
                }
            }
            None => {
                rest.push_str(line);
                rest.push('\n');
            }
        }
    }
    tx.execute_batch(&rest)?;
    Ok(())
}

/// `ALTER TABLE t ADD COLUMN c ...;` on one line: the table and the column.
fn added_column(line: &str) -> Option<(&str, &str)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [alter, table_kw, table, add, column_kw, column, ..]
            if alter.eq_ignore_ascii_case("alter")
                && table_kw.eq_ignore_ascii_case("table")
                && add.eq_ignore_ascii_case("add")
                && column_kw.eq_ignore_ascii_case("column") =>
        {
            Some((table, column.trim_end_matches(';')))
        }
        _ => None,
    }
}

/// Whether the change of migration `index` (0-based) is in the file already although its
/// version says otherwise (a version set back by hand): the migrations that rebuild a
/// table cannot run twice, so they are skipped then. The others can run again.
fn already_applied(tx: &rusqlite::Transaction<'_>, index: usize) -> Result<bool> {
    let table = |name: &str| -> Result<bool> {
        Ok(tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    };
    match index {
        // 0008: bills split into bills and bill_items.
        7 => table("bill_items"),
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_add_column_line_is_picked_out() {
        assert_eq!(
            added_column("ALTER TABLE sales ADD COLUMN customer_phone TEXT;"),
            Some(("sales", "customer_phone"))
        );
        assert_eq!(added_column("-- ALTER TABLE sales ADD COLUMN x"), None);
        assert_eq!(
            added_column("ALTER TABLE outbox_new RENAME TO outbox;"),
            None
        );
    }

    #[test]
    fn a_migration_runs_again_on_a_database_that_has_it() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        for sql in MIGRATIONS {
            run_migration(&tx, sql).unwrap();
        }
        // Set back by hand to before the last few: they run again, as migrate() runs them.
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(4) {
            if !already_applied(&tx, i).unwrap() {
                run_migration(&tx, sql).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

//! The sales registry: import and lookup by IMEI.

use rusqlite::{OptionalExtension, params};

use super::rows::{SALE_COLUMNS, SaleRow};
use super::{Result, Store};
use crate::domain::{Imei, Sale};

/// A row that could not be imported, with its line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line in the file, from 1.
    pub line: u64,
    /// What is wrong with it, as a sentence.
    pub message: String,
}

/// What a sales import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows written (new sales).
    pub imported: u64,
    /// Rows already in the registry with the same data.
    pub unchanged: u64,
    /// Invalid rows, and IMEIs already sold with different data (reported, never
    /// overwritten), in file order.
    pub rejected: Vec<RowProblem>,
    /// Whether anything was written (all-or-nothing imports with a bad row write nothing).
    pub committed: bool,
}

/// The page cache of a sales import, in KiB.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

impl Store {
    /// The sale of this IMEI; `None` if it is not in the sales registry.
    pub fn sale(&self, imei: &Imei) -> Result<Option<Sale>> {
        sale_of(&self.conn, imei)
    }

    /// The year of the earliest dispatch in the registry, if any sale is recorded.
    pub fn first_sale_year(&self) -> Result<Option<i32>> {
        let first: Option<String> =
            self.conn
                .query_row("SELECT min(dispatched_on) FROM sales", [], |r| r.get(0))?;
        Ok(first.and_then(|d| d.get(..4).and_then(|y| y.parse().ok())))
    }

    /// How many sales the registry holds.
    pub fn sales_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM sales", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Import sales rows (line number, validated sale or what is wrong with the row) in
    /// one transaction. Re-importing the same row is a no-op; an IMEI already sold with
    /// other data is a conflict. Unless `skip_invalid`, nothing is written when any row
    /// is invalid or in conflict. `progress` is called with the rows handled so far.
    pub fn import_sales(
        &mut self,
        rows: impl IntoIterator<Item = (u64, std::result::Result<Sale, String>)>,
        skip_invalid: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary> {
        self.import_sales_expecting(rows, 0, skip_invalid, progress)
    }

    /// [`Store::import_sales`] of about `expected` rows (an estimate from the file's size;
    /// 0 when unknown): a large import is seen as large from its start.
    pub fn import_sales_expecting(
        &mut self,
        rows: impl IntoIterator<Item = (u64, std::result::Result<Sale, String>)>,
        expected: u64,
        skip_invalid: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary> {
        // A registry of a million sales is a table and two indexes of some 200 MB. While
        // an import keeps the indexes current row by row, each row lands at a random place
        // in all three: with SQLite's default 2 MB page cache nearly every insert would read
        // its pages back from the file (six times slower, measured), so the import's own
        // connection gets a larger cache; pages are only allocated as they are used. When
        // the indexes are rebuilt after the rows instead (see `DeferredIndexes`), the
        // rebuild goes back to the default cache: its sorter sorts runs of the cache's size
        // and merges them, where one run of the whole registry took more than twice the
        // CPU (measured).
        let previous: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        let result = self.import_sales_cached(rows, expected, skip_invalid, previous, progress);
        let restored = self
            .conn
            .execute_batch(&format!("PRAGMA cache_size = {previous}"));
        let summary = result?;
        restored?;
        Ok(summary)
    }

    fn import_sales_cached(
        &mut self,
        rows: impl IntoIterator<Item = (u64, std::result::Result<Sale, String>)>,
        expected: u64,
        skip_invalid: bool,
        default_cache: i64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary> {
        let tx = self.write()?;
        let mut summary = ImportSummary::default();
        let mut deferred = DeferredIndexes::default();
        // Asked again each time the import doubles, as it grows next to the registry.
        let mut next_check = DEFER_INDEXES_FROM;
        {
            let mut insert = tx.prepare(&format!(
                "INSERT INTO sales ({SALE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (imei) DO NOTHING"
            ))?;
            let mut existing =
                tx.prepare(&format!("SELECT {SALE_COLUMNS} FROM sales WHERE imei = ?1"))?;
            for (n, (line, row)) in rows.into_iter().enumerate() {
                if n % 8192 == 0 {
                    progress(n as u64);
                }
                let sale = match row {
                    Ok(sale) => sale,
                    Err(message) => {
                        summary.rejected.push(RowProblem { line, message });
                        continue;
                    }
                };
                let dispatched = crate::domain::time::iso_date(sale.dispatched_on);
                let added = insert.execute(params![
                    sale.imei.as_str(),
                    sale.order_number,
                    sale.customer_number,
                    sale.customer_name,
                    sale.customer_email,
                    sale.customer_address,
                    sale.country,
                    sale.model,
                    sale.category.as_str(),
                    dispatched,
                    sale.customer_phone,
                ])?;
                if added == 1 {
                    summary.imported += 1;
                    if summary.imported == next_check {
                        deferred = DeferredIndexes::when_it_pays(
                            &tx,
                            summary.imported,
                            expected,
                            default_cache,
                        )?;
                        next_check = if deferred.dropped.is_empty() {
                            next_check.saturating_mul(2)
                        } else {
                            u64::MAX
                        };
                    }
                } else {
                    let before = existing
                        .query_row([sale.imei.as_str()], SaleRow::read)?
                        .into_sale()?;
                    if before == sale {
                        summary.unchanged += 1;
                    } else {
                        summary.rejected.push(RowProblem {
                            line,
                            message: conflict_message(&before, &sale),
                        });
                    }
                }
            }
        }
        if skip_invalid || summary.rejected.is_empty() {
            deferred.rebuild(&tx)?;
            tx.commit()?;
            summary.committed = true;
        } else {
            tx.rollback()?;
            summary.imported = 0;
            summary.unchanged = 0;
        }
        Ok(summary)
    }
}

/// New rows an import writes before it first considers building the registry's secondary
/// indexes after the rows instead of row by row: below this, keeping them current costs
/// less than any rebuild.
const DEFER_INDEXES_FROM: u64 = 10_000;

/// The secondary indexes of the sales registry (by customer number, by email; any that
/// enforce no rule) that an import dropped inside its transaction, to build again from the rows before it commits.
///
/// A million new sales in random IMEI order land all over both indexes, so keeping them
/// current row by row costs several times building them once from the finished table
/// (SQLite sorts the keys and writes each index page once). Rebuilding also walks the rows
/// already there, so it is done only when the import adds at least a quarter as many rows
/// as the registry held. The drop, the rows and the rebuild are one transaction: other
/// connections keep reading the registry as it was, indexes included, until the commit,
/// and a failed, refused or killed import rolls the drop back with everything else.
#[derive(Default)]
struct DeferredIndexes {
    /// Each dropped index's name and the SQL that made it, as the schema holds it.
    dropped: Vec<(String, String)>,
    /// The page cache for the rebuild, in `PRAGMA cache_size` units.
    cache_size: i64,
}

impl DeferredIndexes {
    /// Drop the registry's secondary indexes if rebuilding them pays: `imported` new rows
    /// are already in, of about `expected` (0: unknown), and the import is large next to
    /// the rows that were there.
    /// The rebuild runs with a page cache of `cache_size`.
    fn when_it_pays(
        tx: &rusqlite::Transaction<'_>,
        imported: u64,
        expected: u64,
        cache_size: i64,
    ) -> Result<DeferredIndexes> {
        let total: i64 = tx.query_row("SELECT count(*) FROM sales", [], |r| r.get(0))?;
        let before = (total as u64).saturating_sub(imported);
        // Keeping the indexes costs some 7 µs a new row in random IMEI order; the rebuild
        // about 1.5 µs a row, old or new (measured on a million, 2-core VM).
        if imported.max(expected).saturating_mul(4) < before {
            return Ok(DeferredIndexes::default());
        }
        let dropped = {
            // Indexes made by CREATE INDEX that enforce nothing: a unique one stays, so
            // that a duplicate is still refused at its row.
            let mut stmt = tx.prepare(
                "SELECT m.name, m.sql FROM sqlite_master m
                 JOIN pragma_index_list('sales') l ON l.name = m.name
                 WHERE m.type = 'index' AND m.sql IS NOT NULL
                   AND l.\"unique\" = 0 AND l.origin = 'c'
                 ORDER BY m.name",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<(String, String)>>>()?
        };
        for (name, _) in &dropped {
            tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(DeferredIndexes {
            dropped,
            cache_size,
        })
    }

    /// Build the dropped indexes again, from every row now in the registry.
    fn rebuild(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        if !self.dropped.is_empty() {
            tx.execute_batch(&format!("PRAGMA cache_size = {}", self.cache_size))?;
        }
        for (_, sql) in self.dropped.drain(..) {
            tx.execute_batch(&sql)?;
        }
        Ok(())
    }
}

/// The sale of this IMEI on a connection (or in a transaction under way).
pub(super) fn sale_of(conn: &rusqlite::Connection, imei: &Imei) -> Result<Option<Sale>> {
    conn.prepare_cached(&format!("SELECT {SALE_COLUMNS} FROM sales WHERE imei = ?1"))?
        .query_row([imei.as_str()], SaleRow::read)
        .optional()?
        .map(SaleRow::into_sale)
        .transpose()
}

fn conflict_message(before: &Sale, now: &Sale) -> String {
    let mut differences = Vec::new();
    let mut cmp = |name: &str, a: &str, b: &str| {
        if a != b {
            differences.push(format!("{name} {a:?} here, {b:?} before"));
        }
    };
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    cmp("order_number", &now.order_number, &before.order_number);
    cmp(
        "customer_number",
        &now.customer_number,
        &before.customer_number,
    );
    cmp("model", &now.model, &before.model);
    cmp("category", now.category.as_str(), before.category.as_str());
    cmp(
        "dispatched_on",
        &now.dispatched_on.to_string(),
        &before.dispatched_on.to_string(),
    );
    cmp(
        "customer_name",
        &opt(&now.customer_name),
        &opt(&before.customer_name),
    );
    cmp(
        "customer_email",
        &opt(&now.customer_email),
        &opt(&before.customer_email),
    );
    cmp(
        "customer_address",
        &opt(&now.customer_address),
        &opt(&before.customer_address),
    );
    cmp("country", &opt(&now.country), &opt(&before.country));
    cmp(
        "customer_phone",
        &opt(&now.customer_phone),
        &opt(&before.customer_phone),
    );
    format!(
        "IMEI {} is already in the registry (or earlier in this file) with different data ({}); it was not overwritten: correct the file or the registry",
        now.imei,
        differences.join("; ")
    )
}

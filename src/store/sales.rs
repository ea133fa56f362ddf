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
        // A registry of a million sales is a table and two indexes of some 200 MB, written
        // in IMEI order that is random: with SQLite's default 2 MB page cache nearly every
        // insert reads its pages back from the file (six times slower, measured). The
        // import's own connection gets a larger cache for the import alone; pages are
        // only allocated as they are used.
        let previous: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        let result = self.import_sales_cached(rows, skip_invalid, progress);
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
        skip_invalid: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary> {
        let tx = self.write()?;
        let mut summary = ImportSummary::default();
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

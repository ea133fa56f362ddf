//! The sales registry: import and lookup by IMEI.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use rustc_hash::{FxHashMap, FxHashSet};

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
    /// is invalid or in conflict. The rows refused are listed by line, whatever order the
    /// rows came in. `progress` is called with the rows handled so far.
    pub fn import_sales(
        &mut self,
        rows: impl IntoIterator<Item = (u64, std::result::Result<Sale, String>)>,
        skip_invalid: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<ImportSummary> {
        // A registry of a million sales is a table of some 180 MB. Each new row lands at a
        // random place in it (the table is kept in IMEI order): with SQLite's default 2 MB
        // page cache nearly every insert would read its pages back from the file (several
        // times slower, measured), so the import's own connection gets a larger cache while
        // it writes; pages are only allocated as they are used.
        // A statement of several rows keeps the pages it changes in a statement journal,
        // to undo itself alone if a row fails a CHECK: in memory, not a temporary file.
        let (previous, temp_store): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT cache_size FROM pragma_cache_size),
                    (SELECT temp_store FROM pragma_temp_store)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        self.conn.execute_batch(&format!(
            "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA temp_store = MEMORY"
        ))?;
        let result = self.import_sales_cached(rows, skip_invalid, progress);
        let restored = self.conn.execute_batch(&format!(
            "PRAGMA cache_size = {previous}; PRAGMA temp_store = {temp_store}"
        ));
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
        let mut customers = CustomersSeen::default();
        {
            let mut one = tx.prepare(&insert_sales(1))?;
            let mut many = tx.prepare(&insert_sales(GROUP))?;
            let mut existing =
                tx.prepare(&format!("SELECT {SALE_COLUMNS} FROM sales WHERE imei = ?1"))?;
            // What became of a row: added, or met a sale of its IMEI (the same data, or not).
            let mut settle = |line: u64, sale: Sale, added: bool| -> Result<()> {
                if added {
                    summary.imported += 1;
                    customers.saw(&sale);
                    return Ok(());
                }
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
                Ok(())
            };
            let mut group: Vec<(u64, Sale)> = Vec::with_capacity(GROUP);
            let mut invalid = Vec::new();
            let mut dates = String::with_capacity(10 * GROUP);
            let mut added = Vec::with_capacity(GROUP);
            for (n, (line, row)) in rows.into_iter().enumerate() {
                if n % 8192 == 0 {
                    progress(n as u64);
                }
                match row {
                    Ok(sale) => group.push((line, sale)),
                    Err(message) => invalid.push(RowProblem { line, message }),
                }
                if group.len() == GROUP {
                    insert_group(&mut many, &group, &mut dates, &mut added)?;
                    for ((line, sale), &added) in group.drain(..).zip(&added) {
                        settle(line, sale, added)?;
                    }
                }
            }
            // The last few, one at a time.
            for row in group {
                let row = [row];
                insert_group(&mut one, &row, &mut dates, &mut added)?;
                let [(line, sale)] = row;
                settle(line, sale, added.first().copied().unwrap_or(false))?;
            }
            summary.rejected.extend(invalid);
        }
        // Rows may come in another order than the file's (see `import::import_file`).
        summary.rejected.sort_by_key(|p| p.line);
        if skip_invalid || summary.rejected.is_empty() {
            customers.write(&tx)?;
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

/// Sales go into the registry this many to a statement: SQLite opens, seeks and closes
/// its cursor once a statement, not once a sale (a million-row import spent some 8% of its
/// time on that).
const GROUP: usize = 64;

/// The statement that inserts `rows` sales, each skipped when its IMEI is already sold, and
/// returns the IMEIs it inserted.
fn insert_sales(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=11).map(|c| format!("?{}", r * 11 + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO sales ({SALE_COLUMNS}) VALUES {} ON CONFLICT (imei) DO NOTHING RETURNING imei",
        values.join(", ")
    )
}

/// Run `stmt` (made by [`insert_sales`] for as many rows as `group` holds) on `group`;
/// `added` says for each sale whether it went in (else a sale of its IMEI was there, or
/// came earlier in the group).
fn insert_group(
    stmt: &mut rusqlite::Statement<'_>,
    group: &[(u64, Sale)],
    dates: &mut String,
    added: &mut Vec<bool>,
) -> Result<()> {
    dates.clear();
    let mut ends = Vec::with_capacity(group.len());
    for (_, sale) in group {
        crate::domain::time::push_iso_date(sale.dispatched_on, dates);
        ends.push(dates.len());
    }
    let mut start = 0;
    for (i, ((_, sale), &end)) in group.iter().zip(&ends).enumerate() {
        let date = dates.get(start..end).unwrap_or_default();
        start = end;
        let values: [&dyn rusqlite::ToSql; 11] = [
            &sale.imei.as_str(),
            &sale.order_number,
            &sale.customer_number,
            &sale.customer_name,
            &sale.customer_email,
            &sale.customer_address,
            &sale.country,
            &sale.model,
            &sale.category.as_str(),
            &date,
            &sale.customer_phone,
        ];
        for (c, value) in values.into_iter().enumerate() {
            stmt.raw_bind_parameter(i * 11 + c + 1, value)?;
        }
    }
    // The order of RETURNING's rows is not promised: matched by IMEI, each claimed once,
    // in the group's order (a second row of one IMEI met the first).
    let mut inserted: Vec<u64> = Vec::with_capacity(group.len());
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        if let rusqlite::types::ValueRef::Text(imei) = row.get_ref(0)? {
            inserted.push(crate::domain::imei::digits_value(imei));
        }
    }
    added.clear();
    for (_, sale) in group {
        let key = sale.imei.number();
        let claimed = inserted.iter().position(|&k| k == key);
        if let Some(i) = claimed {
            inserted.swap_remove(i);
        }
        added.push(claimed.is_some());
    }
    Ok(())
}

/// What an import learnt about the customers of the sales it added, written to the
/// `customers` and `customer_emails` tables before it commits (a few thousand rows for a
/// million sales), by the rule migration 0013 filled them with: each field as the latest
/// sale that has it names it, latest by dispatch date and then by IMEI, whatever order the
/// sales came in.
#[derive(Default)]
struct CustomersSeen(FxHashMap<String, CustomerSeen>);

/// One customer's fields, each with the dispatch date and IMEI of the sale it came from,
/// and the addresses its sales carry.
#[derive(Default)]
struct CustomerSeen {
    fields: [Option<(String, NaiveDate, u64)>; 5],
    emails: FxHashSet<String>,
}

/// The customer fields, in the table's and [`CustomerSeen::fields`]' order; each has a
/// `*_from` column after it.
const CUSTOMER_FIELDS: [&str; 5] = [
    "customer_name",
    "customer_email",
    "customer_address",
    "country",
    "customer_phone",
];

/// A customer's row from the sales an import added, merged field by field with the one
/// stored: a field (and its `*_from`) is replaced when the new one came from a later sale.
fn customer_upsert() -> String {
    let set: Vec<String> = CUSTOMER_FIELDS
        .iter()
        .flat_map(|f| {
            let later = format!("excluded.{f}_from > coalesce({f}_from, '')");
            [
                format!("{f} = iif({later}, excluded.{f}, {f})"),
                format!("{f}_from = iif({later}, excluded.{f}_from, {f}_from)"),
            ]
        })
        .collect();
    format!(
        "INSERT INTO customers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (customer_number) DO UPDATE SET {}",
        set.join(", ")
    )
}

impl CustomersSeen {
    /// Take in a sale the import added.
    fn saw(&mut self, sale: &Sale) {
        let seen = match self.0.get_mut(sale.customer_number.as_str()) {
            Some(seen) => seen,
            None => self.0.entry(sale.customer_number.clone()).or_default(),
        };
        let values = [
            &sale.customer_name,
            &sale.customer_email,
            &sale.customer_address,
            &sale.country,
            &sale.customer_phone,
        ];
        for (slot, value) in seen.fields.iter_mut().zip(values) {
            let Some(value) = value else { continue };
            // The order of the stored `dispatched_on || ' ' || imei`, nothing copied
            // unless this sale is the later.
            let imei = sale.imei.number();
            let later = slot
                .as_ref()
                .is_none_or(|&(_, date, was)| (sale.dispatched_on, imei) > (date, was));
            if later {
                *slot = Some((value.clone(), sale.dispatched_on, imei));
            }
        }
        if let Some(email) = &sale.customer_email
            && !seen.emails.contains(email)
        {
            seen.emails.insert(email.clone());
        }
    }

    /// Write what was seen, merged with what the tables hold, in the import's transaction.
    fn write(self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        let mut upsert = tx.prepare(&customer_upsert())?;
        let mut email = tx.prepare(
            "INSERT OR IGNORE INTO customer_emails (email, customer_number) VALUES (?1, ?2)",
        )?;
        for (number, seen) in self.0 {
            let [name, mail, address, country, phone] = seen.fields.map(|f| match f {
                Some((value, date, imei)) => (
                    Some(value),
                    Some(format!(
                        "{} {imei:015}",
                        crate::domain::time::iso_date(date)
                    )),
                ),
                None => (None, None),
            });
            upsert.execute(params![
                number, name.0, name.1, mail.0, mail.1, address.0, address.1, country.0, country.1,
                phone.0, phone.1,
            ])?;
            for e in seen.emails {
                email.execute(params![e, number])?;
            }
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

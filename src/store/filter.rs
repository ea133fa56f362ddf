//! The board's reseller filter and its "ready to ship" counts: the resellers with cases on
//! the board (from the cases, joined to their sales by IMEI, so a registry of a million
//! sales costs nothing here), and each pane's window, counts and positions for one
//! reseller (customer number).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::cases::PaneQuery;
use super::rows::{CASE_COLUMNS, CaseRow};
use super::{Result, Store, StoreError};
use crate::domain::time::rfc3339;
use crate::domain::{Case, Clocks, Stage};

/// A reseller (customer number of the sales registry) with cases on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResellerOnBoard {
    /// The customer number.
    pub customer_number: String,
    /// The name in the sales registry, if it has one.
    pub name: Option<String>,
    /// Its cases on the board (not shipped, or shipped within the Shipped pane's window);
    /// for [`Store::ready_to_ship`], its inspected cases.
    pub cases: u64,
}

impl ResellerOnBoard {
    /// The name, or the customer number when the registry has no name.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.customer_number)
    }
}

/// One reseller's cases per stage, late cases per stage, and shipments before the Shipped
/// pane's window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResellerCounts {
    /// Cases per stage, in [`Stage::ALL`] order.
    pub counts: [u64; 5],
    /// Late cases per stage.
    pub late: [u64; 5],
    /// Shipped before the window.
    pub shipped_older: u64,
}

fn read_reseller(r: &rusqlite::Row<'_>) -> rusqlite::Result<ResellerOnBoard> {
    Ok(ResellerOnBoard {
        customer_number: r.get(0)?,
        name: r.get(1)?,
        cases: r.get::<_, i64>(2)?.max(0) as u64,
    })
}

impl Store {
    /// Resellers with cases on the board, by name: cases not shipped, or shipped after
    /// `shipped_after`.
    pub fn resellers_on_board(&self, shipped_after: DateTime<Utc>) -> Result<Vec<ResellerOnBoard>> {
        // Two ranges of the stage index (an OR would read every case), then the name
        // from one of each reseller's sales, by its primary key.
        let mut stmt = self.conn.prepare_cached(
            "SELECT g.customer_number, s.customer_name, g.n
             FROM (SELECT customer_number, max(imei) AS imei, count(*) AS n
                   FROM (SELECT imei, customer_number FROM cases
                         WHERE stage IN ('expected', 'received', 'at_manufacturer', 'inspected')
                         UNION ALL
                         SELECT imei, customer_number FROM cases
                         WHERE stage = 'shipped' AND stage_since >= ?1)
                   GROUP BY customer_number) g
             LEFT JOIN sales s ON s.imei = g.imei
             ORDER BY lower(coalesce(s.customer_name, g.customer_number)), g.customer_number",
        )?;
        let rows = stmt.query_map([rfc3339(shipped_after)], read_reseller)?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// Inspected cases per reseller, the most first: what is ready to ship to whom.
    pub fn ready_to_ship(&self) -> Result<Vec<ResellerOnBoard>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.customer_number, max(s.customer_name), count(*)
             FROM cases c LEFT JOIN sales s ON s.imei = c.imei
             WHERE c.stage = 'inspected'
             GROUP BY c.customer_number
             ORDER BY count(*) DESC, c.customer_number",
        )?;
        let rows = stmt.query_map([], read_reseller)?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// A pane's window of one reseller's cases, in [`Store::pane`]'s order.
    pub fn reseller_pane(&self, q: PaneQuery, customer: &str) -> Result<Vec<Case>> {
        let shipped = q.stage == Stage::Shipped;
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c
             WHERE c.stage = ?1 AND c.stage_since >= ?2 AND c.customer_number = ?5
             ORDER BY c.stage_since {order}, c.id {order} LIMIT ?3 OFFSET ?4",
            order = if shipped { "DESC" } else { "ASC" }
        );
        let after = q
            .shipped_after
            .filter(|_| shipped)
            .map(rfc3339)
            .unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                q.stage.as_str(),
                after,
                q.limit as i64,
                q.offset as i64,
                customer
            ],
            CaseRow::read,
        )?;
        rows.map(|r| r.map_err(StoreError::from).and_then(CaseRow::into_case))
            .collect()
    }

    /// One reseller's counts, as the board shows them, counted as the counts of every
    /// reseller are: Shipped counts all of its shipments, and `shipped_older` those
    /// before the Shipped pane's window (one range of the index by customer, stage and
    /// time).
    pub fn reseller_counts(
        &self,
        customer: &str,
        clocks: &Clocks,
        now: DateTime<Utc>,
        shipped_cutoff: DateTime<Utc>,
    ) -> Result<ResellerCounts> {
        let mut out = ResellerCounts::default();
        // One pass over the reseller's cases on the board (two ranges of the stage
        // index), late ones counted on the way.
        let late = |stage| {
            clocks
                .late_before(stage, now)
                .map(rfc3339)
                .unwrap_or_default()
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT stage, count(*),
                    sum(CASE stage WHEN 'expected' THEN stage_since < ?2
                                   WHEN 'received' THEN stage_since < ?3
                                   WHEN 'at_manufacturer' THEN stage_since < ?4
                                   WHEN 'inspected' THEN stage_since < ?5
                                   ELSE 0 END)
             FROM (SELECT stage, stage_since FROM cases
                   WHERE stage IN ('expected', 'received', 'at_manufacturer', 'inspected')
                     AND customer_number = ?1
                   UNION ALL
                   SELECT stage, stage_since FROM cases
                   WHERE stage = 'shipped' AND stage_since >= ?6 AND customer_number = ?1)
             GROUP BY stage",
        )?;
        let rows = stmt.query_map(
            params![
                customer,
                late(Stage::Expected),
                late(Stage::Received),
                late(Stage::AtManufacturer),
                late(Stage::Inspected),
                rfc3339(shipped_cutoff)
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )?;
        for row in rows {
            let (stage, n, late) = row?;
            let stage =
                Stage::parse(&stage).map_err(|_| StoreError::bad_value("cases.stage", &stage))?;
            let i = Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0);
            out.counts[i] = n.max(0) as u64;
            out.late[i] = late.max(0) as u64;
        }
        let older: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM cases
                 WHERE customer_number = ?1 AND stage = 'shipped' AND stage_since < ?2",
            )?
            .query_row(params![customer, rfc3339(shipped_cutoff)], |r| r.get(0))?;
        out.shipped_older = older.max(0) as u64;
        if let Some(i) = Stage::ALL.iter().position(|&s| s == Stage::Shipped) {
            out.counts[i] += out.shipped_older;
        }
        Ok(out)
    }
}

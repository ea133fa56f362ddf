//! Queries only the board needs.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Result, Store};
use crate::domain::time::rfc3339;
use crate::domain::{Case, Stage};

impl Store {
    /// Where a case sits in its pane (0 = top), in the order [`Store::pane`] lists it, or
    /// within one reseller's cases of that pane when `customer` is given (the board's
    /// reseller filter); `None` for a shipment older than `shipped_after`, which the
    /// Shipped pane leaves out.
    pub fn pane_position(
        &self,
        case: &Case,
        shipped_after: DateTime<Utc>,
        customer: Option<&str>,
    ) -> Result<Option<usize>> {
        let since = rfc3339(case.stage_since);
        let n: i64 = if case.stage == Stage::Shipped {
            let after = rfc3339(shipped_after);
            if since < after {
                return Ok(None);
            }
            self.conn
                .prepare_cached(
                    "SELECT count(*) FROM cases WHERE stage = 'shipped' AND stage_since >= ?1
                     AND (?4 IS NULL OR customer_number = ?4)
                     AND (stage_since > ?2 OR (stage_since = ?2 AND id > ?3))",
                )?
                .query_row(params![after, since, case.id, customer], |r| r.get(0))?
        } else {
            self.conn
                .prepare_cached(
                    "SELECT count(*) FROM cases WHERE stage = ?1
                     AND (?4 IS NULL OR customer_number = ?4)
                     AND (stage_since < ?2 OR (stage_since = ?2 AND id < ?3))",
                )?
                .query_row(
                    params![case.stage.as_str(), since, case.id, customer],
                    |r| r.get(0),
                )?
        };
        Ok(usize::try_from(n).ok())
    }
}

impl Store {
    /// Whether the database holds no sales and no cases (a new shop, or the wrong file).
    /// Cheap at any size: it stops at the first row, where counting a million sales
    /// would read them all.
    pub fn holds_nothing(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM sales) AND NOT EXISTS (SELECT 1 FROM cases)",
            [],
            |r| r.get(0),
        )?)
    }
}

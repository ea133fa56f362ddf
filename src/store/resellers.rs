//! Resellers: the customers of the sales registry, by customer number, with how their
//! cases stand.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use super::{Result, Store};
use crate::domain::time::rfc3339;
use crate::domain::{Clocks, Stage};

/// One reseller: who it is (each field from its latest sale that has it) and its cases now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reseller {
    /// The customer number of the sales registry.
    pub customer_number: String,
    /// The name on its latest sale that has one; `None` when none has.
    pub name: Option<String>,
    /// Where its messages go, from its latest sale that has one.
    pub email: Option<String>,
    /// Its postal address, from its latest sale that has one.
    pub address: Option<String>,
    /// Its country, from its latest sale that has one.
    pub country: Option<String>,
    /// Its phone, from its latest sale that has one (when the sales CSV had a `customer_phone` column).
    pub phone: Option<String>,
    /// Cases not yet shipped.
    pub open: u64,
    /// Of those, cases late on their stage's clock.
    pub late: u64,
    /// Cases shipped back in the last 30 days (devices, not parcels).
    pub shipped_30d: u64,
}

/// How far back "shipped lately" looks.
pub const SHIPPED_DAYS: i64 = 30;

impl Store {
    /// Every reseller of the sales registry with its open, late and lately shipped
    /// cases at `now`, by name (then customer number).
    pub fn resellers(&self, clocks: &Clocks, now: DateTime<Utc>) -> Result<Vec<Reseller>> {
        let cutoff = |stage| {
            clocks
                .late_before(stage, now)
                .map(rfc3339)
                .unwrap_or_default()
        };
        let mut counts: HashMap<String, (u64, u64, u64)> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT customer_number,
                        sum(stage <> 'shipped'),
                        sum((stage = 'expected' AND stage_since < ?1)
                            OR (stage = 'received' AND stage_since < ?2)
                            OR (stage = 'at_manufacturer' AND stage_since < ?3)
                            OR (stage = 'inspected' AND stage_since < ?4)),
                        sum(stage = 'shipped' AND stage_since >= ?5)
                 FROM cases GROUP BY customer_number",
            )?;
            let rows = stmt.query_map(
                params![
                    cutoff(Stage::Expected),
                    cutoff(Stage::Received),
                    cutoff(Stage::AtManufacturer),
                    cutoff(Stage::Inspected),
                    rfc3339(now - Duration::days(SHIPPED_DAYS)),
                ],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )?;
            for row in rows {
                let (customer, open, late, shipped) = row?;
                let n = |v: i64| u64::try_from(v).unwrap_or(0);
                counts.insert(customer, (n(open), n(late), n(shipped)));
            }
        }
        // Each field as the latest sale that has it names it (see migration 0013).
        let mut stmt = self.conn.prepare_cached(
            "SELECT customer_number, customer_name, customer_email, customer_address, country,
                    customer_phone
             FROM customers",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Reseller {
                customer_number: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                address: r.get(3)?,
                country: r.get(4)?,
                phone: r.get(5)?,
                open: 0,
                late: 0,
                shipped_30d: 0,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let mut reseller = row?;
            if let Some(&(open, late, shipped)) = counts.get(&reseller.customer_number) {
                (reseller.open, reseller.late, reseller.shipped_30d) = (open, late, shipped);
            }
            out.push(reseller);
        }
        out.sort_by_cached_key(|r| {
            (
                r.name
                    .as_deref()
                    .map(crate::domain::text::fold_for_search)
                    .unwrap_or_default(),
                r.customer_number.clone(),
            )
        });
        Ok(out)
    }

    /// Whether the sales registry has this customer number.
    pub fn is_customer(&self, customer_number: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE customer_number = ?1)")?
            .query_row([customer_number], |r| r.get(0))?)
    }
}

impl Store {
    /// Why the cases with these row ids cannot go out as one parcel (different customers,
    /// or one customer's devices at different addresses), in a sentence; `None` when they
    /// can. Asked before an S10 number is asked for; the ship checks again as it saves.
    pub fn parcel_problem(&self, ids: &[i64]) -> Result<Option<String>> {
        let cases = self.cases_by_ids(ids)?;
        let sales = cases
            .iter()
            .map(|c| super::sales::sale_of(&self.conn, &c.imei))
            .collect::<Result<Vec<_>>>()?;
        let items: Vec<(&crate::domain::Case, Option<&crate::domain::Sale>)> =
            cases.iter().zip(sales.iter().map(Option::as_ref)).collect();
        Ok(crate::domain::parcel::check(&items)
            .err()
            .map(|e| e.to_string()))
    }
}

//! Reading rows back into domain types. Values the domain cannot read (a file edited by
//! hand or damaged) become `StoreError::Corrupt`, never a panic.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Row;

use super::{Result, StoreError};
use crate::domain::case::{Case, Event, Note};
use crate::domain::sale::Sale;
use crate::domain::warranty::{Category, Part, Verdict};
use crate::domain::{EventField, EventKind, Imei, Outcome, RmaNumber, Stage};

pub(super) fn time(column: &str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::bad_value(column, s))
}

pub(super) fn date(column: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| StoreError::bad_value(column, s))
}

pub(super) const CASE_COLUMNS: &str = "c.id, c.rma, c.imei, c.stage, c.outcome, c.verdict, \
    c.verdict_detail, c.verdict_reason, c.goodwill, c.order_number, c.customer_number, c.model, \
    c.fault, c.part, c.tracking_in, c.manufacturer_ref, c.tracking_out, c.rounds, c.claimed_at, \
    c.opened_at, c.stage_since, c.updated_at, c.version";

/// A case row as stored; [`CaseRow::into_case`] checks it.
pub(super) struct CaseRow {
    id: i64,
    rma: String,
    imei: String,
    stage: String,
    outcome: Option<String>,
    verdict: String,
    verdict_detail: Option<String>,
    verdict_reason: String,
    goodwill: Option<String>,
    order_number: String,
    customer_number: String,
    model: String,
    fault: String,
    part: String,
    tracking_in: Option<String>,
    manufacturer_ref: Option<String>,
    tracking_out: Option<String>,
    rounds: i64,
    claimed_at: String,
    opened_at: String,
    stage_since: String,
    updated_at: String,
    version: i64,
}

impl CaseRow {
    /// Read the columns of [`CASE_COLUMNS`], in that order.
    pub(super) fn read(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
        Ok(CaseRow {
            id: r.get(0)?,
            rma: r.get(1)?,
            imei: r.get(2)?,
            stage: r.get(3)?,
            outcome: r.get(4)?,
            verdict: r.get(5)?,
            verdict_detail: r.get(6)?,
            verdict_reason: r.get(7)?,
            goodwill: r.get(8)?,
            order_number: r.get(9)?,
            customer_number: r.get(10)?,
            model: r.get(11)?,
            fault: r.get(12)?,
            part: r.get(13)?,
            tracking_in: r.get(14)?,
            manufacturer_ref: r.get(15)?,
            tracking_out: r.get(16)?,
            rounds: r.get(17)?,
            claimed_at: r.get(18)?,
            opened_at: r.get(19)?,
            stage_since: r.get(20)?,
            updated_at: r.get(21)?,
            version: r.get(22)?,
        })
    }

    pub(super) fn into_case(self) -> Result<Case> {
        let bad = StoreError::bad_value;
        Ok(Case {
            id: self.id,
            rma: RmaNumber::parse(&self.rma).map_err(|_| bad("rma", &self.rma))?,
            imei: Imei::parse(&self.imei).map_err(|_| bad("imei", &self.imei))?,
            stage: Stage::parse(&self.stage).map_err(|_| bad("stage", &self.stage))?,
            outcome: match &self.outcome {
                None => None,
                Some(o) => Some(Outcome::parse(o).ok_or_else(|| bad("outcome", o))?),
            },
            verdict: Verdict::from_parts(&self.verdict, self.verdict_detail.as_deref())
                .ok_or_else(|| bad("verdict", &self.verdict))?,
            verdict_reason: self.verdict_reason,
            goodwill: self.goodwill,
            order_number: self.order_number,
            customer_number: self.customer_number,
            model: self.model,
            fault: self.fault,
            part: Part::parse(&self.part).map_err(|_| bad("part", &self.part))?,
            tracking_in: self.tracking_in,
            manufacturer_ref: self.manufacturer_ref,
            tracking_out: self.tracking_out,
            rounds: u32::try_from(self.rounds)
                .map_err(|_| bad("rounds", &self.rounds.to_string()))?,
            claimed_at: time("claimed_at", &self.claimed_at)?,
            opened_at: time("opened_at", &self.opened_at)?,
            stage_since: time("stage_since", &self.stage_since)?,
            updated_at: time("updated_at", &self.updated_at)?,
            version: self.version,
        })
    }
}

pub(super) const SALE_COLUMNS: &str = "imei, order_number, customer_number, customer_name, \
    customer_email, customer_address, country, model, category, dispatched_on, customer_phone";

pub(super) struct SaleRow([Option<String>; 11]);

impl SaleRow {
    pub(super) fn read(r: &Row<'_>) -> rusqlite::Result<SaleRow> {
        let mut cols: [Option<String>; 11] = Default::default();
        for (i, col) in cols.iter_mut().enumerate() {
            *col = r.get(i)?;
        }
        Ok(SaleRow(cols))
    }

    pub(super) fn into_sale(self) -> Result<Sale> {
        let [
            imei,
            order,
            customer,
            name,
            email,
            address,
            country,
            model,
            category,
            dispatched,
            phone,
        ] = self.0;
        let text = |v: Option<String>| v.unwrap_or_default();
        let imei = text(imei);
        let category = text(category);
        let dispatched = text(dispatched);
        Ok(Sale {
            imei: Imei::parse(&imei).map_err(|_| StoreError::bad_value("sales.imei", &imei))?,
            order_number: text(order),
            customer_number: text(customer),
            customer_name: name,
            customer_email: email,
            customer_address: address,
            country,
            customer_phone: phone,
            model: text(model),
            category: Category::parse(&category)
                .map_err(|_| StoreError::bad_value("sales.category", &category))?,
            dispatched_on: date("sales.dispatched_on", &dispatched)?,
        })
    }
}

pub(super) fn note(r: &Row<'_>) -> rusqlite::Result<(String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

pub(super) fn into_note((at, author, text): (String, String, String)) -> Result<Note> {
    Ok(Note {
        at: time("notes.at", &at)?,
        author,
        text,
    })
}

pub(super) type EventRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

pub(super) fn event(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

pub(super) fn into_event((at, author, kind, field, from, to): EventRow) -> Result<Event> {
    Ok(Event {
        at: time("events.at", &at)?,
        author,
        kind: EventKind::parse(&kind),
        field: EventField::parse(&field),
        from,
        to,
    })
}

//! The paperwork in the database: bills issued on shipping and the customer messages
//! in the outbox. Both are written inside the transaction of the move that causes them,
//! so a ship without its bill (or a bill without its ship) cannot happen.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::rows;
use super::sales::sale_of;
use super::{Result, Store, StoreError};
use crate::domain::Stage;
use crate::domain::case::Case;
use crate::domain::sale::Sale;
use crate::domain::time::rfc3339;
use crate::paperwork::message::{self, Draft};
use crate::paperwork::{Bill, Dropped, MessageKind, OutboxMessage, OutboxStatus, Settings};

impl Store {
    /// The latest bill of a case (a case shipped twice has two).
    pub fn latest_bill(&self, case_id: i64) -> Result<Option<Bill>> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {BILL_COLUMNS} FROM bills WHERE case_id = ?1 ORDER BY number DESC LIMIT 1"),
                [case_id],
                BillRow::read,
            )
            .optional()?;
        row.map(BillRow::into_bill).transpose()
    }

    /// The latest bill of every shipped case: (RMA, the file name of its PDF).
    pub fn shipped_bills(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.number, b.rma FROM bills b JOIN cases c ON c.id = b.case_id
             WHERE c.stage = 'shipped'
               AND b.number = (SELECT max(number) FROM bills WHERE case_id = b.case_id)
             ORDER BY b.number",
        )?;
        let rows = stmt.query_map([], |r| {
            let (number, rma): (i64, String) = (r.get(0)?, r.get(1)?);
            Ok((rma.clone(), Bill::file_name_of(number, &rma)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Messages, oldest first; with `all` false only those waiting (not sent, not dropped).
    pub fn outbox(&self, all: bool) -> Result<Vec<OutboxMessage>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN cases c ON c.id = o.case_id
             WHERE ?1 OR o.status IN ('pending', 'sending') ORDER BY o.id"
        ))?;
        let rows = stmt.query_map([all], OutboxRow::read)?;
        rows.map(|r| {
            r.map_err(StoreError::from)
                .and_then(OutboxRow::into_message)
        })
        .collect()
    }

    /// One message of the outbox, by its number.
    pub fn outbox_message(&self, id: i64) -> Result<OutboxMessage> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN cases c ON c.id = o.case_id WHERE o.id = ?1"
                ),
                [id],
                OutboxRow::read,
            )
            .optional()?
            .ok_or_else(|| no_such_message(id))?
            .into_message()
    }

    /// Take the next pending message after `after_id` for sending. Under the write lock,
    /// so of two staff sending at once only one gets each message. One with no address
    /// that was tried already is passed by: it would fail again (see
    /// `OutboxMessage::needs_person`).
    pub fn claim_message(
        &mut self,
        after_id: i64,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<OutboxMessage>> {
        let tx = self.write()?;
        let id: Option<i64> = tx
            .query_row(
                "UPDATE outbox SET status = 'sending', claimed_by = ?2, claimed_at = ?3,
                    attempts = attempts + 1
                 WHERE id = (SELECT id FROM outbox WHERE status = 'pending' AND id > ?1
                               AND NOT (to_address IS NULL AND attempts > 0)
                             ORDER BY id LIMIT 1)
                 RETURNING id",
                params![after_id, by, rfc3339(at)],
                |r| r.get(0),
            )
            .optional()?;
        tx.commit()?;
        id.map(|id| self.outbox_message(id)).transpose()
    }

    /// Record how a claimed message's sending went: sent (with how), or back to pending
    /// with the error.
    pub fn finish_message(
        &mut self,
        id: i64,
        outcome: std::result::Result<&str, &str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write()?;
        match outcome {
            Ok(via) => tx.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?2, sent_via = ?3, last_error = NULL
                 WHERE id = ?1 AND status = 'sending'",
                params![id, rfc3339(at), via],
            )?,
            Err(error) => tx.execute(
                "UPDATE outbox SET status = 'pending', last_error = ?2
                 WHERE id = ?1 AND status = 'sending'",
                params![id, crate::domain::text::clean_line(error)],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    /// Keep a claimed message in `sending` with what happened: its sender was stopped
    /// or killed after taking it, so it may have reached the customer. Staff check the
    /// mail log and release it.
    pub fn leave_sending(&mut self, id: i64, error: &str) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE outbox SET last_error = ?2 WHERE id = ?1 AND status = 'sending'",
            params![id, crate::domain::text::clean_line(error)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Put a message left in `sending` (its sender stopped mid-way) back to pending.
    /// Staff do this after checking that it did not reach the customer.
    pub fn release_message(&mut self, id: i64) -> Result<()> {
        let tx = self.write()?;
        let status: Option<String> = tx
            .query_row("SELECT status FROM outbox WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        match status.as_deref() {
            Some("sending") => {
                tx.execute(
                    "UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_at = NULL,
                        last_error = 'released after an interrupted send'
                     WHERE id = ?1",
                    [id],
                )?;
                tx.commit()?;
                Ok(())
            }
            Some(other) => Err(StoreError::Refused(format!(
                "message {id} is {other}, not stuck in sending: there is nothing to release"
            ))),
            None => Err(no_such_message(id)),
        }
    }

    /// Take a pending message out of the outbox for good: it will not be sent. Kept,
    /// with who, when and why. One being sent right now, or already sent, is refused.
    pub fn drop_message(
        &mut self,
        id: i64,
        reason: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let reason =
            crate::domain::text::required_line("reason", reason, crate::domain::text::MAX_SHORT)?;
        let tx = self.write()?;
        let row: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT status, claimed_by FROM outbox WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((status, _)) if status == "pending" => {
                tx.execute(
                    "UPDATE outbox SET status = 'dropped', dropped_by = ?2, dropped_at = ?3,
                        drop_reason = ?4
                     WHERE id = ?1",
                    params![id, by, rfc3339(at), reason],
                )?;
                tx.commit()?;
                Ok(())
            }
            Some((status, by)) if status == "sending" => {
                Err(StoreError::MessageBeingSent { id, by })
            }
            Some((status, _)) => Err(StoreError::Refused(format!(
                "message {id} is already {status}: there is nothing to drop"
            ))),
            None => Err(no_such_message(id)),
        }
    }

    /// Demo data only: messages drafted before `cutoff` count as mailed when drafted,
    /// as they would have been in a shop that sends from cron.
    pub(crate) fn mark_demo_messages_sent(&mut self, cutoff: DateTime<Utc>) -> Result<u64> {
        let tx = self.write()?;
        let n = tx.execute(
            "UPDATE outbox SET status = 'sent', attempts = 1, sent_at = created_at,
                sent_via = 'demo data: mailed when drafted'
             WHERE status = 'pending' AND created_at < ?1",
            [rfc3339(cutoff)],
        )?;
        tx.commit()?;
        Ok(n as u64)
    }

    /// Messages waiting to be sent (pending or stuck), for the board's status.
    pub fn outbox_waiting(&self) -> Result<u64> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")?
            .query_row([], |r| r.get::<_, i64>(0))? as u64)
    }
}

fn no_such_message(id: i64) -> StoreError {
    StoreError::NoSuchMessage(id)
}

/// Called in the transaction that opened `cases` (one, or a reseller's batch): draft
/// the RMA instructions, one message per customer listing all of that customer's new
/// cases.
pub(super) fn after_open(
    tx: &Transaction<'_>,
    settings: &Settings,
    cases: &[Case],
    at: DateTime<Utc>,
) -> Result<()> {
    for group in by_customer(cases) {
        let sales = group
            .iter()
            .map(|c| sale_of(tx, &c.imei))
            .collect::<Result<Vec<_>>>()?;
        let items: Vec<(&Case, Option<&Sale>)> = group
            .iter()
            .copied()
            .zip(sales.iter().map(Option::as_ref))
            .collect();
        let draft = match items.as_slice() {
            [(case, sale)] => message::rma_instructions(settings, case, *sale),
            _ => message::rma_instructions_many(settings, &items),
        };
        insert_message(tx, &group, &draft, at)?;
    }
    Ok(())
}

/// The cases grouped by customer number, in the order each customer first appears.
fn by_customer(cases: &[Case]) -> Vec<Vec<&Case>> {
    let mut groups: Vec<Vec<&Case>> = Vec::new();
    for c in cases {
        match groups.iter_mut().find(|g| {
            g.first()
                .is_some_and(|f| f.customer_number == c.customer_number)
        }) {
            Some(g) => g.push(c),
            None => groups.push(vec![c]),
        }
    }
    groups
}

/// The outbound tracking number of a case's latest bill, if it has one.
fn last_billed_tracking(conn: &Connection, case_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT tracking_out FROM bills WHERE case_id = ?1 ORDER BY number DESC LIMIT 1",
            [case_id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// Called in the transaction of every staff action, with each case before and after:
/// the cases it shipped go out in parcels, one per outbound tracking number. Each parcel
/// gets its bill and one shipping notice listing every device in it. Returns the bills
/// issued.
pub(super) fn after_apply(
    tx: &Transaction<'_>,
    settings: &Settings,
    moved: &[(Case, Case)],
    at: DateTime<Utc>,
) -> Result<Vec<Bill>> {
    let mut parcels: Vec<(String, Vec<&Case>)> = Vec::new();
    for (before, after) in moved {
        if after.stage != Stage::Shipped || before.stage == Stage::Shipped {
            continue;
        }
        let Some(tracking) = after.tracking_out.clone() else {
            continue;
        };
        // Shipped again with the parcel it already had (a move back undone): that
        // parcel's bill and the customer's notice stand; a second of each would be one
        // too many.
        if last_billed_tracking(tx, after.id)?.as_deref() == Some(tracking.as_str()) {
            continue;
        }
        match parcels.iter_mut().find(|(t, _)| *t == tracking) {
            Some((_, cases)) => cases.push(after),
            None => parcels.push((tracking, vec![after])),
        }
    }
    let mut bills = Vec::new();
    for (tracking, cases) in parcels {
        let sales = cases
            .iter()
            .map(|c| sale_of(tx, &c.imei))
            .collect::<Result<Vec<_>>>()?;
        let items: Vec<(&Case, Option<&Sale>)> = cases
            .iter()
            .copied()
            .zip(sales.iter().map(Option::as_ref))
            .collect();
        let issued = issue_bill(tx, settings, &items, &tracking, at)?;
        let draft = match (items.as_slice(), issued.as_slice()) {
            ([(case, sale)], [bill]) => message::shipping_notice(settings, case, *sale, bill),
            _ => message::shipping_notice_many(settings, &items, &issued),
        };
        insert_message(tx, &cases, &draft, at)?;
        bills.extend(issued);
    }
    Ok(bills)
}

/// Issue the customs bill of one parcel: the devices in `items` (each case with its
/// sale), all going out under `tracking`. The one place a bill is numbered.
///
/// Today's `bills` table holds one device per row, so for now each device gets its own
/// row and number; the multi-item bill (the customs document) replaces this with one
/// numbered bill listing every device, without changing the callers.
pub(super) fn issue_bill(
    tx: &Transaction<'_>,
    settings: &Settings,
    items: &[(&Case, Option<&Sale>)],
    tracking: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Bill>> {
    let mut bills = Vec::with_capacity(items.len());
    for (case, sale) in items {
        let mut bill = Bill::draft(settings, case, *sale, at);
        bill.tracking_out = tracking.to_string();
        bill.number = insert_bill(tx, &bill)?;
        bills.push(bill);
    }
    Ok(bills)
}

/// The sale of a case's device, read in the transaction under way.
pub(super) fn sale(conn: &Connection, case: &Case) -> Result<Option<Sale>> {
    sale_of(conn, &case.imei)
}

fn insert_bill(tx: &Transaction<'_>, b: &Bill) -> Result<i64> {
    tx.execute(
        "INSERT INTO bills (case_id, issued_at, rma, order_number, model, imei, tracking_out,
            customer_name, customer_address, country, shop_name, shop_address, description,
            quantity, value_cents, currency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            b.case_id,
            rfc3339(b.issued_at),
            b.rma,
            b.order_number,
            b.model,
            b.imei,
            b.tracking_out,
            b.customer_name,
            b.customer_address,
            b.country,
            b.shop_name,
            b.shop_address.join("\n"),
            b.description,
            b.quantity,
            b.value_cents,
            b.currency,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Put a drafted message in the outbox, about `cases` (the first is the message's own
/// case; the link table lists them all).
fn insert_message(
    tx: &Transaction<'_>,
    cases: &[&Case],
    d: &Draft,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(first) = cases.first() else {
        return Ok(());
    };
    let id = insert_draft(tx, Some(first.id), None, d, at)?;
    link_cases(tx, id, cases.iter().map(|c| c.id))
}

/// Record every case a message is about, in the order it names them.
pub(super) fn link_cases(
    tx: &Transaction<'_>,
    message_id: i64,
    cases: impl IntoIterator<Item = i64>,
) -> Result<()> {
    let mut link = tx.prepare_cached(
        "INSERT INTO message_cases (message_id, case_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, case_id) in cases.into_iter().enumerate() {
        link.execute(params![message_id, case_id, position as i64])?;
    }
    Ok(())
}

/// The customer's mail an answer is threaded under: the request, its Message-ID
/// (`In-Reply-To`) and the thread before it (`References`).
pub(super) struct Thread<'a> {
    /// The request answered.
    pub request_id: i64,
    /// The customer's Message-ID.
    pub message_id: &'a str,
}

/// Put a draft in the outbox: about a case, a request, or both; its id. The caller links
/// the cases it is about ([`link_cases`]).
pub(super) fn insert_draft(
    tx: &Transaction<'_>,
    case_id: Option<i64>,
    thread: Option<&Thread<'_>>,
    d: &Draft,
    at: DateTime<Utc>,
) -> Result<i64> {
    // A Message-ID made up from a mail's hash (it had none) is nobody's to reply to.
    let parent = thread
        .map(|t| t.message_id)
        .filter(|m| !m.starts_with(super::requests::SYNTHETIC_ID_PREFIX));
    let id = tx.query_row(
        // Past every id issued before a restore too (see `high_water`).
        "INSERT INTO outbox (id, case_id, kind, to_address, subject, body, created_at,
                             request_id, in_reply_to, reply_references)
         VALUES (max(coalesce((SELECT max(id) FROM outbox), 0),
                     coalesce((SELECT value FROM high_water WHERE name = 'outbox'), 0)) + 1,
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         RETURNING id",
        params![
            case_id,
            d.kind.as_str(),
            d.to_address,
            d.subject,
            d.body,
            rfc3339(at),
            thread.map(|t| t.request_id),
            parent,
        ],
        |r| r.get(0),
    )?;
    Ok(id)
}

const BILL_COLUMNS: &str = "number, case_id, issued_at, rma, order_number, model, imei, \
    tracking_out, customer_name, customer_address, country, shop_name, shop_address, \
    description, quantity, value_cents, currency";

struct BillRow {
    number: i64,
    case_id: i64,
    issued_at: String,
    text: [String; 5],
    customer: [Option<String>; 3],
    shop: [String; 3],
    quantity: i64,
    value_cents: i64,
    currency: String,
}

impl BillRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<BillRow> {
        Ok(BillRow {
            number: r.get(0)?,
            case_id: r.get(1)?,
            issued_at: r.get(2)?,
            text: [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?],
            customer: [r.get(8)?, r.get(9)?, r.get(10)?],
            shop: [r.get(11)?, r.get(12)?, r.get(13)?],
            quantity: r.get(14)?,
            value_cents: r.get(15)?,
            currency: r.get(16)?,
        })
    }

    fn into_bill(self) -> Result<Bill> {
        let [rma, order_number, model, imei, tracking_out] = self.text;
        let [customer_name, customer_address, country] = self.customer;
        let [shop_name, shop_address, description] = self.shop;
        Ok(Bill {
            number: self.number,
            case_id: self.case_id,
            issued_at: rows::time("bills.issued_at", &self.issued_at)?,
            rma,
            order_number,
            model,
            imei,
            tracking_out,
            customer_name,
            customer_address,
            country,
            shop_name,
            shop_address: shop_address
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            description,
            quantity: u32::try_from(self.quantity)
                .map_err(|_| StoreError::bad_value("bills.quantity", &self.quantity.to_string()))?,
            value_cents: self.value_cents,
            currency: self.currency,
        })
    }
}

const OUTBOX_COLUMNS: &str = "o.id, o.case_id, coalesce(c.rma, 'request-' || o.request_id), \
    o.kind, o.to_address, o.subject, o.body, o.created_at, o.status, o.attempts, o.last_error, \
    o.sent_at, o.sent_via, o.dropped_by, o.dropped_at, o.drop_reason, o.request_id, \
    o.in_reply_to, o.reply_references, \
    (SELECT group_concat(mc_case.rma, ',' ORDER BY mc.position) FROM message_cases mc \
       JOIN cases mc_case ON mc_case.id = mc.case_id WHERE mc.message_id = o.id)";

struct OutboxRow {
    id: i64,
    case_id: Option<i64>,
    rma: String,
    kind: String,
    to_address: Option<String>,
    subject: String,
    body: String,
    created_at: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    sent_at: Option<String>,
    sent_via: Option<String>,
    dropped_by: Option<String>,
    dropped_at: Option<String>,
    drop_reason: Option<String>,
    request_id: Option<i64>,
    in_reply_to: Option<String>,
    references: Option<String>,
    rmas: Option<String>,
}

impl OutboxRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
        Ok(OutboxRow {
            id: r.get(0)?,
            case_id: r.get(1)?,
            rma: r.get(2)?,
            kind: r.get(3)?,
            to_address: r.get(4)?,
            subject: r.get(5)?,
            body: r.get(6)?,
            created_at: r.get(7)?,
            status: r.get(8)?,
            attempts: r.get(9)?,
            last_error: r.get(10)?,
            sent_at: r.get(11)?,
            sent_via: r.get(12)?,
            dropped_by: r.get(13)?,
            dropped_at: r.get(14)?,
            drop_reason: r.get(15)?,
            request_id: r.get(16)?,
            in_reply_to: r.get(17)?,
            references: r.get(18)?,
            rmas: r.get(19)?,
        })
    }

    fn into_message(self) -> Result<OutboxMessage> {
        Ok(OutboxMessage {
            id: self.id,
            case_id: self.case_id,
            request_id: self.request_id,
            rmas: match self.rmas {
                Some(all) => all.split(',').map(str::to_string).collect(),
                None => vec![self.rma.clone()],
            },
            rma: self.rma,
            in_reply_to: self.in_reply_to,
            references: self
                .references
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            kind: MessageKind::parse(&self.kind)
                .ok_or_else(|| StoreError::bad_value("outbox.kind", &self.kind))?,
            to_address: self.to_address,
            subject: self.subject,
            body: self.body,
            created_at: rows::time("outbox.created_at", &self.created_at)?,
            status: OutboxStatus::parse(&self.status)
                .ok_or_else(|| StoreError::bad_value("outbox.status", &self.status))?,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            last_error: self.last_error,
            sent_at: self
                .sent_at
                .as_deref()
                .map(|s| rows::time("outbox.sent_at", s))
                .transpose()?,
            sent_via: self.sent_via,
            dropped: match self.dropped_at {
                Some(at) => Some(Dropped {
                    by: self.dropped_by.unwrap_or_default(),
                    at: rows::time("outbox.dropped_at", &at)?,
                    reason: self.drop_reason.unwrap_or_default(),
                }),
                None => None,
            },
        })
    }
}

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
use crate::paperwork::{
    Bill, BillItem, DeviceKind, Dropped, MessageKind, OutboxMessage, OutboxStatus, Party, Settings,
};

impl Store {
    /// The latest bill of a case (a case shipped twice has two), with every device of
    /// its parcel.
    pub fn latest_bill(&self, case_id: i64) -> Result<Option<Bill>> {
        let number: Option<i64> = self
            .conn
            .query_row(
                "SELECT max(bill_number) FROM bill_items WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        number.map(|n| read_bill(&self.conn, n)).transpose()
    }

    /// A bill by its number, with every device it lists; `None` when there is none.
    pub fn bill(&self, number: i64) -> Result<Option<Bill>> {
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM bills WHERE number = ?1)",
            [number],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(None);
        }
        read_bill(&self.conn, number).map(Some)
    }

    /// The latest bill of every shipped case: (RMA, the file name of its PDF).
    pub fn shipped_bills(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.rma, i.bill_number,
                    (SELECT f.rma FROM bill_items f WHERE f.bill_number = i.bill_number
                     ORDER BY f.line LIMIT 1),
                    (SELECT count(*) FROM bill_items n WHERE n.bill_number = i.bill_number)
             FROM bill_items i JOIN cases c ON c.id = i.case_id
             WHERE c.stage = 'shipped'
               AND i.bill_number = (SELECT max(bill_number) FROM bill_items WHERE case_id = i.case_id)
             ORDER BY i.bill_number, i.line",
        )?;
        let rows = stmt.query_map([], |r| {
            let (rma, number, first, count): (String, i64, String, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            Ok((
                rma,
                Bill::file_name_of(number, &first, usize::try_from(count).unwrap_or(1)),
            ))
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
    author: &str,
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
        insert_message(tx, &group, &draft, author, at)?;
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

/// Called in the transaction of every staff action, with each case before and after:
/// the cases it shipped go out in parcels, one per outbound tracking number. Each parcel
/// gets its bill and one shipping notice listing every device in it. Returns the bills
/// issued.
pub(super) fn after_apply(
    tx: &Transaction<'_>,
    settings: &Settings,
    moved: &[(Case, Case)],
    author: &str,
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
        if shipped_before_in(tx, after)? {
            continue;
        }
        match parcels.iter_mut().find(|(t, _)| *t == tracking) {
            Some((_, cases)) => cases.push(after),
            None => parcels.push((tracking, vec![after])),
        }
    }
    let mut bills = Vec::new();
    for (_, cases) in parcels {
        let sales = cases
            .iter()
            .map(|c| sale_of(tx, &c.imei))
            .collect::<Result<Vec<_>>>()?;
        let items: Vec<(&Case, Option<&Sale>)> = cases
            .iter()
            .copied()
            .zip(sales.iter().map(Option::as_ref))
            .collect();
        let bill = issue_bill(tx, settings, &items, at)?;
        let draft = match items.as_slice() {
            [(case, sale)] => message::shipping_notice(settings, case, *sale, &bill),
            _ => message::shipping_notice_many(settings, &items, &bill),
        };
        insert_message(tx, &cases, &draft, author, at)?;
        bills.push(bill);
    }
    Ok(bills)
}

/// Whether `case`'s latest bill is for the parcel it is in now (`tracking_out`): a ship
/// undone and done again with the same S10 number, whose bill stands.
pub(super) fn shipped_before_in(tx: &Transaction<'_>, case: &Case) -> Result<bool> {
    let last_tracking: Option<String> = tx
        .query_row(
            "SELECT b.tracking_out FROM bill_items i JOIN bills b ON b.number = i.bill_number
             WHERE i.case_id = ?1 ORDER BY i.bill_number DESC LIMIT 1",
            [case.id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(last_tracking.is_some() && last_tracking == case.tracking_out)
}

/// Issue one bill, numbered once, for the devices going out together in one parcel
/// (each case with its sale), inside the caller's transaction (the ship's). The cases
/// are as they are after the move (shipped, with their `tracking_out`); the first one's
/// customer is the addressee, so the caller checks first that they all go to one
/// customer at one address (`domain::parcel::check`).
pub(crate) fn issue_bill(
    tx: &Transaction<'_>,
    settings: &Settings,
    items: &[(&Case, Option<&Sale>)],
    at: DateTime<Utc>,
) -> Result<Bill> {
    if items.is_empty() {
        return Err(StoreError::Refused(
            "a bill lists at least one device: no case was given".into(),
        ));
    }
    let phone = items
        .iter()
        .find_map(|(_, sale)| sale.and_then(|s| s.customer_phone.as_deref()))
        .map(crate::domain::text::clean_line)
        .filter(|p| !p.is_empty());
    let mut bill = Bill::draft(settings, items, phone.as_deref(), at);
    bill.number = insert_bill(tx, &bill)?;
    Ok(bill)
}

/// The sale of a case's device, read in the transaction under way.
pub(super) fn sale(conn: &Connection, case: &Case) -> Result<Option<Sale>> {
    sale_of(conn, &case.imei)
}

fn insert_bill(tx: &Transaction<'_>, b: &Bill) -> Result<i64> {
    let joined = |lines: &[String]| (!lines.is_empty()).then(|| lines.join("\n"));
    tx.execute(
        "INSERT INTO bills (issued_at, tracking_out, shop_name, shop_address, shop_phone,
            customer_name, customer_address, country, customer_phone, currency, place,
            packaging_g)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            rfc3339(b.issued_at),
            b.tracking_out,
            b.sender.name.clone().unwrap_or_default(),
            b.sender.address.join("\n"),
            b.sender.phone,
            b.addressee.name,
            joined(&b.addressee.address),
            b.addressee.country,
            b.addressee.phone,
            b.currency,
            b.place,
            b.packaging_g,
        ],
    )?;
    let number = tx.last_insert_rowid();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO bill_items (bill_number, line, case_id, rma, order_number, model, kind,
            imei, quantity, net_weight_g, value_cents, hs_code, origin, reason, unrepaired)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for (line, i) in b.items.iter().enumerate() {
        stmt.execute(params![
            number,
            i64::try_from(line).unwrap_or(i64::MAX - 1) + 1,
            i.case_id,
            i.rma,
            i.order_number,
            i.model,
            i.kind.map(DeviceKind::as_str),
            i.imei,
            i.quantity,
            i.net_weight_g,
            i.value_cents,
            i.hs_code,
            i.origin,
            i.reason,
            i.unrepaired,
        ])?;
    }
    Ok(number)
}

/// Bill `number` with its devices, as issued.
fn read_bill(conn: &Connection, number: i64) -> Result<Bill> {
    let lines = |s: Option<String>| -> Vec<String> {
        s.unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (mut bill, issued_at) = conn.query_row(
        "SELECT issued_at, tracking_out, shop_name, shop_address, shop_phone, customer_name,
                customer_address, country, customer_phone, currency, place, packaging_g
         FROM bills WHERE number = ?1",
        [number],
        |r| {
            let issued_at: String = r.get(0)?;
            let shop_name: String = r.get(2)?;
            Ok((
                Bill {
                    number,
                    issued_at: DateTime::<Utc>::MIN_UTC,
                    tracking_out: r.get(1)?,
                    sender: Party {
                        name: Some(shop_name),
                        address: lines(r.get(3)?),
                        country: None,
                        phone: r.get(4)?,
                    },
                    addressee: Party {
                        name: r.get(5)?,
                        address: lines(r.get(6)?),
                        country: r.get(7)?,
                        phone: r.get(8)?,
                    },
                    currency: r.get(9)?,
                    place: r.get(10)?,
                    packaging_g: r.get(11)?,
                    items: Vec::new(),
                },
                issued_at,
            ))
        },
    )?;
    bill.issued_at = rows::time("bills.issued_at", &issued_at)?;
    let mut stmt = conn.prepare_cached(
        "SELECT case_id, rma, order_number, model, kind, imei, quantity, net_weight_g,
                value_cents, hs_code, origin, reason, unrepaired
         FROM bill_items WHERE bill_number = ?1 ORDER BY line",
    )?;
    let rows = stmt.query_map([number], |r| {
        Ok((
            r.get::<_, Option<String>>(4)?,
            r.get::<_, i64>(6)?,
            BillItem {
                case_id: r.get(0)?,
                rma: r.get(1)?,
                order_number: r.get(2)?,
                model: r.get(3)?,
                kind: None,
                imei: r.get(5)?,
                quantity: 1,
                net_weight_g: r.get(7)?,
                value_cents: r.get(8)?,
                hs_code: r.get(9)?,
                origin: r.get(10)?,
                reason: r.get(11)?,
                unrepaired: r.get(12)?,
            },
        ))
    })?;
    for row in rows {
        let (kind, quantity, mut item) = row?;
        item.kind = match kind {
            Some(k) => Some(
                DeviceKind::parse(&k)
                    .ok_or_else(|| StoreError::bad_value("bill_items.kind", &k))?,
            ),
            None => None,
        };
        item.quantity = u32::try_from(quantity)
            .map_err(|_| StoreError::bad_value("bill_items.quantity", &quantity.to_string()))?;
        bill.items.push(item);
    }
    Ok(bill)
}

/// Put a drafted message in the outbox, about `cases` (the first is the message's own
/// case; the link table lists them all).
fn insert_message(
    tx: &Transaction<'_>,
    cases: &[&Case],
    d: &Draft,
    author: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(first) = cases.first() else {
        return Ok(());
    };
    let id = insert_draft(tx, Some(first.id), None, d, author, at)?;
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

/// Put a draft in the outbox, written by `author`: about a case, a request, or both; its
/// id. The caller links the cases it is about ([`link_cases`]).
pub(super) fn insert_draft(
    tx: &Transaction<'_>,
    case_id: Option<i64>,
    thread: Option<&Thread<'_>>,
    d: &Draft,
    author: &str,
    at: DateTime<Utc>,
) -> Result<i64> {
    // A Message-ID made up from a mail's hash (it had none) is nobody's to reply to.
    let parent = thread
        .map(|t| t.message_id)
        .filter(|m| !m.starts_with(super::requests::SYNTHETIC_ID_PREFIX));
    let id = tx.query_row(
        // Past every id issued before a restore too (see `high_water`).
        "INSERT INTO outbox (id, case_id, kind, to_address, subject, body, created_at,
                             request_id, in_reply_to, reply_references, created_by)
         VALUES (max(coalesce((SELECT max(id) FROM outbox), 0),
                     coalesce((SELECT value FROM high_water WHERE name = 'outbox'), 0)) + 1,
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
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
            author,
        ],
        |r| r.get(0),
    )?;
    Ok(id)
}

const OUTBOX_COLUMNS: &str = "o.id, o.case_id, coalesce(c.rma, 'request-' || o.request_id), \
    o.kind, o.to_address, o.subject, o.body, o.created_at, o.status, o.attempts, o.last_error, \
    o.sent_at, o.sent_via, o.dropped_by, o.dropped_at, o.drop_reason, o.request_id, \
    o.in_reply_to, o.reply_references, \
    (SELECT group_concat(mc_case.rma, ',' ORDER BY mc.position) FROM message_cases mc \
       JOIN cases mc_case ON mc_case.id = mc.case_id WHERE mc.message_id = o.id), \
    coalesce((SELECT NULLIF(trim(r.from_name), '') FROM requests r WHERE r.id = o.request_id), \
       (SELECT NULLIF(trim(s.customer_name), '') FROM sales s WHERE s.imei = c.imei), \
       (SELECT NULLIF(trim(k.customer_name), '') FROM requests r \
          JOIN customers k ON k.customer_number = r.customer_number \
          WHERE r.id = o.request_id))";

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
    to_name: Option<String>,
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
            to_name: r.get(20)?,
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
            to_name: self.to_name,
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::domain::warranty::{Category, Part};
    use crate::store::NewCase;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 10, 0, 0).unwrap()
    }

    /// A store with one reseller's phone and tablet, each with an open case.
    fn parcel() -> (tempfile::TempDir, Store, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
        let sold = [
            ("CECT P30", Category::Phone),
            ("CECT Tab 8", Category::Tablet),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (model, category))| {
            let imei = crate::demo::make_imei(35_209_611, i as u32);
            Sale {
                imei,
                order_number: format!("SO-{i}"),
                customer_number: "C-7".into(),
                customer_name: Some("张伟".into()),
                customer_email: None,
                customer_address: Some("北京市朝阳区建国路88号 | 100022 北京".into()),
                country: Some("CN".into()),
                customer_phone: None,
                model: model.into(),
                category,
                dispatched_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            }
        })
        .collect::<Vec<_>>();
        let rows = sold
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u64 + 2, Ok(s.clone())));
        store.import_sales(rows, false, &mut |_| {}).unwrap();
        let ids = sold
            .iter()
            .map(|s| {
                let new = NewCase {
                    imei: s.imei.clone(),
                    fault: "no power".into(),
                    part: Part::Device,
                    claimed_at: at(1),
                    tracking_in: None,
                    override_reason: None,
                };
                store
                    .open_case(new, "anna", at(1), &Settings::default())
                    .unwrap()
                    .id
            })
            .collect();
        (dir, store, ids)
    }

    fn issue(store: &mut Store, ids: &[i64]) -> Bill {
        let tx = store.write().unwrap();
        let cases: Vec<Case> = ids
            .iter()
            .map(|id| super::super::cases::read_case(&tx, *id).unwrap())
            .collect();
        let sales: Vec<Option<Sale>> = cases
            .iter()
            .map(|c| sale_of(&tx, &c.imei).unwrap())
            .collect();
        let items: Vec<(&Case, Option<&Sale>)> =
            cases.iter().zip(sales.iter().map(Option::as_ref)).collect();
        let bill = issue_bill(&tx, &Settings::default(), &items, at(20)).unwrap();
        tx.commit().unwrap();
        bill
    }

    #[test]
    fn one_bill_numbered_once_lists_every_device_of_a_parcel() {
        let (_dir, mut store, ids) = parcel();
        let bill = issue(&mut store, &ids);
        assert_eq!(bill.number, 1);
        assert_eq!(bill.items.len(), 2);
        // Read back whole from either case, as issued.
        for id in &ids {
            assert_eq!(store.latest_bill(*id).unwrap().as_ref(), Some(&bill));
        }
        assert_eq!(store.bill(1).unwrap().as_ref(), Some(&bill));
        assert_eq!(store.bill(2).unwrap(), None);
        let [phone, tablet] = [&bill.items[0], &bill.items[1]];
        assert_eq!(
            (phone.kind, phone.hs_code.as_deref(), phone.net_weight_g),
            (Some(DeviceKind::Phone), Some("8517.13"), Some(200))
        );
        assert_eq!(
            (tablet.kind, tablet.hs_code.as_deref(), tablet.net_weight_g),
            (Some(DeviceKind::Tablet), Some("8471.30"), Some(500))
        );
        assert_eq!(bill.gross_weight_g(), Some(200 + 500 + 250));
        assert_eq!(
            bill.addressee.address,
            ["北京市朝阳区建国路88号", "100022 北京"]
        );
        assert_eq!(bill.addressee.phone, None, "the registry has no phone");
        assert!(bill.file_name().ends_with("+1.pdf"), "{}", bill.file_name());
        // `doctor` looks for that one file for both cases.
        store
            .conn
            .execute("UPDATE cases SET stage = 'shipped'", [])
            .unwrap();
        let files = store.shipped_bills().unwrap();
        assert_eq!(files.len(), 2);
        assert!(
            files.iter().all(|(_, f)| *f == bill.file_name()),
            "{files:?}"
        );

        // The next parcel gets the next number; a parcel of one is still a bill of one.
        let next = issue(&mut store, &ids[1..]);
        assert_eq!((next.number, next.items.len()), (2, 1));
        assert_eq!(store.latest_bill(ids[0]).unwrap().unwrap().number, 1);
        assert_eq!(store.latest_bill(ids[1]).unwrap().unwrap().number, 2);
    }

    #[test]
    fn the_registry_phone_is_printed() {
        let (_dir, mut store, ids) = parcel();
        store
            .conn
            .execute_batch("UPDATE sales SET customer_phone = '+86 10 1234 5678';")
            .unwrap();
        let bill = issue(&mut store, &ids);
        assert_eq!(bill.addressee.phone.as_deref(), Some("+86 10 1234 5678"));
        assert!(bill.text().contains("Tel. +86 10 1234 5678"));
    }
}

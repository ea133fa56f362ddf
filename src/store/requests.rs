//! Requests from customers' mail and the customers' confirmations of their parcels:
//! each mail stored once (by Message-ID), a request answered once (the first answer
//! stops its clock), cases opened from it in one transaction with the one message.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::cases::{NewCase, insert_case, insert_event, read_case, write_plan};
use super::paperwork::{Thread, insert_draft, link_cases, sale};
use super::{Result, Store, StoreError, rows};
use crate::domain::case::{self, Case, Change, Edit, Patch};
use crate::domain::intake::{
    Answer, Answered, Attachment, Mail, MailAttachment, RefusalReason, Request,
};
use crate::domain::text;
use crate::domain::time::rfc3339;
use crate::domain::{EventField, EventKind, Imei, RmaNumber, TrackingNumber};
use crate::paperwork::Settings;
use crate::paperwork::message::{self, Draft};

pub use crate::domain::intake::SYNTHETIC_ID_PREFIX;

/// Keeps an attachment's bytes in the attachments folder, given the request's number
/// and the content's SHA-256 (hex); returns the file's name in the folder.
pub type SaveAttachment<'a> = &'a mut dyn FnMut(i64, &MailAttachment, &str) -> Result<String>;

/// What a confirmation mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// The mail was imported before: nothing changed.
    Duplicate,
    /// None of the RMA numbers it names is a case (they are listed): nothing changed.
    NoSuchCase(Vec<String>),
    /// Recorded on these cases; the RMA numbers no case has are listed.
    Recorded {
        /// What it did to each case.
        cases: Vec<Confirmed>,
        /// RMA numbers it names that no case has.
        unknown: Vec<String>,
    },
}

/// What a confirmation did to one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The case's inbound tracking number was recorded.
    TrackingSet {
        /// The case.
        rma: String,
    },
    /// The case already had this number: the mail was added as a note.
    AlreadySet {
        /// The case.
        rma: String,
    },
    /// The case had another number: kept, and the customer's number went into a note.
    Differs {
        /// The case.
        rma: String,
        /// The number the case keeps.
        kept: String,
    },
}

/// How a request is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Open a case per device (claimed when the mail came in) and draft one
    /// RMA-instructions message.
    Open {
        /// The devices; all found in the mail unless named.
        imeis: Vec<Imei>,
        /// The fault recorded on each case.
        fault: String,
    },
    /// Draft a refusal quoting the policy.
    Refuse(RefusalReason),
    /// Draft a question.
    Ask(String),
}

const REQUEST_COLUMNS: &str = "id, message_id, received_at, from_address, from_name, subject, \
    body, customer_number, answer, answered_at, answered_by, refusal_reason, follows";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a mail with this Message-ID was imported before, as a request or a
/// confirmation.
fn known(conn: &Connection, message_id: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM requests WHERE message_id = ?1)
             OR EXISTS (SELECT 1 FROM confirmations WHERE message_id = ?1)",
        [message_id],
        |r| r.get(0),
    )?)
}

impl Store {
    /// Whether a mail with this Message-ID was imported before.
    pub fn mail_known(&self, message_id: &str) -> Result<bool> {
        known(&self.conn, message_id)
    }

    /// The customer number of a mail: the first word of its text that is a customer
    /// number in the registry, else the customer whose address sent it, else the
    /// customer who bought the first device named. An address the sales of several
    /// customers carry names none of them alone: of those, the one who bought a device
    /// the mail names, else the device rule as for an unknown address.
    pub fn customer_of(
        &self,
        candidates: &[String],
        from: Option<&str>,
        imeis: &[Imei],
    ) -> Result<Option<String>> {
        let mut by_number = self
            .conn
            .prepare_cached("SELECT customer_number FROM customers WHERE customer_number = ?1")?;
        for c in candidates {
            for form in [c.clone(), c.to_uppercase()] {
                if let Some(n) = by_number
                    .query_row([&form], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    return Ok(Some(n));
                }
            }
        }
        let mut senders: Vec<String> = Vec::new();
        if let Some(from) = from {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT customer_number FROM customer_emails WHERE email = ?1")?;
            let rows = stmt.query_map([from.trim()], |r| r.get::<_, String>(0))?;
            senders = rows.collect::<rusqlite::Result<_>>()?;
            if let [only] = senders.as_slice() {
                return Ok(Some(only.clone()));
            }
        }
        let mut buyers = Vec::new();
        for imei in imeis {
            if let Some(s) = self.sale(imei)? {
                buyers.push(s.customer_number);
            }
        }
        Ok(buyers
            .iter()
            .find(|b| senders.contains(b))
            .or(buyers.first())
            .cloned())
    }

    /// Store a request mail with its devices and attachments; `None` when a mail with
    /// its Message-ID was imported before (checked under the write lock). The
    /// attachments are saved by `save` inside the transaction: a file that cannot be
    /// saved leaves the mail unimported, to be imported again.
    pub fn record_request(
        &mut self,
        mail: &Mail,
        imeis: &[Imei],
        customer_number: Option<&str>,
        author: &str,
        at: DateTime<Utc>,
        save: SaveAttachment<'_>,
    ) -> Result<Option<i64>> {
        let tx = self.write()?;
        if known(&tx, &mail.message_id)? {
            return Ok(None);
        }
        let follows = follows(&tx, &mail.replies_to)?;
        tx.execute(
            "INSERT INTO requests (message_id, received_at, from_address, from_name, subject,
                body, customer_number, source, imported_at, imported_by, follows)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                mail.message_id,
                rfc3339(mail.received_at),
                mail.from_address,
                mail.from_name,
                mail.subject,
                mail.body,
                customer_number,
                mail.source,
                rfc3339(at),
                author,
                follows,
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (i, imei) in imeis.iter().enumerate() {
            tx.execute(
                "INSERT OR IGNORE INTO request_imeis (request_id, imei, position)
                 VALUES (?1, ?2, ?3)",
                params![id, imei.as_str(), i as i64],
            )?;
        }
        for a in &mail.attachments {
            let hash = sha256_hex(&a.bytes);
            let seen: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM attachments WHERE request_id = ?1 AND sha256 = ?2)",
                params![id, hash],
                |r| r.get(0),
            )?;
            if seen {
                continue;
            }
            let file = save(id, a, &hash)?;
            tx.execute(
                "INSERT INTO attachments (request_id, name, type, size, sha256, file)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, a.name, a.content_type, a.bytes.len() as i64, hash, file],
            )?;
        }
        tx.commit()?;
        Ok(Some(id))
    }

    /// Record a customer's confirmation of the parcel of the cases `rmas`: the tracking
    /// number goes on each case that has none (a different one already there is kept,
    /// and the customer's goes into the note), and the mail is added to each as a note;
    /// all in one transaction. RMA numbers no case has are handed back; when none of
    /// them is a case, nothing is recorded and they all are.
    pub fn record_confirmation(
        &mut self,
        mail: &Mail,
        rmas: &[RmaNumber],
        tracking: &TrackingNumber,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<Confirmation> {
        let tx = self.write()?;
        if known(&tx, &mail.message_id)? {
            return Ok(Confirmation::Duplicate);
        }
        let mut cases = Vec::new();
        let mut unknown = Vec::new();
        for rma in rmas {
            let id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM cases WHERE rma = ?1",
                    [rma.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            match id {
                Some(id) if !cases.contains(&id) => cases.push(id),
                Some(_) => {}
                None => unknown.push(rma.to_string()),
            }
        }
        if cases.is_empty() {
            return Ok(Confirmation::NoSuchCase(unknown));
        }
        let mut done = Vec::new();
        for id in cases {
            done.push(confirm_case(&tx, id, mail, tracking, author, at)?);
        }
        tx.commit()?;
        Ok(Confirmation::Recorded {
            cases: done,
            unknown,
        })
    }

    /// Requests, oldest first: all, or only the open ones (not answered, or only
    /// asked a question).
    pub fn requests(&self, open_only: bool) -> Result<Vec<Request>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM requests
             WHERE NOT ?1 OR answer IS NULL OR answer = 'asked' ORDER BY received_at, id"
        ))?;
        let rows = stmt
            .query_map([open_only], RequestRow::read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|r| r.into_request(&self.conn))
            .collect()
    }

    /// One request, by its number.
    pub fn request(&self, id: i64) -> Result<Request> {
        read_request(&self.conn, id)
    }

    /// The attachments of the request a case was opened from.
    pub fn case_attachments(&self, case_id: i64) -> Result<Vec<Attachment>> {
        attachments_where(
            &self.conn,
            "request_id = (SELECT request_id FROM request_cases WHERE case_id = ?1)",
            case_id,
        )
    }

    /// The file name of every attachment kept, each once, in name order.
    pub fn attachment_files(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT file FROM attachments ORDER BY file")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The request a case was opened from, if any.
    pub fn request_of_case(&self, case_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT request_id FROM request_cases WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Answer a request, in one transaction: the cases opened (all or none), the one
    /// message drafted, and, if it is the first answer, who answered and when. Returns
    /// the request as it now is and the cases opened. With `seen`, only if the request's
    /// answers are still the ones the user saw (`Some(None)`: none), counted by their
    /// messages: an answer given meanwhile by someone else, the first or a later one, is
    /// named and nothing is saved.
    pub fn answer_request(
        &mut self,
        id: i64,
        reply: Reply,
        author: &str,
        at: DateTime<Utc>,
        paperwork: &Settings,
        seen: Option<Option<&Answered>>,
    ) -> Result<(Request, Vec<Case>)> {
        let tx = self.write()?;
        let request = read_request(&tx, id)?;
        if let Some(seen) = seen
            && request.answered.as_ref() != seen
            && let Some(a) = &request.answered
        {
            return Err(StoreError::Refused(format!(
                "request {id} was answered meanwhile ({}): nothing was saved; look at it again before answering",
                latest_answer(&tx, id, a)?
            )));
        }
        if request.from_address.is_none() {
            return Err(StoreError::Refused(format!(
                "request {id} has no usable sender address, so no answer can be mailed: write to the customer another way"
            )));
        }
        let thread = Thread {
            request_id: id,
            message_id: &request.message_id,
        };
        let (answer, opened) = match reply {
            Reply::Open { imeis, fault } => {
                if imeis.is_empty() {
                    return Err(StoreError::Refused(format!(
                        "request {id} names no device (no IMEI with a right check digit was found in it): give them with --imei"
                    )));
                }
                let mut opened: Vec<(Case, Option<crate::domain::Sale>)> = Vec::new();
                for imei in imeis {
                    let new = NewCase {
                        imei: imei.clone(),
                        fault: fault.clone(),
                        part: crate::domain::Part::Device,
                        claimed_at: request.received_at,
                        tracking_in: None,
                        override_reason: None,
                    };
                    // A device the rules refuse names itself; the database's own
                    // failures (busy, disk full) pass through as they are.
                    let case = insert_case(&tx, &new, author, at).map_err(|e| match e {
                        StoreError::Admit(_)
                        | StoreError::AlreadyOpen { .. }
                        | StoreError::Warranty(_)
                        | StoreError::Text(_)
                        | StoreError::Case(_)
                        | StoreError::NotFound(_) => StoreError::Refused(format!(
                            "{imei}: {}; no case was opened for request {id} (open the others with --imei, and refuse or ask about this one)",
                            crate::domain::text::clean_line(&e.to_string()).trim_end_matches('.')
                        )),
                        other => other,
                    })?;
                    tx.execute(
                        "INSERT INTO request_cases (case_id, request_id) VALUES (?1, ?2)",
                        params![case.id, id],
                    )?;
                    let sale = sale(&tx, &case)?;
                    opened.push((case, sale));
                }
                let draft = message::request_rma_instructions(paperwork, &request, &opened);
                let case_id = (opened.len() == 1).then(|| opened[0].0.id);
                let message = insert_draft(&tx, case_id, Some(&thread), &draft, author, at)?;
                link_cases(&tx, message, opened.iter().map(|(c, _)| c.id))?;
                (Answer::Opened, opened.into_iter().map(|(c, _)| c).collect())
            }
            Reply::Refuse(reason) => {
                let draft = message::request_refusal(paperwork, &request, reason);
                insert_draft(&tx, None, Some(&thread), &draft, author, at)?;
                (Answer::Refused(reason), Vec::new())
            }
            Reply::Ask(question) => {
                let question = text::required_text("question", &question, text::MAX_NOTE)?;
                let draft: Draft = message::request_question(paperwork, &request, &question);
                insert_draft(&tx, None, Some(&thread), &draft, author, at)?;
                (Answer::Asked, Vec::new())
            }
        };
        // The first answer stops the clock; a later one (the cases opened after a
        // question was answered) keeps the first's time and says what it was.
        let refusal = match &answer {
            Answer::Refused(r) => Some(r.as_str()),
            _ => None,
        };
        if request.answered.is_none() {
            tx.execute(
                "UPDATE requests SET answer = ?2, answered_at = ?3, answered_by = ?4,
                    refusal_reason = ?5
                 WHERE id = ?1 AND answered_at IS NULL",
                params![id, answer.as_str(), rfc3339(at), author, refusal],
            )?;
        } else if answer != Answer::Asked {
            // A question answered in time and then opened or refused: the request is
            // settled; the clock keeps the first answer's time.
            tx.execute(
                "UPDATE requests SET answer = ?2, refusal_reason = ?3 WHERE id = ?1",
                params![id, answer.as_str(), refusal],
            )?;
        }
        for c in &opened {
            insert_event(
                &tx,
                c.id,
                &rfc3339(at),
                author,
                &EventKind::Open,
                &EventField::Other("request".into()),
                None,
                Some(&id.to_string()),
            )?;
        }
        let request = read_request(&tx, id)?;
        tx.commit()?;
        Ok((request, opened))
    }
}

/// One case of a confirmation: the tracking number when the case has none, the note,
/// the row that makes the mail known.
fn confirm_case(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    mail: &Mail,
    tracking: &TrackingNumber,
    author: &str,
    at: DateTime<Utc>,
) -> Result<Confirmed> {
    let current = read_case(tx, id)?;
    let rma = current.rma.to_string();
    let outcome = match &current.tracking_in {
        None => {
            let plan = case::plan(
                &current,
                Change::Edit(Edit {
                    fault: None,
                    tracking_in: Patch::Set(tracking.clone()),
                    manufacturer_ref: None,
                }),
                at,
            )?;
            write_plan(tx, &current, &plan, author, at)?;
            Confirmed::TrackingSet { rma }
        }
        Some(t) if t == tracking.as_str() => Confirmed::AlreadySet { rma },
        Some(t) => Confirmed::Differs {
            rma,
            kept: t.to_string(),
        },
    };
    let from = mail.from_address.as_deref().unwrap_or("an unknown sender");
    let mut note = format!(
        "The customer confirmed the parcel by mail ({from}, {}), tracking number {tracking}.",
        crate::domain::time::local_minutes(mail.received_at)
    );
    if let Confirmed::Differs { kept, .. } = &outcome {
        note.push_str(&format!(
            " The case already had {kept}, which was kept: check which number the parcel has."
        ));
    }
    note.push_str(&format!("\n\nSubject: {}\n\n{}", mail.subject, mail.body));
    let note: String = text::clean_text(&note)
        .chars()
        .take(text::MAX_NOTE)
        .collect();
    tx.execute(
        "INSERT INTO notes (case_id, at, author, text) VALUES (?1, ?2, ?3, ?4)",
        params![id, rfc3339(at), author, note.trim_end()],
    )?;
    tx.execute(
        "UPDATE cases SET version = version + 1, updated_at = ?2 WHERE id = ?1",
        params![id, rfc3339(at)],
    )?;
    tx.execute(
        "INSERT INTO confirmations (message_id, case_id, received_at, tracking, source,
            imported_at, imported_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            mail.message_id,
            id,
            rfc3339(mail.received_at),
            tracking.as_str(),
            mail.source,
            rfc3339(at),
            author,
        ],
    )?;
    Ok(outcome)
}

/// The request a mail replies to: one whose mail it names, or one whose answer it names
/// (the answers' Message-IDs are `rmaboard.MESSAGE.LABEL@domain`).
fn follows(conn: &Connection, replies_to: &[String]) -> Result<Option<i64>> {
    for id in replies_to {
        let by_mail: Option<i64> = conn
            .query_row("SELECT id FROM requests WHERE message_id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        if by_mail.is_some() {
            return Ok(by_mail);
        }
        let outbox_id = id
            .strip_prefix("rmaboard.")
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<i64>().ok());
        if let Some(outbox_id) = outbox_id {
            let by_answer: Option<Option<i64>> = conn
                .query_row(
                    "SELECT request_id FROM outbox WHERE id = ?1",
                    [outbox_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(Some(request)) = by_answer {
                return Ok(Some(request));
            }
        }
    }
    Ok(None)
}

/// The newest answer to request `id`, for a person: what, by whom when it is known, and
/// when. The first answer's author is kept on the request, and every later one's on its
/// draft in the outbox (`created_by`); a draft written before that was kept names who
/// opened a case it is about, else no one.
fn latest_answer(conn: &Connection, id: i64, first: &Answered) -> Result<String> {
    // A draft from before its author was kept names the one who opened a case it is
    // about, if any.
    let latest: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT o.kind, o.created_at,
                    coalesce(o.created_by,
                             (SELECT e.author FROM message_cases mc
                              JOIN events e ON e.case_id = mc.case_id AND e.kind = 'open'
                              WHERE mc.message_id = o.id LIMIT 1))
             FROM outbox o WHERE o.request_id = ?1
             ORDER BY o.id DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((kind, created_at, by)) = latest.filter(|_| first.messages > 1) else {
        return Ok(first_answer(first));
    };
    let what = crate::paperwork::message::MessageKind::parse(&kind)
        .map(|k| k.title())
        .unwrap_or("a message");
    let by = by
        .map(|b| format!(" by {}", crate::domain::text::clean_line(&b)))
        .unwrap_or_default();
    Ok(format!(
        "{what} drafted{by} {}; first {}",
        crate::domain::time::local_minutes(rows::time("outbox.created_at", &created_at)?),
        first_answer(first)
    ))
}

fn first_answer(a: &Answered) -> String {
    format!(
        "{} by {}, {}",
        a.answer.label(),
        crate::domain::text::clean_line(&a.by),
        crate::domain::time::local_minutes(a.at)
    )
}

fn read_request(conn: &Connection, id: i64) -> Result<Request> {
    conn.query_row(
        &format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1"),
        [id],
        RequestRow::read,
    )
    .optional()?
    .ok_or(StoreError::NoSuchRequest(id))?
    .into_request(conn)
}

fn attachments_where(conn: &Connection, condition: &str, value: i64) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT name, type, size, file FROM attachments WHERE {condition} ORDER BY id"
    ))?;
    let rows = stmt.query_map([value], |r| {
        Ok(Attachment {
            name: r.get(0)?,
            content_type: r.get(1)?,
            size: r.get::<_, i64>(2)?.max(0) as u64,
            file: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

struct RequestRow {
    id: i64,
    message_id: String,
    received_at: String,
    from_address: Option<String>,
    from_name: Option<String>,
    subject: String,
    body: String,
    customer_number: Option<String>,
    answer: Option<String>,
    answered_at: Option<String>,
    answered_by: Option<String>,
    refusal_reason: Option<String>,
    follows: Option<i64>,
}

impl RequestRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<RequestRow> {
        Ok(RequestRow {
            id: r.get(0)?,
            message_id: r.get(1)?,
            received_at: r.get(2)?,
            from_address: r.get(3)?,
            from_name: r.get(4)?,
            subject: r.get(5)?,
            body: r.get(6)?,
            customer_number: r.get(7)?,
            answer: r.get(8)?,
            answered_at: r.get(9)?,
            answered_by: r.get(10)?,
            refusal_reason: r.get(11)?,
            follows: r.get(12)?,
        })
    }

    fn into_request(self, conn: &Connection) -> Result<Request> {
        let mut stmt = conn.prepare_cached(
            "SELECT imei FROM request_imeis WHERE request_id = ?1 ORDER BY position",
        )?;
        let imeis = stmt
            .query_map([self.id], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|s| Imei::parse(&s).map_err(|_| StoreError::bad_value("request_imeis.imei", &s)))
            .collect::<Result<Vec<_>>>()?;
        let answered = match (self.answer, self.answered_at) {
            (Some(answer), Some(at)) => {
                let answer = match answer.as_str() {
                    "opened" => Answer::Opened,
                    "asked" => Answer::Asked,
                    "refused" => Answer::Refused(
                        self.refusal_reason
                            .as_deref()
                            .and_then(RefusalReason::parse)
                            .ok_or_else(|| {
                                StoreError::bad_value(
                                    "requests.refusal_reason",
                                    self.refusal_reason.as_deref().unwrap_or(""),
                                )
                            })?,
                    ),
                    other => return Err(StoreError::bad_value("requests.answer", other)),
                };
                Some(Answered {
                    answer,
                    at: rows::time("requests.answered_at", &at)?,
                    by: self.answered_by.unwrap_or_default(),
                    messages: conn
                        .prepare_cached("SELECT count(*) FROM outbox WHERE request_id = ?1")?
                        .query_row([self.id], |r| r.get(0))?,
                })
            }
            _ => None,
        };
        let customer_name = match &self.customer_number {
            Some(n) => conn
                .prepare_cached(
                    "SELECT customer_name FROM customers
                     WHERE customer_number = ?1 AND customer_name IS NOT NULL",
                )?
                .query_row([n], |r| r.get::<_, String>(0))
                .optional()?,
            None => None,
        };
        Ok(Request {
            id: self.id,
            message_id: self.message_id,
            received_at: rows::time("requests.received_at", &self.received_at)?,
            from_address: self.from_address,
            from_name: self.from_name,
            subject: self.subject,
            body: self.body,
            customer_number: self.customer_number,
            customer_name,
            imeis,
            attachments: attachments_where(conn, "request_id = ?1", self.id)?,
            answered,
            follows: self.follows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_is_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

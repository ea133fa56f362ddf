//! Intake: customers' mail into requests and confirmations, and the answers to
//! requests. The store keeps each mail once; this is where files and folders meet it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::domain::case::Case;
use crate::domain::intake::{Answered, Mail, MailKind, Request, customer_number_candidates};
use crate::domain::text::MAX_FAULT;
use crate::domain::{Imei, Part, Verdict};
use crate::files;
use crate::store::{Confirmation, Confirmed, Reply, StoreError};

use super::Workshop;

/// What `inbox import` did, mail by mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxReport {
    /// New requests: their numbers and the files they came from.
    pub new_requests: Vec<(i64, String)>,
    /// Confirmation mails recorded: what each did to the cases it names.
    pub confirmations: Vec<Vec<Confirmed>>,
    /// Mails imported before (same Message-ID).
    pub duplicates: u64,
    /// Files that are not mail rmaboard can read: one sentence each, naming the file.
    pub unreadable: Vec<String>,
    /// Things staff should know (a confirmation naming no case, a kept tracking number).
    pub notes: Vec<String>,
}

impl InboxReport {
    /// The counts line: "2 new requests, 1 confirmation, 0 duplicates, 1 unreadable".
    pub fn summary(&self) -> String {
        use crate::domain::text::count;
        format!(
            "{}, {}, {}, {} unreadable",
            count(self.new_requests.len() as u64, "new request"),
            count(self.confirmations.len() as u64, "confirmation"),
            count(self.duplicates, "duplicate"),
            self.unreadable.len()
        )
    }
}

impl Workshop {
    /// Where the attachments of customers' mail are kept.
    pub fn attachments_dir(&self) -> PathBuf {
        self.setup.config.attachments_dir(&self.setup.db)
    }

    /// Import the mail files `paths` name (`.eml` files, folders of them, Maildir
    /// folders). Every path is checked first: one that does not exist imports nothing.
    /// A file that is not readable mail is reported and the others are imported; a mail
    /// imported before is counted and left alone.
    pub fn import_inbox(&mut self, paths: &[PathBuf]) -> Result<InboxReport, super::WorkshopError> {
        let mut files_to_read = Vec::new();
        for p in paths {
            files_to_read.extend(crate::inbox::mail_files(p).map_err(super::WorkshopError::Mail)?);
        }
        // What an import killed while saving a photo left behind.
        files::remove_stale(&self.attachments_dir(), files::Kind::Attachment);
        let mut report = InboxReport::default();
        for file in files_to_read {
            match crate::inbox::read_mail(&file) {
                Ok(mail) => self.import_mail(&mail, &mut report)?,
                Err(sentence) => report.unreadable.push(sentence),
            }
        }
        Ok(report)
    }

    /// Import one mail read already.
    pub fn import_mail(&mut self, mail: &Mail, report: &mut InboxReport) -> Result<(), StoreError> {
        if self.store.mail_known(&mail.message_id)? {
            report.duplicates += 1;
            return Ok(());
        }
        let at = self.now();
        // A Date ahead of the import (a sender's clock set wrong) would start the answer
        // clock in the future: the mail was here by now at the latest.
        let clamped;
        let mail = if mail.received_at > at {
            clamped = Mail {
                received_at: at,
                ..mail.clone()
            };
            &clamped
        } else {
            mail
        };
        if let MailKind::Confirmation { rmas, tracking } = mail.kind() {
            match self
                .store
                .record_confirmation(mail, &rmas, &tracking, &self.setup.user, at)?
            {
                Confirmation::Duplicate => report.duplicates += 1,
                Confirmation::Recorded { cases, unknown } => {
                    for done in &cases {
                        if let Confirmed::Differs { rma, kept } = done {
                            report.notes.push(format!(
                                "{}: the customer confirmed tracking number {tracking}, but {rma} already has {kept}; it was kept and the mail added as a note",
                                mail.source
                            ));
                        }
                    }
                    if !unknown.is_empty() {
                        report.notes.push(format!(
                            "{}: it also names {}, which no case has",
                            mail.source,
                            unknown.join(", ")
                        ));
                    }
                    report.confirmations.push(cases);
                }
                Confirmation::NoSuchCase(unknown) => {
                    report.notes.push(format!(
                        "{}: it names {} with a tracking number, but no case has that RMA number; it was imported as a request",
                        mail.source,
                        unknown.join(", ")
                    ));
                    self.import_request(mail, report)?;
                }
            }
            return Ok(());
        }
        self.import_request(mail, report)
    }

    fn import_request(&mut self, mail: &Mail, report: &mut InboxReport) -> Result<(), StoreError> {
        let imeis = crate::domain::intake::find_imeis(&mail.text());
        let customer = self.store.customer_of(
            &customer_number_candidates(&mail.text()),
            mail.from_address.as_deref(),
            &imeis,
        )?;
        let dir = self.attachments_dir();
        let at = self.now();
        let mut save = |request: i64, a: &crate::domain::intake::MailAttachment, hash: &str| {
            save_attachment(&dir, request, hash, a)
        };
        match self.store.record_request(
            mail,
            &imeis,
            customer.as_deref(),
            &self.setup.user,
            at,
            &mut save,
        )? {
            Some(id) => report.new_requests.push((id, mail.source.clone())),
            None => report.duplicates += 1,
        }
        Ok(())
    }

    /// Requests, oldest first: all, or only the open ones (not answered, or only asked
    /// a question).
    pub fn requests(&self, open_only: bool) -> Result<Vec<Request>, StoreError> {
        self.store.requests(open_only)
    }

    /// Answer request `id`: open its cases, refuse it or ask a question; the message
    /// waits in the outbox, threaded under the customer's mail.
    pub fn answer(&mut self, id: i64, reply: Reply) -> Result<(Request, Vec<Case>), StoreError> {
        let at = self.now();
        self.store
            .answer_request(id, reply, &self.setup.user, at, &self.paperwork, None)
    }

    /// Answer request `id` as [`Workshop::answer`] does, but only if its answers are
    /// still the `seen` ones (none, when the request looked unanswered): an answer given
    /// meanwhile from another terminal, the first or a later one, is named and nothing
    /// is saved.
    pub fn answer_seen(
        &mut self,
        id: i64,
        reply: Reply,
        seen: Option<Answered>,
    ) -> Result<(Request, Vec<Case>), StoreError> {
        let at = self.now();
        self.store.answer_request(
            id,
            reply,
            &self.setup.user,
            at,
            &self.paperwork,
            Some(seen.as_ref()),
        )
    }

    /// Each device a request names with its warranty verdict on `day` (the mail's day),
    /// its model and buyer from the sales registry, and its case not yet shipped.
    pub fn request_devices(
        &self,
        request: &Request,
        day: NaiveDate,
    ) -> Result<Vec<RequestDevice>, StoreError> {
        let store = self.store();
        let mut devices = Vec::new();
        for imei in &request.imeis {
            let sale = store.sale(imei)?;
            let a = store.assess(imei, day, Part::Device)?;
            devices.push(RequestDevice {
                imei: imei.clone(),
                model: sale.as_ref().map(|s| s.model.clone()),
                customer_number: sale.as_ref().map(|s| s.customer_number.clone()),
                verdict: a.verdict,
                reason: a.reason,
                open_case: store.open_case_of(imei)?.map(|c| c.rma.to_string()),
            });
        }
        Ok(devices)
    }
}

/// A device named in a request, with its verdict on the mail's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDevice {
    /// The IMEI.
    pub imei: Imei,
    /// The model, from the sales registry; `None` when the shop did not sell it.
    pub model: Option<String>,
    /// The buyer's customer number, from the sales registry.
    pub customer_number: Option<String>,
    /// The warranty verdict for the device itself on the mail's day.
    pub verdict: Verdict,
    /// The verdict in a sentence.
    pub reason: String,
    /// The device's case not yet shipped, if it has one.
    pub open_case: Option<String>,
}

/// The answer that opens a case for each of `imeis` (all the mail names when empty),
/// with `fault` or else the mail's subject and text as each case's fault.
pub fn open_reply(request: &Request, imeis: Vec<Imei>, fault: Option<String>) -> Reply {
    let imeis = if imeis.is_empty() {
        request.imeis.clone()
    } else {
        imeis
    };
    let fault = match fault {
        Some(f) => f,
        None => {
            let text = format!("{}: {}", request.subject, request.body);
            let text: String = text.chars().take(MAX_FAULT).collect();
            if text.trim().trim_matches(':').trim().is_empty() {
                "as described in the customer's mail".to_string()
            } else {
                text
            }
        }
    };
    Reply::Open { imeis, fault }
}

/// Keep an attachment in `dir` as `request-N-HASH.ext`, once: a file of that name holds
/// the same bytes already (the name is made of their hash).
fn save_attachment(
    dir: &Path,
    request: i64,
    hash: &str,
    a: &crate::domain::intake::MailAttachment,
) -> Result<String, StoreError> {
    let name = crate::inbox::attachment_file_name(request, hash, a);
    let target = dir.join(&name);
    let io = |action: &'static str, path: &Path, source: std::io::Error| StoreError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    files::create_dir(dir).map_err(|e| io("create the attachments folder", dir, e))?;
    if target.exists() {
        return Ok(name);
    }
    match files::write_beside(&target, files::Kind::Attachment, &a.bytes, false) {
        Ok(()) => Ok(name),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(name),
        Err(e) => Err(io("save the attachment", &target, e)),
    }
}

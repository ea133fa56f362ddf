//! Where paperwork leaves the program: bill PDFs written to the bills folder, and the
//! outbox delivered through a sendmail-compatible command or as `.eml` files for a mail
//! program to pick up. Each message is claimed under the write lock before it leaves,
//! so two people sending at once never send one message twice; a failure puts it back
//! with the error. A command that was stopped or killed may have handed the message on
//! already: that message stays in `sending` until someone checks and releases it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::domain::mailbox::Mailbox;
use crate::domain::text::clean_line;
use crate::files::{self, Kind};
use crate::paperwork::{Bill, OutboxMessage, pdf};
use crate::store::{Store, StoreError};

/// How the outbox leaves: through a mail command, or as files.
#[derive(Debug, Clone)]
pub enum Channel {
    /// Program and arguments of a sendmail-compatible command (`-t` reads the
    /// recipients from the headers).
    Command(Vec<String>),
    /// A folder to write `.eml` files into.
    Eml(PathBuf),
}

impl Channel {
    /// The configured command, split at spaces (no shell).
    pub fn command(line: &str) -> Result<Channel, String> {
        let parts: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if parts.is_empty() {
            return Err(
                "no mail command is set: set [mail] command in config.toml, or write the messages as files with --eml DIR".into(),
            );
        }
        Ok(Channel::Command(parts))
    }
}

/// What one run of sending did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// (message id, RMA, how it left)
    pub sent: Vec<(i64, String, String)>,
    /// (message id, RMA, why not)
    pub failed: Vec<(i64, String, String)>,
    /// (message id, RMA, what happened): the command was stopped or killed after it
    /// took the message, so it may have gone out. Left in `sending`, never retried on
    /// its own.
    pub unsure: Vec<(i64, String, String)>,
    /// (message id, RMA): waiting with no usable address, tried once and passed by
    /// since, until a person drops it.
    pub need_person: Vec<(i64, String)>,
}

impl Report {
    /// Every message went out.
    pub fn all_sent(&self) -> bool {
        self.failed.is_empty() && self.unsure.is_empty()
    }
}

/// How one message's sending ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Handed on; how.
    Sent(String),
    /// Certainly not sent: why.
    Failed(String),
    /// Perhaps sent: the command took the message and did not say how it ended.
    Unsure(String),
}

/// Send every pending message once, oldest first.
/// Send every pending message once, oldest first. A mail command still running after
/// `timeout` is stopped.
pub(super) fn send_pending(
    store: &mut Store,
    channel: &Channel,
    from: &Mailbox,
    by: &str,
    timeout: Duration,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let mut after = 0;
    while let Some(msg) = store.claim_message(after, by, now())? {
        after = msg.id;
        match deliver(&msg, channel, from, timeout, now()) {
            Outcome::Sent(via) => {
                store.finish_message(msg.id, Ok(&via), now())?;
                report.sent.push((msg.id, msg.rma.clone(), via));
            }
            Outcome::Failed(e) => {
                store.finish_message(msg.id, Err(&e), now())?;
                report.failed.push((msg.id, msg.rma.clone(), e));
            }
            Outcome::Unsure(e) => {
                let e = format!(
                    "{e}; it may have gone out, so it stays in sending: check the mail log, then `rmaboard outbox release {}` to send it again",
                    msg.id
                );
                store.leave_sending(msg.id, &e)?;
                report.unsure.push((msg.id, msg.rma.clone(), e));
            }
        }
    }
    // Those that failed just now for want of an address are in `failed` already.
    report.need_person = store
        .outbox(false)?
        .into_iter()
        .filter(|m| m.needs_person() && !report.failed.iter().any(|(id, ..)| *id == m.id))
        .map(|m| (m.id, m.rma))
        .collect();
    Ok(report)
}

fn deliver(
    msg: &OutboxMessage,
    channel: &Channel,
    from: &Mailbox,
    timeout: Duration,
    now: DateTime<Utc>,
) -> Outcome {
    let mail = match msg.to_mail(from, now) {
        Ok(mail) => mail,
        Err(e) => return Outcome::Failed(e),
    };
    match channel {
        Channel::Command(argv) => match run_command(argv, &mail, timeout) {
            Outcome::Sent(_) => Outcome::Sent(argv.join(" ")),
            other => other,
        },
        Channel::Eml(dir) => match write_eml(dir, msg, &mail) {
            Ok(p) => Outcome::Sent(p.display().to_string()),
            Err(e) => Outcome::Failed(e),
        },
    }
}

fn run_command(argv: &[String], mail: &str, timeout: Duration) -> Outcome {
    match run_command_inner(argv, mail, timeout) {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed(e),
    }
}

fn run_command_inner(argv: &[String], mail: &str, timeout: Duration) -> Result<Outcome, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("no mail command is set: set [mail] command in config.toml".into());
    };
    // stderr goes to a file: a chatty command cannot fill a pipe and hang.
    let mut errors =
        tempfile::tempfile().map_err(|e| format!("could not make a temporary file: {e}"))?;
    let stderr = errors
        .try_clone()
        .map_err(|e| format!("could not make a temporary file: {e}"))?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::from(stderr))
        .spawn()
        .map_err(|e| format!("the mail command {program} could not be started ({e}): check [mail] command in config.toml"))?;
    // A command that quits without reading everything must not take us with it.
    let written = {
        let _ignored = crate::sys::ignore_sigpipe();
        child
            .stdin
            .take()
            .map(|mut stdin| stdin.write_all(mail.as_bytes()))
    };
    if let Some(Err(e)) = written {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "the mail command {program} did not take the message ({e})"
        ));
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(Outcome::Unsure(format!(
                    "the mail command {program} did not finish within {} seconds and was stopped",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(format!(
                    "could not wait for the mail command {program}: {e}"
                ));
            }
        }
    };
    if status.success() {
        return Ok(Outcome::Sent(String::new()));
    }
    let mut said = String::new();
    let _ = std::io::Seek::rewind(&mut errors);
    let _ = errors.take(2000).read_to_string(&mut said);
    let said = clean_line(&said);
    Ok(match (status.code(), said.is_empty()) {
        (Some(code), true) => Outcome::Failed(format!(
            "the mail command {program} failed with exit code {code}"
        )),
        (Some(code), false) => Outcome::Failed(format!(
            "the mail command {program} failed with exit code {code}: {said}"
        )),
        // Killed from outside: it may have handed the message on first.
        (None, _) => Outcome::Unsure(format!("the mail command {program} was killed by a signal")),
    })
}

/// Write `<id>-<RMA>-<kind>.eml`; never over an existing file.
fn write_eml(dir: &Path, msg: &OutboxMessage, mail: &str) -> Result<PathBuf, String> {
    files::create_dir(dir)
        .map_err(|e| format!("could not create the folder {}: {e}", dir.display()))?;
    files::remove_stale(dir, Kind::Eml);
    let path = dir.join(format!(
        "{:06}-{}-{}.eml",
        msg.id,
        msg.rma,
        msg.kind.as_str()
    ));
    // Written beside the target and moved in whole: a mail program never sees half a file.
    files::write_beside(&path, Kind::Eml, mail.as_bytes(), false)
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    Ok(path)
}

/// Write the bill's PDF to `path`: beside it first, then moved in whole, so a printer
/// never picks up half a file. Readable by the staff group only, like the database: it
/// carries a customer's name and address. With `replace` false an existing file is
/// kept and the write refused: a PDF that went with a parcel is never overwritten.
/// `fonts` are those the PDF may use besides the built-in one; `at` is its creation
/// date. Returns what the reader should know about the fonts (a character no font has,
/// printed as `?`).
pub fn write_pdf(
    bill: &Bill,
    path: &Path,
    replace: bool,
    fonts: &pdf::FontChoice,
    at: DateTime<Utc>,
) -> Result<Vec<String>, String> {
    let pdf::Rendered { bytes, warnings } = pdf::render(bill, fonts, at);
    let dir = files::folder_of(path);
    files::create_dir(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    files::remove_stale(dir, Kind::Bill);
    files::write_beside(path, Kind::Bill, &bytes, replace).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists and is kept (it may be the copy that went with a parcel)",
                path.display()
            )
        } else {
            format!("could not write {}: {e}", path.display())
        }
    })?;
    Ok(warnings)
}

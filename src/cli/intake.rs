//! `inbox import`, `requests` and `answer`: customers' mail into requests, the answer
//! clock, and the answers.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::args::{AnswerArgs, InboxCommand};
use super::{Context, Failure, Outcome, print_json};
use crate::domain::Imei;
use crate::domain::intake::{Attachment, Request};
use crate::domain::text::clean_line;
use crate::domain::time::{local_minutes, rfc3339, short_age};
use crate::store::Reply;

/// A request object of `rmaboard requests --json`; its keys are a contract.
#[derive(Debug, Serialize)]
pub struct RequestJson {
    /// The request's number.
    pub id: i64,
    /// When the mail came in, RFC 3339 in UTC.
    pub received_at: String,
    /// The sender's address.
    pub from: Option<String>,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The customer number matched against the registry; `null` when none matched.
    pub customer_number: Option<String>,
    /// That customer's name in the registry.
    pub customer_name: Option<String>,
    /// The subject.
    pub subject: String,
    /// The IMEIs found in the mail.
    pub imeis: Vec<String>,
    /// The attachments kept.
    pub attachments: Vec<AttachmentJson>,
    /// When it was first answered, RFC 3339 in UTC; `null` while open.
    pub answered_at: Option<String>,
    /// Who answered first; `null` while open.
    pub answered_by: Option<String>,
    /// `opened`, `refused` or `asked`; `null` while open.
    pub answer: Option<&'static str>,
    /// Why it was refused; `null` unless refused.
    pub refusal_reason: Option<&'static str>,
    /// Answered after the clock's hours, or still open past them.
    pub late: bool,
    /// The earlier request this mail replies to; `null` for a new one.
    pub follows: Option<i64>,
}

/// An attachment in the request and case objects.
#[derive(Debug, Serialize)]
pub struct AttachmentJson {
    /// The name the customer gave it.
    pub name: String,
    /// Its MIME type.
    #[serde(rename = "type")]
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where it is kept.
    pub path: String,
}

impl AttachmentJson {
    /// The object for an attachment kept in `dir`.
    pub fn new(a: &Attachment, dir: &Path) -> AttachmentJson {
        AttachmentJson {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            path: dir.join(&a.file).display().to_string(),
        }
    }
}

impl RequestJson {
    /// The object for a request, late or not at `now` on a clock of `hours`.
    pub fn new(r: &Request, dir: &Path, hours: u32, now: chrono::DateTime<chrono::Utc>) -> Self {
        RequestJson {
            id: r.id,
            received_at: rfc3339(r.received_at),
            from: r.from_address.clone(),
            from_name: r.from_name.clone(),
            customer_number: r.customer_number.clone(),
            customer_name: r.customer_name.clone(),
            subject: r.subject.clone(),
            imeis: r.imeis.iter().map(|i| i.to_string()).collect(),
            attachments: r
                .attachments
                .iter()
                .map(|a| AttachmentJson::new(a, dir))
                .collect(),
            answered_at: r.answered.as_ref().map(|a| rfc3339(a.at)),
            answered_by: r.answered.as_ref().map(|a| a.by.clone()),
            answer: r.answered.as_ref().map(|a| a.answer.as_str()),
            refusal_reason: r.answered.as_ref().and_then(|a| match a.answer {
                crate::domain::intake::Answer::Refused(reason) => Some(reason.as_str()),
                _ => None,
            }),
            late: r.is_late(hours, now),
            follows: r.follows,
        }
    }
}

/// A device named in a request, with its verdict on the mail's day.
#[derive(Debug, Serialize)]
pub struct DeviceJson {
    /// The IMEI.
    pub imei: String,
    /// The model, from the sales registry; `null` when not sold by us.
    pub model: Option<String>,
    /// The buyer's customer number, from the sales registry.
    pub customer_number: Option<String>,
    /// The warranty verdict's name on the mail's day, for the device itself.
    pub verdict: &'static str,
    /// The verdict in a sentence.
    pub reason: String,
    /// The device's case not yet shipped, if it has one.
    pub open_case: Option<String>,
}

/// `rmaboard request REQ [--json]`: the request object with `body` and `devices`.
#[derive(Debug, Serialize)]
struct RequestDetailJson {
    #[serde(flatten)]
    request: RequestJson,
    body: String,
    devices: Vec<DeviceJson>,
}

/// `rmaboard request REQ [--json]`
pub(super) fn show(cx: &Context, typed: &str, json: bool) -> Outcome {
    let id = request_number(typed)?;
    let ws = cx.workshop()?;
    let store = ws.store();
    let r = store.request(id)?;
    let day = crate::domain::time::local_date(r.received_at);
    let devices: Vec<DeviceJson> = ws
        .request_devices(&r, day)?
        .into_iter()
        .map(|d| DeviceJson {
            imei: d.imei.to_string(),
            model: d.model,
            customer_number: d.customer_number,
            verdict: d.verdict.as_str(),
            reason: d.reason,
            open_case: d.open_case,
        })
        .collect();
    let dir = ws.attachments_dir();
    let hours = ws.clocks().request_hours;
    let now = ws.now();
    if json {
        return print_json(&RequestDetailJson {
            request: RequestJson::new(&r, &dir, hours, now),
            body: r.body.clone(),
            devices,
        });
    }
    let mut out = std::io::stdout().lock();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<13}{}", clean_line(value));
    };
    line("Request", &r.id.to_string());
    line("Received", &local_minutes(r.received_at));
    let from = match (&r.from_name, &r.from_address) {
        (Some(n), Some(a)) => format!("{n} <{a}>"),
        (None, Some(a)) => a.clone(),
        (Some(n), None) => n.clone(),
        (None, None) => "-".into(),
    };
    line("From", &from);
    let customer = match (&r.customer_number, &r.customer_name) {
        (Some(n), Some(name)) => format!("{n} {name}"),
        (Some(n), None) => n.clone(),
        _ => "not matched".into(),
    };
    line("Customer", &customer);
    line("Subject", &r.subject);
    if let Some(n) = r.follows {
        line("Replies to", &format!("request {n}"));
    }
    let state = match &r.answered {
        Some(a) => format!("{} by {} {}", a.answer.label(), a.by, local_minutes(a.at)),
        None => format!("open for {}", short_age(r.received_at, now)),
    };
    let late = if r.is_late(hours, now) { " (late)" } else { "" };
    line("Answer", &format!("{state}{late}"));
    for d in &devices {
        let case = d
            .open_case
            .as_deref()
            .map(|c| format!("; open case {c}"))
            .unwrap_or_default();
        line(
            "Device",
            &format!(
                "{} {} - {}: {}{case}",
                d.imei,
                d.model.as_deref().unwrap_or("(not in the registry)"),
                d.verdict,
                d.reason.trim_end_matches('.')
            ),
        );
    }
    if devices.is_empty() {
        line(
            "Devices",
            "none found (give them with `answer --open --imei`)",
        );
    }
    for a in &r.attachments {
        line(
            "Attachment",
            &format!(
                "{} ({}, {} bytes) {}",
                a.name,
                a.content_type,
                a.size,
                dir.join(&a.file).display()
            ),
        );
    }
    let _ = writeln!(out);
    for l in crate::domain::text::clean_text(&r.body).lines() {
        let _ = writeln!(out, "  {l}");
    }
    Ok(())
}

/// `rmaboard inbox ...`
pub(super) fn inbox(cx: &Context, command: InboxCommand) -> Outcome {
    match command {
        InboxCommand::Import { paths } => import(cx, &paths),
    }
}

fn import(cx: &Context, paths: &[PathBuf]) -> Outcome {
    let mut ws = cx.workshop()?;
    let report = ws.import_inbox(paths)?;
    for sentence in &report.unreadable {
        eprintln!("rmaboard: {}", clean_line(sentence));
    }
    for note in &report.notes {
        eprintln!("rmaboard: note: {}", clean_line(note));
    }
    let mut out = std::io::stdout().lock();
    for (id, source) in &report.new_requests {
        let _ = writeln!(out, "request {id}: {}", clean_line(source));
    }
    let _ = writeln!(out, "{}", report.summary());
    Ok(())
}

/// `rmaboard requests [--open] [--json]`
pub(super) fn requests(cx: &Context, open: bool, json: bool) -> Outcome {
    let ws = cx.workshop()?;
    let list = ws.requests(open)?;
    let hours = ws.clocks().request_hours;
    let now = ws.now();
    let dir = ws.attachments_dir();
    if json {
        let all: Vec<RequestJson> = list
            .iter()
            .map(|r| RequestJson::new(r, &dir, hours, now))
            .collect();
        return print_json(&all);
    }
    let mut out = std::io::stdout().lock();
    for r in &list {
        let _ = writeln!(out, "{}", human_line(r, hours, now));
    }
    Ok(())
}

/// One request on a line: number, when, who, customer, devices, answer, age.
fn human_line(r: &Request, hours: u32, now: chrono::DateTime<chrono::Utc>) -> String {
    let late = if r.is_late(hours, now) { "!" } else { " " };
    let state = match &r.answered {
        Some(a) => format!(
            "{} by {} {}",
            a.answer.label(),
            clean_line(&a.by),
            local_minutes(a.at)
        ),
        None => format!("open {}", short_age(r.received_at, now)),
    };
    let devices = crate::domain::text::count(r.imeis.len() as u64, "device");
    let follows = r.follows.map(|n| format!("(re #{n}) ")).unwrap_or_default();
    format!(
        "{late}{:>5}  {}  {:<30}  {:<10}  {:<10}  {}  {follows}{}",
        r.id,
        local_minutes(r.received_at),
        clean_line(&r.sender()).chars().take(30).collect::<String>(),
        clean_line(r.customer_number.as_deref().unwrap_or("-")),
        devices,
        state,
        clean_line(&r.subject).chars().take(50).collect::<String>()
    )
}

/// A request's number as typed: `12`, `request-12`, `REQ-12` or `#12`.
fn request_number(typed: &str) -> Result<i64, Failure> {
    let t = typed.trim();
    let lower = t.to_ascii_lowercase();
    let digits = lower
        .strip_prefix("request-")
        .or_else(|| lower.strip_prefix("req-"))
        .or_else(|| lower.strip_prefix('#'))
        .unwrap_or(&lower);
    digits.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        Failure::new(format!(
            "REQ {:?} is not a request number: give the number `rmaboard requests` shows, e.g. 12",
            clean_line(typed)
        ))
    })
}

/// `rmaboard answer REQ --open|--refuse|--ask`
pub(super) fn answer(cx: &Context, a: AnswerArgs) -> Outcome {
    let id = request_number(&a.request)?;
    let named: Vec<Imei> = a
        .imei
        .iter()
        .map(|i| Imei::parse(i).map_err(|e| Failure::field("--imei", e)))
        .collect::<Result<_, _>>()?;
    let mut ws = cx.workshop()?;
    let request = ws.store().request(id)?;
    let reply = if a.open {
        crate::workshop::open_reply(&request, named, a.fault.clone())
    } else if let Some(reason) = a.refuse {
        Reply::Refuse(reason.into())
    } else {
        Reply::Ask(a.ask.clone().unwrap_or_default())
    };
    // The devices were read above: an answer given in between is named, not overtaken.
    let seen = request.answered.clone();
    let (after, opened) = ws.answer_seen(id, reply, seen)?;
    if a.json {
        let dir = ws.attachments_dir();
        return print_json(&RequestJson::new(
            &after,
            &dir,
            ws.clocks().request_hours,
            ws.now(),
        ));
    }
    for c in &opened {
        println!("{}", c.rma);
    }
    // A reseller's mail naming another customer's device: opened (the registry decides
    // the guarantee), but worth a look before the parcel comes.
    if let Some(customer) = &after.customer_number {
        for c in opened.iter().filter(|c| &c.customer_number != customer) {
            eprintln!(
                "rmaboard: warning: {} ({}) was sold to customer {}, but the mail came from customer {}: check who is sending it",
                c.rma,
                c.imei,
                clean_line(&c.customer_number),
                clean_line(customer)
            );
        }
    }
    let what = if a.open {
        "the RMA instructions"
    } else if a.refuse.is_some() {
        "the refusal"
    } else {
        "the question"
    };
    eprintln!(
        "rmaboard: {what} to {} waits in the outbox (`rmaboard outbox send`)",
        clean_line(after.from_address.as_deref().unwrap_or("the sender"))
    );
    if let Some(first) = &after.answered
        && request.answered.is_some()
    {
        eprintln!(
            "rmaboard: the request's clock stopped at its first answer ({} by {}, {})",
            first.answer.label(),
            clean_line(&first.by),
            local_minutes(first.at)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_numbers_are_read_in_their_usual_forms() {
        for typed in ["12", " request-12", "REQ-12", "#12"] {
            assert_eq!(request_number(typed).unwrap(), 12, "{typed}");
        }
        for bad in ["", "0", "-3", "RMA-2026-00012", "twelve"] {
            assert!(request_number(bad).is_err(), "{bad}");
        }
    }
}

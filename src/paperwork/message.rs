//! Customer messages: the two the policy promises, drafted from templates, and written
//! as RFC 5322 mail. Customer text from the sales registry is cleaned before it goes in,
//! and headers carry only checked values, so a name with a line break cannot add a
//! header.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bill::Bill;
use super::{PaperworkError, Settings, customer_line};
use crate::domain::case::Case;
use crate::domain::intake::{RefusalReason, Request};
use crate::domain::mailbox::Mailbox;
use crate::domain::sale::Sale;
use crate::domain::text::{clean_line, clean_text};
use crate::domain::{Outcome, Stage};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;

/// The customer messages: the two the policy promises, and the answers to a request
/// that open no case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// On opening: the RMA number and how to send the device.
    RmaInstructions,
    /// On shipping: the outbound tracking number.
    ShippingNotice,
    /// A request refused, quoting the policy's clause.
    RequestRefusal,
    /// A question about a request (the policy's troubleshooting, missing details).
    RequestQuestion,
}

impl MessageKind {
    /// The snake_case name used in the database and the template file names.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::RmaInstructions => "rma_instructions",
            MessageKind::ShippingNotice => "shipping_notice",
            MessageKind::RequestRefusal => "request_refusal",
            MessageKind::RequestQuestion => "request_question",
        }
    }

    /// The kind a stored name stands for, if any.
    pub fn parse(s: &str) -> Option<MessageKind> {
        match s {
            "rma_instructions" => Some(MessageKind::RmaInstructions),
            "shipping_notice" => Some(MessageKind::ShippingNotice),
            "request_refusal" => Some(MessageKind::RequestRefusal),
            "request_question" => Some(MessageKind::RequestQuestion),
            _ => None,
        }
    }

    /// How staff read it in the outbox.
    pub fn title(self) -> &'static str {
        match self {
            MessageKind::RmaInstructions => "RMA instructions",
            MessageKind::ShippingNotice => "shipping notice",
            MessageKind::RequestRefusal => "refusal",
            MessageKind::RequestQuestion => "question",
        }
    }

    fn builtin_text(self) -> &'static str {
        match self {
            MessageKind::RmaInstructions => {
                include_str!("../../assets/templates/rma_instructions.txt")
            }
            MessageKind::ShippingNotice => {
                include_str!("../../assets/templates/shipping_notice.txt")
            }
            MessageKind::RequestRefusal => {
                include_str!("../../assets/templates/request_refusal.txt")
            }
            MessageKind::RequestQuestion => {
                include_str!("../../assets/templates/request_question.txt")
            }
        }
    }

    /// The built-in text of the message about several cases at once (an answer to a
    /// request is about the request, whatever it opened).
    fn builtin_many_text(self) -> &'static str {
        match self {
            MessageKind::RmaInstructions => {
                include_str!("../../assets/templates/rma_instructions_many.txt")
            }
            MessageKind::ShippingNotice => {
                include_str!("../../assets/templates/shipping_notice_many.txt")
            }
            MessageKind::RequestRefusal | MessageKind::RequestQuestion => self.builtin_text(),
        }
    }

    /// The placeholders the message about several cases can fill.
    fn many_placeholders(self) -> &'static [&'static str] {
        const COMMON: &[&str] = &[
            "rmas",
            "count",
            "devices",
            "customer_name",
            "customer_number",
            "shop_name",
            "shop_address",
            "support_email",
        ];
        const SHIPPING: &[&str] = &[
            "rmas",
            "count",
            "devices",
            "customer_name",
            "customer_number",
            "shop_name",
            "shop_address",
            "support_email",
            "tracking",
            "post",
            "bill_number",
            "customs_wording",
            "value",
        ];
        match self {
            MessageKind::RmaInstructions => COMMON,
            MessageKind::ShippingNotice => SHIPPING,
            MessageKind::RequestRefusal | MessageKind::RequestQuestion => self.placeholders(),
        }
    }

    /// The placeholders this kind of message can fill.
    fn placeholders(self) -> &'static [&'static str] {
        const COMMON: &[&str] = &[
            "rma",
            "customer_name",
            "customer_number",
            "order_number",
            "model",
            "imei",
            "shop_name",
            "shop_address",
            "support_email",
        ];
        const SHIPPING: &[&str] = &[
            "rma",
            "customer_name",
            "customer_number",
            "order_number",
            "model",
            "imei",
            "shop_name",
            "shop_address",
            "support_email",
            "tracking",
            "post",
            "bill_number",
            "customs_wording",
            "value",
            "result",
        ];
        const REFUSAL: &[&str] = &[
            "customer_name",
            "customer_number",
            "subject",
            "shop_name",
            "support_email",
            "reason",
            "clause",
        ];
        const QUESTION: &[&str] = &[
            "customer_name",
            "customer_number",
            "subject",
            "shop_name",
            "support_email",
            "question",
        ];
        match self {
            MessageKind::RmaInstructions => COMMON,
            MessageKind::ShippingNotice => SHIPPING,
            MessageKind::RequestRefusal => REFUSAL,
            MessageKind::RequestQuestion => QUESTION,
        }
    }
}

/// A message template: a `Subject:` line, a blank line, the body, with `{name}`
/// placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The `Subject:` line, placeholders not yet filled.
    pub subject: String,
    /// The body, placeholders not yet filled.
    pub body: String,
}

impl Template {
    /// The template shipped with rmaboard. Tests check that it parses.
    pub fn builtin(kind: MessageKind) -> Template {
        let (subject, body) = split_subject(kind.builtin_text());
        Template { subject, body }
    }

    /// The built-in template of the message about several cases (a reseller's batch, a
    /// parcel).
    pub fn builtin_many(kind: MessageKind) -> Template {
        let (subject, body) = split_subject(kind.builtin_many_text());
        Template { subject, body }
    }

    /// `templates/<kind>.txt` in the config folder if present, else the built-in one.
    pub fn load(kind: MessageKind, dir: Option<&Path>) -> Result<Template, PaperworkError> {
        let file = format!("{}.txt", kind.as_str());
        match read_template_file(&file, dir)? {
            Some((text, name)) => Template::parse(kind, &text, &name),
            None => Ok(Template::builtin(kind)),
        }
    }

    /// `templates/<kind>_many.txt` (the message about several cases) in the config folder
    /// if present, else the built-in one.
    pub fn load_many(kind: MessageKind, dir: Option<&Path>) -> Result<Template, PaperworkError> {
        let file = format!("{}_many.txt", kind.as_str());
        match read_template_file(&file, dir)? {
            Some((text, name)) => Template::parse_many(kind, &text, &name),
            None => Ok(Template::builtin_many(kind)),
        }
    }

    /// Read a template's text; `name` says where it came from, for the messages.
    pub fn parse(kind: MessageKind, text: &str, name: &str) -> Result<Template, PaperworkError> {
        Template::parse_with(kind.placeholders(), text, name)
    }

    /// Read the text of a template about several cases.
    pub fn parse_many(
        kind: MessageKind,
        text: &str,
        name: &str,
    ) -> Result<Template, PaperworkError> {
        Template::parse_with(kind.many_placeholders(), text, name)
    }

    fn parse_with(known: &[&str], text: &str, name: &str) -> Result<Template, PaperworkError> {
        let problem = |p: String| PaperworkError::Template {
            name: name.to_string(),
            problem: p,
        };
        if !text.starts_with("Subject:") {
            return Err(problem(
                "its first line must be `Subject: ...`, then a blank line, then the text".into(),
            ));
        }
        let (subject, body) = split_subject(text);
        for part in [&subject, &body] {
            for p in placeholders_in(part) {
                if !known.contains(&p.as_str()) {
                    return Err(problem(format!(
                        "it uses {{{p}}}, which rmaboard does not fill; the known ones are {}",
                        known
                            .iter()
                            .map(|k| format!("{{{k}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
            }
        }
        Ok(Template { subject, body })
    }

    fn fill(&self, values: &[(&str, String)]) -> (String, String) {
        let fill = |s: &str| {
            let mut out = String::with_capacity(s.len() + 200);
            let mut rest = s;
            while let Some(start) = rest.find('{') {
                out.push_str(&rest[..start]);
                let after = &rest[start + 1..];
                let known = after.find('}').and_then(|end| {
                    let name = &after[..end];
                    values
                        .iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| (v, end))
                });
                match known {
                    Some((value, end)) => {
                        out.push_str(value);
                        rest = &after[end + 1..];
                    }
                    _ => {
                        out.push('{');
                        rest = after;
                    }
                }
            }
            out.push_str(rest);
            out
        };
        (
            clean_line(&fill(&self.subject)),
            clean_text(&fill(&self.body)),
        )
    }
}

/// A template file's text and its name for messages, if `dir` has a file of that name.
fn read_template_file(
    file: &str,
    dir: Option<&Path>,
) -> Result<Option<(String, String)>, PaperworkError> {
    let Some(path) = dir.map(|d| d.join(file)).filter(|p| p.exists()) else {
        return Ok(None);
    };
    let text =
        crate::config::read_settings_file(&path).map_err(|e| PaperworkError::ReadTemplate {
            path: path.clone(),
            problem: e.to_string(),
        })?;
    Ok(Some((text, path.display().to_string())))
}

fn split_subject(text: &str) -> (String, String) {
    let text = text.replace("\r\n", "\n");
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let subject = first
        .strip_prefix("Subject:")
        .unwrap_or(first)
        .trim()
        .to_string();
    (
        subject,
        rest.trim_start_matches('\n').trim_end().to_string() + "\n",
    )
}

/// `{name}` placeholders: lower-case letters and underscores between braces.
fn placeholders_in(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end)
                if end > 0
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// A message drafted for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Which message it is.
    pub kind: MessageKind,
    /// A checked address, or none when the registry has no usable one (sending it then
    /// fails with a sentence, and the message waits in the outbox).
    pub to_address: Option<String>,
    /// The subject, filled in.
    pub subject: String,
    /// The body, filled in.
    pub body: String,
}

fn common_values(
    settings: &Settings,
    case: &Case,
    sale: Option<&Sale>,
) -> Vec<(&'static str, String)> {
    let name = sale
        .and_then(|s| customer_line(s.customer_name.as_deref()))
        .unwrap_or_else(|| "customer".into());
    let address = if settings.shop_address.is_empty() {
        "    [shop address not configured: set [shop] address in config.toml]".to_string()
    } else {
        settings
            .shop_address
            .iter()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let support = if settings.shop_email.is_empty() {
        "by replying to this message".to_string()
    } else {
        settings.shop_email.clone()
    };
    vec![
        ("rma", case.rma.to_string()),
        ("customer_name", name),
        ("customer_number", clean_line(&case.customer_number)),
        ("order_number", clean_line(&case.order_number)),
        ("model", clean_line(&case.model)),
        ("imei", case.imei.to_string()),
        ("shop_name", settings.shop_name.clone()),
        ("shop_address", address),
        ("support_email", support),
    ]
}

fn to_address(sale: Option<&Sale>) -> Option<String> {
    sale.and_then(|s| s.customer_email.as_deref())
        .and_then(checked_address)
}

/// The RMA instructions for a case just opened.
pub fn rma_instructions(settings: &Settings, case: &Case, sale: Option<&Sale>) -> Draft {
    let (subject, body) = settings
        .template(MessageKind::RmaInstructions)
        .fill(&common_values(settings, case, sale));
    Draft {
        kind: MessageKind::RmaInstructions,
        to_address: to_address(sale),
        subject,
        body,
    }
}

/// The shipping notice for a case just shipped, with its bill.
pub fn shipping_notice(
    settings: &Settings,
    case: &Case,
    sale: Option<&Sale>,
    bill: &Bill,
) -> Draft {
    let mut values = common_values(settings, case, sale);
    let result = match (case.stage, case.outcome) {
        (Stage::Shipped, Some(Outcome::ReturnedUnrepaired)) => format!(
            "we are returning your device unrepaired: {}.",
            clean_line(&case.verdict_reason).trim_end_matches('.')
        ),
        _ => "the repair of your device is complete, and it passed our inspection.".to_string(),
    };
    values.extend([
        ("tracking", bill.tracking_out.clone()),
        (
            "post",
            crate::domain::tracking::post_of(bill.tracking_out.get(11..).unwrap_or_default()),
        ),
        ("bill_number", bill.label()),
        ("customs_wording", bill.explanation()),
        ("value", bill.money(bill.total_value_cents())),
        ("result", result),
    ]);
    let (subject, body) = settings.template(MessageKind::ShippingNotice).fill(&values);
    Draft {
        kind: MessageKind::ShippingNotice,
        to_address: to_address(sale),
        subject,
        body,
    }
}

/// The RMA instructions for several cases of one reseller opened together: one message
/// listing every new RMA number with its model and IMEI. `cases` holds each case with
/// its sale; the first sale's name and address are the reseller's.
pub fn rma_instructions_many(settings: &Settings, cases: &[(&Case, Option<&Sale>)]) -> Draft {
    let devices = cases
        .iter()
        .map(|(c, _)| {
            format!(
                "    {}  {}  IMEI {}  order {}",
                c.rma,
                clean_line(&c.model),
                c.imei,
                clean_line(&c.order_number)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let values = many_values(settings, cases, devices);
    let (subject, body) = settings
        .template_many(MessageKind::RmaInstructions)
        .fill(&values);
    Draft {
        kind: MessageKind::RmaInstructions,
        to_address: to_address(cases.first().and_then(|(_, s)| *s)),
        subject,
        body,
    }
}

/// The shipping notice of a parcel of several devices: every RMA number with the one
/// tracking number, and what became of each device. `bill` is the parcel's one bill.
pub fn shipping_notice_many(
    settings: &Settings,
    cases: &[(&Case, Option<&Sale>)],
    bill: &Bill,
) -> Draft {
    let devices = cases
        .iter()
        .map(|(c, _)| {
            let result = match c.outcome {
                Some(Outcome::ReturnedUnrepaired) => format!(
                    "returned unrepaired: {}",
                    clean_line(&c.verdict_reason).trim_end_matches('.')
                ),
                _ => "repaired, passed our inspection".to_string(),
            };
            format!(
                "    {}  {}  IMEI {}  {result}",
                c.rma,
                clean_line(&c.model),
                c.imei
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut values = many_values(settings, cases, devices);
    values.extend([
        (
            "post",
            crate::domain::tracking::post_of(bill.tracking_out.get(11..).unwrap_or_default()),
        ),
        ("tracking", bill.tracking_out.clone()),
        ("bill_number", bill.label()),
        ("customs_wording", bill.explanation()),
        ("value", bill.money(bill.total_value_cents())),
    ]);
    let (subject, body) = settings
        .template_many(MessageKind::ShippingNotice)
        .fill(&values);
    Draft {
        kind: MessageKind::ShippingNotice,
        to_address: to_address(cases.first().and_then(|(_, s)| *s)),
        subject,
        body,
    }
}

/// A reply's subject: the customer's, without the `Re:` prefixes it may already have.
fn reply_subject(subject: &str) -> String {
    let mut s = clean_line(subject);
    loop {
        let t = s.trim_start();
        match t.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("re:") => s = t[3..].to_string(),
            _ => break,
        }
    }
    let s = s.trim().to_string();
    if s.is_empty() {
        "your request".into()
    } else {
        s
    }
}

/// Words of `text` in lines of at most `width` characters, each indented by `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines.join("\n")
}

fn request_values(settings: &Settings, request: &Request) -> Vec<(&'static str, String)> {
    let support = if settings.shop_email.is_empty() {
        "by replying to this message".to_string()
    } else {
        settings.shop_email.clone()
    };
    vec![
        (
            "customer_name",
            request
                .from_name
                .as_deref()
                .map(clean_line)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "customer".into()),
        ),
        (
            "customer_number",
            request
                .customer_number
                .as_deref()
                .map(clean_line)
                .unwrap_or_default(),
        ),
        ("subject", reply_subject(&request.subject)),
        ("shop_name", settings.shop_name.clone()),
        ("support_email", support),
    ]
}

/// The refusal of a request, quoting the policy's clause behind `reason`.
pub fn request_refusal(settings: &Settings, request: &Request, reason: RefusalReason) -> Draft {
    let mut values = request_values(settings, request);
    values.push(("reason", reason.describe().to_string()));
    values.push(("clause", wrap(reason.clause(), 72, "    ")));
    let (subject, body) = settings.template(MessageKind::RequestRefusal).fill(&values);
    Draft {
        kind: MessageKind::RequestRefusal,
        to_address: request.from_address.as_deref().and_then(checked_address),
        subject,
        body,
    }
}

/// A question about a request.
pub fn request_question(settings: &Settings, request: &Request, question: &str) -> Draft {
    let mut values = request_values(settings, request);
    values.push(("question", clean_text(question).trim().to_string()));
    let (subject, body) = settings
        .template(MessageKind::RequestQuestion)
        .fill(&values);
    Draft {
        kind: MessageKind::RequestQuestion,
        to_address: request.from_address.as_deref().and_then(checked_address),
        subject,
        body,
    }
}

/// One RMA-instructions message to the sender of a request for all the cases opened
/// from it: the RMA instructions template, its device fields listing every case
/// (`RMA-2026-00007 (IMEI ...)`) when there are several.
pub fn request_rma_instructions(
    settings: &Settings,
    request: &Request,
    cases: &[(Case, Option<Sale>)],
) -> Draft {
    let Some((first, first_sale)) = cases.first() else {
        return Draft {
            kind: MessageKind::RmaInstructions,
            to_address: None,
            subject: String::new(),
            body: String::new(),
        };
    };
    let mut values = common_values(settings, first, first_sale.as_ref());
    // The registry's name for the customer first; else the name the mail was signed with.
    let registry_name = first_sale.as_ref().and_then(|s| s.customer_name.as_deref());
    if let Some(name) = request
        .from_name
        .as_deref()
        .map(clean_line)
        .filter(|n| !n.is_empty() && registry_name.is_none())
    {
        values.retain(|(k, _)| *k != "customer_name");
        values.push(("customer_name", name));
    }
    if cases.len() > 1 {
        let joined = |f: &dyn Fn(&Case) -> String| {
            let mut seen: Vec<String> = Vec::new();
            for (c, _) in cases {
                let v = f(c);
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            seen.join(", ")
        };
        let rmas = cases
            .iter()
            .map(|(c, _)| c.rma.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let set = |values: &mut Vec<(&'static str, String)>, key: &'static str, v: String| {
            values.retain(|(k, _)| *k != key);
            values.push((key, v));
        };
        set(&mut values, "rma", rmas);
        set(&mut values, "imei", joined(&|c| c.imei.to_string()));
        set(&mut values, "model", joined(&|c| clean_line(&c.model)));
        set(
            &mut values,
            "order_number",
            joined(&|c| clean_line(&c.order_number)),
        );
    }
    let (subject, mut body) = settings
        .template(MessageKind::RmaInstructions)
        .fill(&values);
    if cases.len() > 1 {
        // Which number goes with which device: each parcel's note names its own.
        body.push_str("\nYour devices and their RMA numbers:\n\n");
        for (c, _) in cases {
            body.push_str(&format!(
                "    {}  IMEI {}  {} (order {})\n",
                c.rma,
                c.imei,
                clean_line(&c.model),
                clean_line(&c.order_number)
            ));
        }
    }
    Draft {
        kind: MessageKind::RmaInstructions,
        to_address: request.from_address.as_deref().and_then(checked_address),
        subject: if cases.len() > 1 {
            format!(
                "Re: {} - {} return authorisations",
                reply_subject(&request.subject),
                cases.len()
            )
        } else {
            subject
        },
        body,
    }
}

fn many_values(
    settings: &Settings,
    cases: &[(&Case, Option<&Sale>)],
    devices: String,
) -> Vec<(&'static str, String)> {
    let Some((first, sale)) = cases.first() else {
        return Vec::new();
    };
    // The values of one case, less those that differ from device to device.
    let mut values: Vec<(&'static str, String)> = common_values(settings, first, *sale)
        .into_iter()
        .filter(|(k, _)| {
            matches!(
                *k,
                "customer_name"
                    | "customer_number"
                    | "shop_name"
                    | "shop_address"
                    | "support_email"
            )
        })
        .collect();
    values.extend([
        (
            "rmas",
            cases
                .iter()
                .map(|(c, _)| c.rma.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("count", cases.len().to_string()),
        ("devices", devices),
    ]);
    values
}

pub use crate::domain::mailbox::checked_address;

/// Where a message is in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting to be sent (again, after a failed try).
    Pending,
    /// Claimed by a sender; if it stays so, that sender stopped mid-way.
    Sending,
    /// Handed to the mail command or written as a file.
    Sent,
    /// Taken out by staff; it will not be sent.
    Dropped,
}

impl OutboxStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dropped => "dropped",
        }
    }

    /// The status a stored name stands for, if any.
    pub fn parse(s: &str) -> Option<OutboxStatus> {
        match s {
            "pending" => Some(OutboxStatus::Pending),
            "sending" => Some(OutboxStatus::Sending),
            "sent" => Some(OutboxStatus::Sent),
            "dropped" => Some(OutboxStatus::Dropped),
            _ => None,
        }
    }
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// The message's number, as staff give it to drop or release it.
    pub id: i64,
    /// The row id of the case it is about; `None` for an answer to a request.
    pub case_id: Option<i64>,
    /// The request it answers, if it answers one.
    pub request_id: Option<i64>,
    /// What it is about, for staff and in its Message-ID: the case's RMA number (the
    /// first, when it is about several), else `request-N`.
    pub rma: String,
    /// Every case it is about, in the order it names them: one for most messages,
    /// several for a reseller's batch of RMA numbers or a parcel; for an answer to a
    /// request that opened no case, `rma` alone.
    pub rmas: Vec<String>,
    /// The customer's Message-ID it answers (`In-Reply-To`), without angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread it continues (`References`), oldest first, without angle brackets.
    pub references: Vec<String>,
    /// Which message it is.
    pub kind: MessageKind,
    /// The checked address; `None` when the registry had no usable one, and sending fails
    /// with a sentence.
    pub to_address: Option<String>,
    /// Who it is addressed to, by name: for an answer to a mail, the name of the person
    /// who wrote it (the To: address is theirs too); else, or when the mail gave no name,
    /// the customer's in the sales registry; `None` when neither has one.
    pub to_name: Option<String>,
    /// The subject, filled in.
    pub subject: String,
    /// The body, filled in.
    pub body: String,
    /// When it was drafted.
    pub created_at: DateTime<Utc>,
    /// Where it is in the outbox.
    pub status: OutboxStatus,
    /// How many times sending was tried.
    pub attempts: u32,
    /// Why the last try failed; `None` after a success or before any try.
    pub last_error: Option<String>,
    /// When it was sent; `None` until then.
    pub sent_at: Option<DateTime<Utc>>,
    /// How it left (the mail command, or the `.eml` file written); `None` until sent.
    pub sent_via: Option<String>,
    /// Who took it out and why; `None` unless dropped.
    pub dropped: Option<Dropped>,
}

/// Who took a message out of the outbox, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// The staff member's login.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why it will not be sent, as typed.
    pub reason: String,
}

impl OutboxMessage {
    /// Waiting, with no usable address, and tried once: sending cannot succeed, so it is
    /// left out of sending and waits for a person to drop it.
    pub fn needs_person(&self) -> bool {
        self.status == OutboxStatus::Pending && self.to_address.is_none() && self.attempts > 0
    }

    /// The message as RFC 5322 mail (CRLF line ends), from `from`.
    pub fn to_mail(&self, from: &Mailbox, now: DateTime<Utc>) -> Result<String, String> {
        let to = self
            .to_address
            .as_deref()
            .and_then(checked_address)
            .ok_or_else(|| {
                format!(
                    "{} has no usable customer email address in the sales registry: write to the customer another way, then drop the message ({}: `d` in the board's outbox, or `rmaboard outbox drop {} --reason TEXT`); it is not tried again meanwhile",
                    self.rma, self.id, self.id
                )
            })?;
        let domain = from
            .address
            .rsplit_once('@')
            .map_or("rmaboard.invalid", |(_, d)| d);
        // The mail crate encodes the display name and subject as RFC 2047 words where
        // they are not ASCII, folds long headers and picks the body's transfer encoding.
        let sender = Address::new_address(from.name.clone(), from.address.clone());
        let mail = MessageBuilder::new()
            .from(sender)
            .to(Address::new_address(
                self.to_name
                    .as_deref()
                    .map(clean_line)
                    .filter(|n| !n.trim().is_empty()),
                to,
            ))
            .subject(clean_line(&self.subject))
            .date(Date::new(now.timestamp()))
            .message_id(format!("rmaboard.{}.{}@{domain}", self.id, self.rma))
            .text_body(clean_text(&self.body));
        // Threaded under the customer's mail, so their mail program shows the answer
        // with the question.
        let mail = match &self.in_reply_to {
            Some(parent) => mail.in_reply_to(parent.clone()).references(
                self.references
                    .iter()
                    .cloned()
                    .chain((!self.references.contains(parent)).then(|| parent.clone()))
                    .collect::<Vec<String>>(),
            ),
            None => mail,
        };
        mail.write_to_string()
            .map_err(|e| format!("could not build message {}: {e}", self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_templates_parse_and_fill_everything() {
        for kind in [
            MessageKind::RmaInstructions,
            MessageKind::ShippingNotice,
            MessageKind::RequestRefusal,
            MessageKind::RequestQuestion,
        ] {
            let t = Template::parse(kind, kind.builtin_text(), "built-in").unwrap();
            assert!(!t.subject.is_empty());
            let values: Vec<(&str, String)> = kind
                .placeholders()
                .iter()
                .map(|k| (*k, "X".to_string()))
                .collect();
            let (subject, body) = t.fill(&values);
            assert!(!subject.contains('{') && !body.contains('{'), "{body}");
        }
    }

    #[test]
    fn the_builtin_templates_for_several_cases_parse_and_fill_everything() {
        for kind in [MessageKind::RmaInstructions, MessageKind::ShippingNotice] {
            let t = Template::parse_many(kind, kind.builtin_many_text(), "built-in").unwrap();
            let values: Vec<(&str, String)> = kind
                .many_placeholders()
                .iter()
                .map(|k| (*k, "X".to_string()))
                .collect();
            let (subject, body) = t.fill(&values);
            assert!(!subject.contains('{') && !body.contains('{'), "{body}");
        }
        // A template for one case does not fit a batch: {imei} is per device.
        assert!(
            Template::parse_many(
                MessageKind::RmaInstructions,
                "Subject: {rma}\n\n{imei}",
                "t"
            )
            .is_err()
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named() {
        let e = Template::parse(
            MessageKind::RmaInstructions,
            "Subject: {rma}\n\nHi {tracking}",
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("{tracking}") && e.contains("{rma}"), "{e}");
        assert!(Template::parse(MessageKind::RmaInstructions, "Hello", "t").is_err());
    }

    #[test]
    fn addresses_that_could_add_headers_are_refused() {
        assert_eq!(
            checked_address(" service@reseller.example "),
            Some("service@reseller.example".into())
        );
        for bad in [
            "a@b.example\r\nBcc: x@y.example",
            "a b@c.example",
            "<a@b.example>",
            "a@b.example, c@d.example",
            "nobody",
            "a@localhost",
            "a@@b.example",
        ] {
            assert_eq!(checked_address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_name_with_quotes_commas_or_line_breaks_stays_one_name_in_the_to_header() {
        let mut m = OutboxMessage {
            id: 7,
            case_id: Some(1),
            request_id: None,
            rma: "RMA-2026-00001".into(),
            rmas: vec!["RMA-2026-00001".into()],
            in_reply_to: None,
            references: Vec::new(),
            kind: MessageKind::ShippingNotice,
            to_address: Some("service@reseller.example".into()),
            to_name: None,
            subject: "Your device".into(),
            body: "Shipped.".into(),
            created_at: Utc::now(),
            status: OutboxStatus::Pending,
            attempts: 0,
            last_error: None,
            sent_at: None,
            sent_via: None,
            dropped: None,
        };
        let from = Mailbox::parse("shop@cect.example").unwrap();
        for (name, read) in [
            ("Smart \"Gent\", BV", "Smart \"Gent\", BV"),
            ("Evil\r\nBcc: x@y.example", "Evil Bcc: x@y.example"),
            ("Zoë Łukasiewicz 张伟", "Zoë Łukasiewicz 张伟"),
            ("   ", ""),
        ] {
            m.to_name = Some(name.into());
            let raw = m.to_mail(&from, Utc::now()).unwrap();
            let header: Vec<&str> = raw.lines().filter(|l| l.starts_with("Bcc")).collect();
            assert!(header.is_empty(), "{raw}");
            let msg = mail_parser::MessageParser::default()
                .parse(raw.as_bytes())
                .unwrap();
            let to = msg.to().unwrap();
            assert_eq!(to.iter().count(), 1, "{raw}");
            let first = to.first().unwrap();
            assert_eq!(first.name().unwrap_or_default(), read, "{raw}");
            assert_eq!(first.address(), Some("service@reseller.example"));
        }
    }
}

//! Customer messages: the two the policy promises, drafted from templates, and written
//! as RFC 5322 mail. Customer text from the sales registry is cleaned before it goes in,
//! and headers carry only checked values, so a name with a line break cannot add a
//! header.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bill::Bill;
use super::{PaperworkError, Settings, customer_line, format_amount};
use crate::domain::case::Case;
use crate::domain::sale::Sale;
use crate::domain::text::{clean_line, clean_text};
use crate::domain::{Outcome, Stage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// On opening: the RMA number and how to send the device.
    RmaInstructions,
    /// On shipping: the outbound tracking number.
    ShippingNotice,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::RmaInstructions => "rma_instructions",
            MessageKind::ShippingNotice => "shipping_notice",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        match s {
            "rma_instructions" => Some(MessageKind::RmaInstructions),
            "shipping_notice" => Some(MessageKind::ShippingNotice),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            MessageKind::RmaInstructions => "RMA instructions",
            MessageKind::ShippingNotice => "shipping notice",
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
            "bill_number",
            "customs_wording",
            "value",
            "result",
        ];
        match self {
            MessageKind::RmaInstructions => COMMON,
            MessageKind::ShippingNotice => SHIPPING,
        }
    }
}

/// A message template: a `Subject:` line, a blank line, the body, with `{name}`
/// placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

impl Template {
    /// The template shipped with rmaboard. Tests check that it parses.
    pub fn builtin(kind: MessageKind) -> Template {
        let (subject, body) = split_subject(kind.builtin_text());
        Template { subject, body }
    }

    /// `templates/<kind>.txt` in the config folder if present, else the built-in one.
    pub fn load(kind: MessageKind, dir: Option<&Path>) -> Result<Template, PaperworkError> {
        let Some(path) = dir
            .map(|d| d.join(format!("{}.txt", kind.as_str())))
            .filter(|p| p.exists())
        else {
            return Ok(Template::builtin(kind));
        };
        let text =
            crate::config::read_settings_file(&path).map_err(|e| PaperworkError::ReadTemplate {
                path: path.clone(),
                problem: e.to_string(),
            })?;
        Template::parse(kind, &text, &path.display().to_string())
    }

    pub fn parse(kind: MessageKind, text: &str, name: &str) -> Result<Template, PaperworkError> {
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
                if !kind.placeholders().contains(&p.as_str()) {
                    return Err(problem(format!(
                        "it uses {{{p}}}, which rmaboard does not fill; the known ones are {}",
                        kind.placeholders()
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
    pub kind: MessageKind,
    /// A checked address, or none when the registry has no usable one (sending it then
    /// fails with a sentence, and the message waits in the outbox).
    pub to_address: Option<String>,
    pub subject: String,
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
        ("bill_number", bill.label()),
        ("customs_wording", bill.description.clone()),
        (
            "value",
            format!("{} {}", bill.currency, format_amount(bill.value_cents)),
        ),
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

/// An email address safe to put in a header: one `@`, no spaces, quotes, angle
/// brackets, commas or control characters. Anything else is not used.
pub fn checked_address(raw: &str) -> Option<String> {
    let a = raw.trim();
    let (local, domain) = a.split_once('@')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    };
    (ok(local) && ok(domain) && !domain.contains('@') && domain.contains('.') && a.len() <= 254)
        .then(|| a.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    /// Claimed by a sender; if it stays so, that sender stopped mid-way.
    Sending,
    Sent,
    /// Taken out by staff; it will not be sent.
    Dropped,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dropped => "dropped",
        }
    }

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
    pub id: i64,
    pub case_id: i64,
    pub rma: String,
    pub kind: MessageKind,
    pub to_address: Option<String>,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub sent_via: Option<String>,
    pub dropped: Option<Dropped>,
}

/// Who took a message out of the outbox, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl OutboxMessage {
    /// The message as RFC 5322 mail (CRLF line ends), from `from`.
    pub fn to_mail(&self, from: &str, now: DateTime<Utc>) -> Result<String, String> {
        let to = self
            .to_address
            .as_deref()
            .and_then(checked_address)
            .ok_or_else(|| {
                format!(
                    "{} has no usable customer email address in the sales registry: write to the customer another way (the message stays in the outbox)",
                    self.rma
                )
            })?;
        let from = clean_line(from);
        if from.is_empty() {
            return Err(
                "no sender address is set: set [mail] from or [shop] email in config.toml".into(),
            );
        }
        let domain = from
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('>'))
            .filter(|d| checked_address(&format!("x@{d}")).is_some())
            .unwrap_or("rmaboard.invalid");
        let mut out = String::new();
        let mut header = |name: &str, value: &str| {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push_str("\r\n");
        };
        header("From", &encode_header(&from));
        header("To", &to);
        header("Subject", &encode_header(&clean_line(&self.subject)));
        header("Date", &now.to_rfc2822());
        header(
            "Message-ID",
            &format!("<rmaboard.{}.{}@{domain}>", self.id, self.rma),
        );
        header("MIME-Version", "1.0");
        header("Content-Type", "text/plain; charset=utf-8");
        header("Content-Transfer-Encoding", "8bit");
        // The empty line that ends the headers comes from the first body line's break.
        for line in clean_text(&self.body).split('\n') {
            out.push_str("\r\n");
            out.push_str(line);
        }
        out.push_str("\r\n");
        Ok(out)
    }
}

/// A header value: plain when it is printable ASCII, else an RFC 2047 encoded word.
fn encode_header(value: &str) -> String {
    if value.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return value.to_string();
    }
    format!("=?utf-8?B?{}?=", base64(value.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_templates_parse_and_fill_everything() {
        for kind in [MessageKind::RmaInstructions, MessageKind::ShippingNotice] {
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
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode_header("Caf\u{e9}"), "=?utf-8?B?Q2Fmw6k=?=");
    }
}

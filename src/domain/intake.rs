//! Intake: what the customer's mail says. The IMEIs, RMA numbers and tracking numbers
//! written in a mail's text, the request it becomes, its 48-hour clock and the answers
//! the policy allows.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::imei::{Imei, check_digit};
use super::rma::RmaNumber;
use super::tracking::TrackingNumber;

/// Characters people put between the groups of a long number: space, dash, the Unicode
/// dashes and the no-break space.
fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{2010}'..='\u{2015}' | '\u{00a0}')
}

/// Runs of digit groups: `35 209900 176148 1` is one run of four groups. A run ends at
/// anything but a single separator between two digits; a run touching a letter is a
/// reference of some other kind and is left out.
fn digit_runs(text: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let glued_before = i > 0 && chars[i - 1].is_alphanumeric();
        let mut groups = Vec::new();
        let mut group = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() {
                group.push(c);
                i += 1;
            } else if is_group_separator(c) && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                groups.push(std::mem::take(&mut group));
                i += 1;
            } else {
                break;
            }
        }
        groups.push(group);
        let glued_after = chars.get(i).is_some_and(|c| c.is_alphanumeric());
        if !glued_before && !glued_after {
            runs.push(groups);
        }
    }
    runs
}

/// Every IMEI written in `text`, in order and once each: 15 digits, also in groups
/// with spaces or dashes, with a right Luhn check digit. Several in one run (a reseller's
/// list on one line) are all found; a longer number (an IMEISV, a phone number) is not
/// taken apart into a false one.
pub fn find_imeis(text: &str) -> Vec<Imei> {
    let mut found: Vec<Imei> = Vec::new();
    for groups in digit_runs(text) {
        let mut start = 0;
        while start < groups.len() {
            let mut digits = String::new();
            let mut end = start;
            while end < groups.len() && digits.len() < 15 {
                digits.push_str(&groups[end]);
                end += 1;
            }
            let luhn_ok =
                digits.len() == 15 && check_digit(&digits[..14]) == digits.as_bytes()[14] - b'0';
            if luhn_ok && let Ok(imei) = Imei::parse(&digits) {
                if !found.contains(&imei) {
                    found.push(imei);
                }
                start = end;
            } else {
                start += 1;
            }
        }
    }
    found
}

/// Words of a text: runs of letters, digits and dashes.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
}

/// Every RMA number written in `text` (`RMA-2026-00042`), once each.
pub fn find_rma_numbers(text: &str) -> Vec<RmaNumber> {
    let mut found = Vec::new();
    for w in words(text) {
        if RmaNumber::looks_like(w)
            && let Ok(rma) = RmaNumber::parse(w)
            && !found.contains(&rma)
        {
            found.push(rma);
        }
    }
    found
}

/// Tracking numbers written in `text`, once each, S10 first. A UPU S10 number (two
/// letters, nine digits, two letters; spaces allowed, `RR 123 456 785 CN`) counts
/// anywhere when its check digit is right, and so does a UPS `1Z` number. Other
/// carriers' numbers (DHL, GLS, FedEx: 8 to 30 letters and digits, mostly digits) count
/// only on a line that says "tracking", "track" or "Sendung", so an order number is not
/// taken for one.
pub fn find_tracking_numbers(text: &str) -> Vec<TrackingNumber> {
    let mut found: Vec<TrackingNumber> = Vec::new();
    let push = |t: TrackingNumber, found: &mut Vec<TrackingNumber>| {
        if !found.contains(&t) {
            found.push(t);
        }
    };
    for line in text.lines() {
        // S10, glued or spaced as labels print it: look at the line without spaces.
        let squeezed: Vec<char> = line
            .chars()
            .filter(|c| *c != ' ' && *c != '\u{00a0}')
            .collect();
        for start in 0..squeezed.len().saturating_sub(12) {
            let window: String = squeezed[start..start + 13].iter().collect();
            let before = start.checked_sub(1).map(|i| squeezed[i]);
            let after = squeezed.get(start + 13);
            if before.is_some_and(|c| c.is_ascii_alphanumeric())
                || after.is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            if is_s10_shaped(&window)
                && let Ok(t) = TrackingNumber::parse(&window)
            {
                push(t, &mut found);
            }
        }
    }
    for line in text.lines() {
        let lower = line.to_lowercase();
        let says_tracking = ["tracking", "track", "sendung"]
            .iter()
            .any(|w| lower.contains(w));
        for w in words(line) {
            let upper = w.to_ascii_uppercase();
            let ups = upper.len() == 18
                && upper.starts_with("1Z")
                && upper.bytes().all(|b| b.is_ascii_alphanumeric());
            let digits = upper.bytes().filter(u8::is_ascii_digit).count();
            let carrier = says_tracking
                && (8..=30).contains(&upper.len())
                && upper.bytes().all(|b| b.is_ascii_alphanumeric())
                && digits * 2 > upper.len()
                && !RmaNumber::looks_like(&upper)
                && Imei::parse(&upper).is_err();
            if (ups || carrier)
                && let Ok(t) = TrackingNumber::parse(&upper)
            {
                push(t, &mut found);
            }
        }
    }
    found
}

fn is_s10_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 13
        && b[..2].iter().all(u8::is_ascii_alphabetic)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_alphabetic)
}

/// Words of a mail that could be a customer number (`C-1001`, `K12345`): letters,
/// digits and dashes with at least one digit, 3 to 30 long. The registry decides which
/// one is.
pub fn customer_number_candidates(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(text) {
        let w = w.to_string();
        if (3..=30).contains(&w.chars().count())
            && w.chars().any(|c| c.is_ascii_digit())
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    out
}

/// Why a request is refused, as the policy words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The device is not in the sales registry.
    NotSoldByUs,
    /// The guarantee's year is over.
    Expired,
    /// Accessories, wear parts, separately bought components, software.
    NotCovered,
    /// Damage by incorrect use, willful or accidental damage, theft, unauthorised software.
    Void,
    /// The device itself is not defective (the policy's troubleshooting: another charger,
    /// a software question).
    NotADefect,
}

impl RefusalReason {
    /// Every reason, in the order the command line lists them.
    pub const ALL: [RefusalReason; 5] = [
        RefusalReason::NotSoldByUs,
        RefusalReason::Expired,
        RefusalReason::NotCovered,
        RefusalReason::Void,
        RefusalReason::NotADefect,
    ];

    /// The snake_case name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::NotSoldByUs => "not_sold_by_us",
            RefusalReason::Expired => "expired",
            RefusalReason::NotCovered => "not_covered",
            RefusalReason::Void => "void",
            RefusalReason::NotADefect => "not_a_defect",
        }
    }

    /// The reason a stored name stands for.
    pub fn parse(s: &str) -> Option<RefusalReason> {
        RefusalReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// In a sentence to the customer: "the device was not sold by us".
    pub fn describe(self) -> &'static str {
        match self {
            RefusalReason::NotSoldByUs => "the device was not sold by us",
            RefusalReason::Expired => "the device's one-year guarantee has ended",
            RefusalReason::NotCovered => "the part concerned is not covered by the guarantee",
            RefusalReason::Void => "the guarantee is void for this damage",
            RefusalReason::NotADefect => "the device itself does not appear to be defective",
        }
    }

    /// The clause of the shop's warranty policy behind the reason, word for word.
    pub fn clause(self) -> &'static str {
        match self {
            RefusalReason::NotSoldByUs => {
                "We cannot offer any guarantee to products that were not sold through our shop, and will not accept any items for repair that were not sold by us."
            }
            RefusalReason::Expired => {
                "As a customer of CECT-SHOP, you can enjoy a 1-year guarantee on goods purchased from our online store, effective from 5 days after the date when we dispatch your goods."
            }
            RefusalReason::NotCovered => {
                "The guarantee does not cover the supplied accessories and wearable components such as batteries, chargers, USB cables, headphones etc, nor does it cover separately purchased hardware components such as speakers, microphones, displays etc. The guarantee does not cover the software or operating system of any device."
            }
            RefusalReason::Void => {
                "The guarantee will be void if the product is damaged through incorrect use, for example by being dropped, water damage, etc. The guarantee will be void if the user makes any changes or updates to the software or operating system which were not explicitly authorised by CECT-SHOP. The guarantee does not cover willful or accidental damage by the purchaser or any other party, and does not cover theft."
            }
            RefusalReason::NotADefect => {
                "Please check carefully which part of the device is broken. For example, if a smartphone is not charging, this is usually not due to the handset being damaged, but is more likely to be due to a damaged adapter or cable. Therefore we ask you to try alternative peripherals to confirm that the device itself is defective."
            }
        }
    }
}

/// How a request was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Cases were opened and the RMA instructions drafted.
    Opened,
    /// Refused, with the reason.
    Refused(RefusalReason),
    /// A question was asked; the request stays open but was answered in time.
    Asked,
}

impl Answer {
    /// The name stored in the database: `opened`, `refused` or `asked`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Answer::Opened => "opened",
            Answer::Refused(_) => "refused",
            Answer::Asked => "asked",
        }
    }

    /// For a person: "opened", "refused (expired)", "asked".
    pub fn label(&self) -> String {
        match self {
            Answer::Refused(r) => format!("refused ({})", r.as_str()),
            other => other.as_str().to_string(),
        }
    }
}

/// A file that came with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the customer gave it (cleaned).
    pub name: String,
    /// Its MIME type, e.g. `image/jpeg`.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Where it is kept, relative to the attachments folder.
    pub file: String,
}

/// A customer's mail as read from the inbox, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The Message-ID without angle brackets; for a mail without one, a hash of its
    /// bytes (see [`SYNTHETIC_ID_PREFIX`]).
    pub message_id: String,
    /// The mail's Date, else the file's time.
    pub received_at: DateTime<Utc>,
    /// The sender's address, checked; `None` when it has none usable.
    pub from_address: Option<String>,
    /// The sender's display name, cleaned.
    pub from_name: Option<String>,
    /// The subject, cleaned (encoded words decoded).
    pub subject: String,
    /// The plain text, cleaned; an HTML-only mail's text.
    pub body: String,
    /// The attached files.
    pub attachments: Vec<MailAttachment>,
    /// The file the mail was read from.
    pub source: String,
    /// The Message-IDs it answers (`In-Reply-To`, then `References`), without angle
    /// brackets.
    pub replies_to: Vec<String>,
}

/// A file attached to a mail, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// The file name the sender gave it (cleaned), or `attachment`.
    pub name: String,
    /// Its MIME type, lower-case, e.g. `image/jpeg`.
    pub content_type: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// Starts the made-up Message-ID of a mail that had none: nobody's to reply to.
pub const SYNTHETIC_ID_PREFIX: &str = "sha256-";

impl Mail {
    /// Subject and text together, where numbers are looked for.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.subject, self.body)
    }

    /// What the mail is: a confirmation of a parcel (it names RMA numbers and a
    /// tracking number; the first tracking number counts), else a request.
    pub fn kind(&self) -> MailKind {
        let text = self.text();
        let rmas = find_rma_numbers(&text);
        let tracking = find_tracking_numbers(&text);
        match (rmas.is_empty(), tracking.first()) {
            (false, Some(t)) => MailKind::Confirmation {
                rmas,
                tracking: t.clone(),
            },
            _ => MailKind::Request {
                imeis: find_imeis(&text),
            },
        }
    }
}

/// What a customer's mail is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// A new request, with the IMEIs found in it.
    Request {
        /// The devices, in the order written.
        imeis: Vec<Imei>,
    },
    /// The customer confirms the parcel of one case or several (a reseller's parcel).
    Confirmation {
        /// The cases' RMA numbers, in the order written.
        rmas: Vec<RmaNumber>,
        /// The parcel's tracking number.
        tracking: TrackingNumber,
    },
}

/// A customer's mail waiting for (or having had) the shop's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Its number, as staff give it to `answer`.
    pub id: i64,
    /// The mail's Message-ID (or a hash of its bytes when it had none).
    pub message_id: String,
    /// When it was received: the mail's Date, else its file's time.
    pub received_at: DateTime<Utc>,
    /// The sender's address, if usable.
    pub from_address: Option<String>,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// The subject.
    pub subject: String,
    /// The plain text.
    pub body: String,
    /// The customer number matched against the registry.
    pub customer_number: Option<String>,
    /// That customer's name in the registry, if it has one.
    pub customer_name: Option<String>,
    /// The IMEIs found in the text.
    pub imeis: Vec<Imei>,
    /// The attachments kept.
    pub attachments: Vec<Attachment>,
    /// The first answer, who gave it and when.
    pub answered: Option<Answered>,
    /// The earlier request this mail replies to (the customer answering the shop's
    /// question, say), if any.
    pub follows: Option<i64>,
}

/// The first answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// Which answer.
    pub answer: Answer,
    /// When.
    pub at: DateTime<Utc>,
    /// The staff member's login.
    pub by: String,
    /// How many messages have been drafted in answer, the first included. Every answer
    /// adds one (a second question, the cases opened after one), so a terminal that saw
    /// fewer has missed a colleague's answer.
    pub messages: u32,
}

impl Request {
    /// Waiting for cases or a refusal: not answered, or only asked a question (its clock
    /// stopped at the question).
    pub fn is_open(&self) -> bool {
        self.answered
            .as_ref()
            .is_none_or(|a| a.answer == Answer::Asked)
    }

    /// Late: answered after `hours`, or still open `hours` after it came in.
    pub fn is_late(&self, hours: u32, now: DateTime<Utc>) -> bool {
        let limit = self.received_at + Duration::hours(i64::from(hours));
        match &self.answered {
            Some(a) => a.at > limit,
            None => now > limit,
        }
    }

    /// Who it is from, as the board shows it: the reseller's name in the registry, else
    /// who wrote.
    pub fn customer_or_sender(&self) -> String {
        self.customer_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| self.sender())
    }

    /// Who wrote: the display name, else the address.
    pub fn sender(&self) -> String {
        self.from_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| self.from_address.clone())
            .unwrap_or_else(|| "unknown sender".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[Imei]) -> Vec<&str> {
        v.iter().map(Imei::as_str).collect()
    }

    #[test]
    fn imeis_are_found_glued_grouped_and_listed() {
        let text = "Device 1: 490154203237518\n\
                    Device 2: 26-053179-311383-7\n\
                    IMEI 35 209900 176148 1, and again 490154203237518";
        assert_eq!(
            strs(&find_imeis(text)),
            ["490154203237518", "260531793113837", "352099001761481"]
        );
        // Two on one line separated by a space are two.
        assert_eq!(
            strs(&find_imeis("490154203237518 260531793113837")),
            ["490154203237518", "260531793113837"]
        );
    }

    #[test]
    fn wrong_check_digits_and_longer_numbers_are_not_imeis() {
        // Check digit 9 instead of 8.
        assert!(find_imeis("IMEI 490154203237519").is_empty());
        // An IMEISV (16 digits) and a number glued to letters.
        assert!(find_imeis("SV 4901542032375180").is_empty());
        assert!(find_imeis("order X490154203237518").is_empty());
    }

    #[test]
    fn rma_and_tracking_numbers_are_found() {
        let text = "Hello, the parcel for rma-2026-00042 is on its way.\n\
                    Tracking: RR 123 456 785 CN\n";
        assert_eq!(find_rma_numbers(text), [RmaNumber::new(2026, 42)]);
        let t = find_tracking_numbers(text);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].as_str(), "RR123456785CN");
    }

    #[test]
    fn other_carriers_count_on_a_tracking_line_only() {
        let ups = find_tracking_numbers("sent with UPS 1Z999AA10123456784 today");
        assert_eq!(ups.len(), 1);
        assert_eq!(ups[0].as_str(), "1Z999AA10123456784");
        let dhl = find_tracking_numbers("DHL tracking number: 00340434161094042557");
        assert_eq!(dhl[0].as_str(), "00340434161094042557");
        // An order number without the word is not a tracking number.
        assert!(find_tracking_numbers("order 00340434161094042557").is_empty());
        // An S10 with a wrong check digit is not one either.
        assert!(find_tracking_numbers("RR123456784CN").is_empty());
    }

    #[test]
    fn lateness_is_measured_from_receipt() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap();
        let mut r = Request {
            id: 1,
            message_id: "m".into(),
            received_at: at,
            from_address: None,
            from_name: None,
            subject: String::new(),
            body: String::new(),
            customer_number: None,
            customer_name: None,
            imeis: vec![],
            attachments: vec![],
            answered: None,
            follows: None,
        };
        assert!(!r.is_late(48, at + Duration::hours(48)));
        assert!(r.is_late(48, at + Duration::hours(48) + Duration::seconds(1)));
        r.answered = Some(Answered {
            answer: Answer::Asked,
            at: at + Duration::hours(47),
            by: "ann".into(),
            messages: 1,
        });
        assert!(!r.is_late(48, at + Duration::hours(100)));
    }
}

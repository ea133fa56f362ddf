//! What the command line prints: the JSON case object (a contract), CSV rows and the
//! human-readable forms. Text is cleaned again on the way out.

use serde::Serialize;

use crate::domain::case::{Case, CaseDetail};
use crate::domain::event::{EventField, EventKind};
use crate::domain::text::{clean_line, clean_text};
use crate::domain::time::{local_minutes, rfc3339};
use crate::domain::warranty::Assessment;

/// The case object of `rmaboard show --json` and `export --format json`; its keys are a contract.
#[derive(Debug, Serialize)]
pub struct CaseJson {
    /// The RMA number.
    pub rma: String,
    /// The device's IMEI.
    pub imei: String,
    /// The stage's snake_case name.
    pub stage: &'static str,
    /// How the repair ended; `null` while it is under way.
    pub outcome: Option<&'static str>,
    /// The warranty verdict's name.
    pub verdict: &'static str,
    /// The exclusion or void reason behind `verdict`, if any.
    pub verdict_detail: Option<&'static str>,
    /// The verdict's explanation in a sentence.
    pub verdict_reason: String,
    /// Why the case was opened as goodwill; `null` when it was not.
    pub goodwill: Option<String>,
    /// The sales order, from the sales registry.
    pub order_number: String,
    /// The customer, from the sales registry.
    pub customer_number: String,
    /// The device model.
    pub model: String,
    /// The customer's description of the fault.
    pub fault: String,
    /// The part reported faulty.
    pub part: &'static str,
    /// The inbound tracking number; `null` until known.
    pub tracking_in: Option<String>,
    /// The manufacturer's reference; `null` until sent.
    pub manufacturer_ref: Option<String>,
    /// The outbound China Post S10 number; `null` until shipped.
    pub tracking_out: Option<String>,
    /// Trips to the manufacturer.
    pub rounds: u32,
    /// When the customer claimed, RFC 3339 in UTC.
    pub claimed_at: String,
    /// When the RMA number was issued, RFC 3339 in UTC.
    pub opened_at: String,
    /// When the case entered its stage (or its current manufacturer round), RFC 3339 in UTC.
    pub stage_since: String,
    /// When the case was last written, RFC 3339 in UTC.
    pub updated_at: String,
    /// Bumped by every write.
    pub version: i64,
    /// The repair notes, oldest first.
    pub notes: Vec<NoteJson>,
    /// The history, oldest first.
    pub events: Vec<EventJson>,
    /// The photos and other files of the customer's mail the case was opened from.
    pub attachments: Vec<super::intake::AttachmentJson>,
}

/// A repair note in the case object.
#[derive(Debug, Serialize)]
pub struct NoteJson {
    /// When it was written, RFC 3339 in UTC.
    pub at: String,
    /// The staff member's login.
    pub author: String,
    /// The note.
    pub text: String,
}

/// An event in the case object.
#[derive(Debug, Serialize)]
pub struct EventJson {
    /// When it happened, RFC 3339 in UTC.
    pub at: String,
    /// The staff member's login.
    pub author: String,
    /// The staff action.
    pub kind: EventKind,
    /// The field that changed.
    pub field: EventField,
    /// The value before; `null` when the field was empty.
    pub from: Option<String>,
    /// The value after; `null` when the field was cleared.
    pub to: Option<String>,
}

impl CaseJson {
    /// The case object for a case with its notes, history and attachments (kept in
    /// `attachments_dir`).
    pub fn new(d: &CaseDetail, attachments_dir: &std::path::Path) -> CaseJson {
        let c = &d.case;
        CaseJson {
            rma: c.rma.to_string(),
            imei: c.imei.to_string(),
            stage: c.stage.as_str(),
            outcome: c.outcome.map(|o| o.as_str()),
            verdict: c.verdict.as_str(),
            verdict_detail: c.verdict.detail(),
            verdict_reason: c.verdict_reason.clone(),
            goodwill: c.goodwill.clone(),
            order_number: c.order_number.clone(),
            customer_number: c.customer_number.clone(),
            model: c.model.clone(),
            fault: c.fault.clone(),
            part: c.part.as_str(),
            tracking_in: c.tracking_in.clone(),
            manufacturer_ref: c.manufacturer_ref.clone(),
            tracking_out: c.tracking_out.clone(),
            rounds: c.rounds,
            claimed_at: rfc3339(c.claimed_at),
            opened_at: rfc3339(c.opened_at),
            stage_since: rfc3339(c.stage_since),
            updated_at: rfc3339(c.updated_at),
            version: c.version,
            notes: d
                .notes
                .iter()
                .map(|n| NoteJson {
                    at: rfc3339(n.at),
                    author: n.author.clone(),
                    text: n.text.clone(),
                })
                .collect(),
            events: d
                .events
                .iter()
                .map(|e| EventJson {
                    at: rfc3339(e.at),
                    author: e.author.clone(),
                    kind: e.kind.clone(),
                    field: e.field.clone(),
                    from: e.from.clone(),
                    to: e.to.clone(),
                })
                .collect(),
            attachments: d
                .attachments
                .iter()
                .map(|a| super::intake::AttachmentJson::new(a, attachments_dir))
                .collect(),
        }
    }
}

/// The attachments of a case, a line each: name, type, size and where it is kept. (The
/// terminal shows no images; the path opens them.)
pub fn human_attachments(
    attachments: &[crate::domain::intake::Attachment],
    dir: &std::path::Path,
) -> String {
    let mut out = String::new();
    for a in attachments {
        out.push_str(&format!(
            "{:<17}{} ({}, {} bytes) {}\n",
            "Attachment",
            clean_line(&a.name),
            clean_line(&a.content_type),
            a.size,
            clean_line(&dir.join(&a.file).display().to_string())
        ));
    }
    out
}

/// The verdict object of `rmaboard warranty --json`.
#[derive(Debug, Serialize)]
pub struct AssessmentJson {
    /// The device's IMEI, as normalised.
    pub imei: String,
    /// The verdict's name.
    pub verdict: &'static str,
    /// The verdict's explanation in a sentence.
    pub reason: String,
    /// The guarantee's first day, `YYYY-MM-DD`; `null` when the IMEI is not in the sales registry.
    pub starts_on: Option<String>,
    /// The guarantee's last day (inclusive), `YYYY-MM-DD`; `null` when the IMEI is not in
    /// the sales registry.
    pub ends_on: Option<String>,
}

impl AssessmentJson {
    /// The verdict object for `imei`.
    pub fn new(imei: &str, a: &Assessment) -> AssessmentJson {
        AssessmentJson {
            imei: imei.to_string(),
            verdict: a.verdict.as_str(),
            reason: a.reason.clone(),
            starts_on: a.starts_on.map(|d| d.to_string()),
            ends_on: a.ends_on.map(|d| d.to_string()),
        }
    }
}

/// One reseller of `rmaboard resellers --json`; its keys are a contract.
#[derive(Debug, Serialize)]
pub struct ResellerJson {
    /// The customer number of the sales registry.
    pub customer_number: String,
    /// The name on its latest sale that has one; `null` when none has.
    pub name: Option<String>,
    /// The country on its latest sale that has one; `null` when none has.
    pub country: Option<String>,
    /// Cases not yet shipped.
    pub open: u64,
    /// Cases late on their stage's clock.
    pub late: u64,
    /// Cases shipped back in the last 30 days.
    pub shipped_30d: u64,
}

impl ResellerJson {
    /// The object for one reseller.
    pub fn new(r: &crate::store::Reseller) -> ResellerJson {
        ResellerJson {
            customer_number: clean_line(&r.customer_number),
            name: r.name.as_deref().map(clean_line),
            country: r.country.as_deref().map(clean_line),
            open: r.open,
            late: r.late,
            shipped_30d: r.shipped_30d,
        }
    }
}

/// `rmaboard resellers` for people: a header and one aligned line per reseller.
pub fn resellers_table(all: &[crate::store::Reseller]) -> String {
    let cut = |s: &str, n: usize| clean_line(s).chars().take(n).collect::<String>();
    let rows: Vec<[String; 6]> = all
        .iter()
        .map(|r| {
            [
                cut(&r.customer_number, 20),
                cut(r.name.as_deref().unwrap_or("(no name)"), 32),
                cut(r.country.as_deref().unwrap_or("-"), 12),
                r.open.to_string(),
                r.late.to_string(),
                r.shipped_30d.to_string(),
            ]
        })
        .collect();
    let header = [
        "CUSTOMER".to_string(),
        "NAME".into(),
        "COUNTRY".into(),
        "OPEN".into(),
        "LATE".into(),
        format!("SHIPPED {}D", crate::store::SHIPPED_DAYS),
    ];
    // Columns as a terminal draws them: 张伟 takes four cells, not two.
    let cells = |s: &str| ratatui::text::Span::raw(s).width();
    let mut width = [0usize; 6];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cells(cell));
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(width).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cells(cell)));
            match i {
                0..=2 => line.push_str(&format!("{cell}{pad}  ")),
                _ => line.push_str(&format!("{pad}{cell}  ")),
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The CSV export's columns, one row per case.
pub const CSV_HEADER: [&str; 22] = [
    "rma",
    "imei",
    "stage",
    "outcome",
    "verdict",
    "verdict_detail",
    "goodwill",
    "order_number",
    "customer_number",
    "model",
    "fault",
    "part",
    "tracking_in",
    "manufacturer_ref",
    "tracking_out",
    "rounds",
    "claimed_at",
    "opened_at",
    "stage_since",
    "updated_at",
    "version",
    "notes",
];

/// Spreadsheets run cells starting with these as formulas: prefix a quote.
fn cell(s: &str) -> String {
    let s = clean_line(s);
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    }
}

/// One case as a CSV row of the export, in the order of its header; `notes` is its note count.
pub fn csv_row(c: &Case, notes: usize) -> Vec<String> {
    let opt = |o: &Option<String>| o.as_deref().map(cell).unwrap_or_default();
    vec![
        c.rma.to_string(),
        c.imei.to_string(),
        c.stage.to_string(),
        c.outcome.map(|o| o.to_string()).unwrap_or_default(),
        c.verdict.as_str().to_string(),
        c.verdict.detail().unwrap_or_default().to_string(),
        opt(&c.goodwill),
        cell(&c.order_number),
        cell(&c.customer_number),
        cell(&c.model),
        cell(&c.fault),
        c.part.to_string(),
        opt(&c.tracking_in),
        opt(&c.manufacturer_ref),
        opt(&c.tracking_out),
        c.rounds.to_string(),
        rfc3339(c.claimed_at),
        rfc3339(c.opened_at),
        rfc3339(c.stage_since),
        rfc3339(c.updated_at),
        c.version.to_string(),
        notes.to_string(),
    ]
}

/// `rmaboard show` for people.
pub fn human_detail(d: &CaseDetail, attachments: &str) -> String {
    let c = &d.case;
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        if !value.is_empty() {
            out.push_str(&format!("{label:<17}{}\n", clean_line(value)));
        }
    };
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    line("RMA", &c.rma.to_string());
    line("IMEI", c.imei.as_str());
    line(
        "Stage",
        &format!("{} since {}", c.stage, local_minutes(c.stage_since)),
    );
    line(
        "Outcome",
        &c.outcome.map(|o| o.describe(c.verdict)).unwrap_or_default(),
    );
    line(
        "Verdict",
        &format!(
            "{} - {}",
            crate::domain::case::verdict_label(c.verdict),
            c.verdict_reason
        ),
    );
    line("Goodwill", &opt(&c.goodwill));
    line("Model", &c.model);
    line("Order", &c.order_number);
    line("Customer", &c.customer_number);
    if let Some(s) = &d.sale {
        line("Customer name", &opt(&s.customer_name));
        line("Country", &opt(&s.country));
        line("Dispatched", &s.dispatched_on.to_string());
    }
    line("Part", c.part.as_str());
    line("Fault", &c.fault);
    line("Tracking in", &opt(&c.tracking_in));
    line("Manufacturer ref", &opt(&c.manufacturer_ref));
    line("Tracking out", &opt(&c.tracking_out));
    line("Rounds", &c.rounds.to_string());
    line("Claimed", &local_minutes(c.claimed_at));
    line("Opened", &local_minutes(c.opened_at));
    line(
        "Updated",
        &format!("{} (version {})", local_minutes(c.updated_at), c.version),
    );
    out.push_str(attachments);
    if !d.notes.is_empty() {
        out.push_str("\nNotes\n");
        for n in &d.notes {
            out.push_str(&format!(
                "  {} {}:\n",
                local_minutes(n.at),
                clean_line(&n.author)
            ));
            for l in clean_text(&n.text).lines() {
                out.push_str(&format!("    {l}\n"));
            }
        }
    }
    out.push_str("\nHistory\n");
    for e in &d.events {
        let from = e
            .from
            .as_deref()
            .map(clean_line)
            .unwrap_or_else(|| "-".into());
        let to =
            e.to.as_deref()
                .map(clean_line)
                .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "  {} {:<10} {:<13} {}: {} -> {}\n",
            local_minutes(e.at),
            clean_line(&e.author),
            clean_line(e.kind.as_str()),
            clean_line(e.field.as_str()),
            from,
            to
        ));
    }
    out
}

/// One line per case for `rmaboard list`.
pub fn human_line(c: &Case) -> String {
    format!(
        "{}  {:<15}  {:<15}  {:<20}  {}",
        c.rma,
        c.stage.as_str(),
        c.imei,
        clean_line(&c.model).chars().take(20).collect::<String>(),
        local_minutes(c.stage_since)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Reseller;

    fn reseller(number: &str, name: &str) -> Reseller {
        Reseller {
            customer_number: number.into(),
            name: Some(name.into()),
            email: None,
            address: None,
            country: Some("CN".into()),
            phone: None,
            open: 12,
            late: 1,
            shipped_30d: 3,
        }
    }

    /// Columns line up as a terminal draws them, wide CJK letters too.
    #[test]
    fn the_resellers_table_lines_up_wide_names() {
        let table = resellers_table(&[
            reseller("C-1", "Smart Gent BV"),
            reseller("C-2", "张伟 Mobile"),
        ]);
        let country_at: Vec<usize> = table
            .lines()
            .map(|l| {
                let before = &l[..l.find(" CN").or_else(|| l.find(" COUNTRY")).unwrap()];
                ratatui::text::Span::raw(before).width()
            })
            .collect();
        assert_eq!(country_at, [country_at[0]; 3], "{table}");
        assert!(
            table
                .lines()
                .all(|l| l.ends_with('3') || l.ends_with("30D")),
            "{table}"
        );
    }
}

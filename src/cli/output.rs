//! What the command line prints: the JSON case object (a contract), CSV rows and the
//! human-readable forms. Text is cleaned again on the way out.

use serde::Serialize;

use crate::domain::case::{Case, CaseDetail};
use crate::domain::event::{EventField, EventKind};
use crate::domain::text::{clean_line, clean_text};
use crate::domain::time::{local_minutes, rfc3339};
use crate::domain::warranty::Assessment;

#[derive(Debug, Serialize)]
pub struct CaseJson {
    pub rma: String,
    pub imei: String,
    pub stage: &'static str,
    pub outcome: Option<&'static str>,
    pub verdict: &'static str,
    /// The exclusion or void reason behind `verdict`, if any.
    pub verdict_detail: Option<&'static str>,
    pub verdict_reason: String,
    pub goodwill: Option<String>,
    pub order_number: String,
    pub customer_number: String,
    pub model: String,
    pub fault: String,
    pub part: &'static str,
    pub tracking_in: Option<String>,
    pub manufacturer_ref: Option<String>,
    pub tracking_out: Option<String>,
    pub rounds: u32,
    pub claimed_at: String,
    pub opened_at: String,
    pub stage_since: String,
    pub updated_at: String,
    pub version: i64,
    pub notes: Vec<NoteJson>,
    pub events: Vec<EventJson>,
}

#[derive(Debug, Serialize)]
pub struct NoteJson {
    pub at: String,
    pub author: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct EventJson {
    pub at: String,
    pub author: String,
    pub kind: EventKind,
    pub field: EventField,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl CaseJson {
    pub fn new(d: &CaseDetail) -> CaseJson {
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
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AssessmentJson {
    pub imei: String,
    pub verdict: &'static str,
    pub reason: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

impl AssessmentJson {
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
pub fn human_detail(d: &CaseDetail) -> String {
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
        &c.outcome.map(|o| o.to_string()).unwrap_or_default(),
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

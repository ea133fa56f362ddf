//! `rmaboard report`: the workshop report as text or JSON. The numbers come from
//! `Workshop::report`, as on the board.

use std::fmt::Write as _;

use chrono::Local;

use super::{Failure, Outcome, print_json, progress_bar};
use crate::domain::text::clean_line;
use crate::domain::time::{local_date, local_minutes, parse_date};
use crate::report::{Period, Report, show_hours, show_share};
use crate::workshop::Workshop;

pub(super) fn run(ws: &Workshop, from: Option<&str>, to: Option<&str>, json: bool) -> Outcome {
    let now = ws.now();
    let date = |flag: &str, d: Option<&str>| {
        d.map(parse_date)
            .transpose()
            .map_err(|e| Failure::field(flag, e))
    };
    let period = Period::new(
        date("--from", from)?,
        date("--to", to)?,
        local_date(now),
        &Local,
    )
    .map_err(|e| Failure::new(e.to_string()))?;
    let bar = progress_bar(None, "reading the history");
    let report = ws.report(period, Local, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    if json {
        print_json(&report)
    } else {
        print!("{}", human(&report));
        Ok(())
    }
}

/// The report for people, in plain text.
pub fn human(r: &Report) -> String {
    let mut o = String::new();
    let p = &r.period;
    let _ = writeln!(
        o,
        "Workshop report {} to {} (at {})",
        p.from,
        p.to,
        local_minutes(r.generated_at)
    );

    let _ = writeln!(o, "\nCases now            cases   late");
    for s in &r.stages {
        let _ = writeln!(o, "  {:<17} {:>6} {:>6}", s.stage.as_str(), s.cases, s.late);
    }

    let _ = writeln!(o, "\nPer week (Monday)   intake shipped");
    for w in &r.weeks {
        let week = w.week.to_string();
        let _ = writeln!(o, "  {week:<17} {:>6} {:>7}", w.intake, w.shipped);
    }

    let _ = writeln!(
        o,
        "\nTime in stage      intervals still in   median  90th pct"
    );
    for t in &r.time_in_stage {
        let _ = writeln!(
            o,
            "  {:<17} {:>8} {:>8} {:>8} {:>9}",
            t.stage.as_str(),
            t.intervals,
            t.still_in,
            show_hours(t.median_hours),
            show_hours(t.p90_hours)
        );
    }

    let _ = writeln!(
        o,
        "\nManufacturer turnaround ({} ended in the period)",
        crate::domain::text::count(r.turnaround.rounds, "round")
    );
    let most = r
        .turnaround
        .buckets
        .iter()
        .map(|b| b.rounds)
        .max()
        .unwrap_or(0);
    for b in &r.turnaround.buckets {
        let len = if most == 0 {
            0
        } else {
            (b.rounds * 30).div_ceil(most) as usize
        };
        let _ = writeln!(o, "  {:<26} {:>6} {}", b.label, b.rounds, "#".repeat(len));
    }

    let i = &r.inspections;
    let _ = writeln!(
        o,
        "\nInspections: {} inspected, {} failed at least once ({})",
        crate::domain::text::count(i.cases, "case"),
        i.failed,
        show_share(i.failed_share)
    );

    let _ = writeln!(o, "\nVerdicts of the cases opened in the period");
    if r.verdicts.is_empty() {
        let _ = writeln!(o, "  none");
    }
    for v in &r.verdicts {
        let _ = writeln!(o, "  {:<33} {:>6}", v.verdict, v.cases);
    }

    let a = &r.answers;
    let _ = writeln!(
        o,
        "\nAnswers to customers' mail (first answer; clock {} h)",
        a.clock_hours
    );
    let _ = writeln!(
        o,
        "  week of the mail   mails answered   median  90th pct  in time  refusals"
    );
    let rows = a.weeks.iter().chain(std::iter::once(&a.total));
    for w in rows {
        let week = w.week.map_or_else(|| "all".to_string(), |d| d.to_string());
        let refusals = w
            .refusals
            .iter()
            .map(|(reason, n)| format!("{reason} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let line = format!(
            "  {week:<17} {:>6} {:>8} {:>8} {:>9} {:>8}  {refusals}",
            w.requests,
            w.answered,
            show_hours(w.median_hours),
            show_hours(w.p90_hours),
            w.within_clock_share
                .map_or_else(|| "-".to_string(), show_share),
        );
        let _ = writeln!(o, "{}", line.trim_end());
    }

    let _ = writeln!(o, "\nOverdue now: {}", r.overdue.len());
    for c in &r.overdue {
        let _ = writeln!(
            o,
            "  {}  {:<15}  {:<20}  since {}  due {}  {} over",
            clean_line(&c.rma),
            c.stage.as_str(),
            clean_line(&c.model).chars().take(20).collect::<String>(),
            local_minutes(c.since),
            local_minutes(c.due),
            crate::domain::text::count(c.days_over.max(0).unsigned_abs(), "day")
        );
    }
    o
}

//! The workshop report's queries: the numbers behind `rmaboard report` and the board's
//! report view, read in one place so both show the same.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::params;

use super::rows;
use super::{Result, Store};
use crate::domain::time::rfc3339;
use crate::domain::{Clocks, EventField, EventKind, Stage};
use crate::report::{
    History, Overdue, Period, Report, StageCount, TIMED_STAGES, VerdictCount, due, verdict_rank,
};

/// Events read between two calls of the progress callback.
const PROGRESS_EVERY: u64 = 65_536;

impl Store {
    /// The report for `period` at `now`, with calendar days and weeks in `tz`.
    /// `progress(done, total)` follows the reading of the event log, the slow part on a
    /// large store.
    pub fn report<Tz: TimeZone>(
        &self,
        period: Period,
        tz: Tz,
        clocks: &Clocks,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Report> {
        // One read transaction: every figure comes from the same moment, even while
        // colleagues write.
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let report = self.report_in_snapshot(period, tz, clocks, now, progress);
        let end = self.conn.execute_batch("COMMIT");
        let report = report?;
        end?;
        Ok(report)
    }

    fn report_in_snapshot<Tz: TimeZone>(
        &self,
        period: Period,
        tz: Tz,
        clocks: &Clocks,
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Report> {
        let counts = self.stage_counts()?;
        let mut stages = Vec::new();
        for (stage, cases) in Stage::ALL.into_iter().zip(counts) {
            stages.push(StageCount {
                stage,
                cases,
                late: self.late_count(stage, clocks, now)?,
            });
        }

        let (weeks, time_in_stage, turnaround, inspections) = {
            let mut history = History::new(period, tz.clone());
            let total: u64 = self
                .conn
                .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| {
                    r.get::<_, i64>(0)
                })?
                .max(0) as u64;
            // In id order, which is each case's own order of events, so no sort is
            // needed: a plain scan of the log.
            let mut stmt = self.conn.prepare(
                "SELECT id, case_id, at, kind, field, to_value FROM events
                 WHERE field = ?1 OR kind = ?2 ORDER BY id",
            )?;
            let mut rows =
                stmt.query([EventField::Stage.as_str(), EventKind::InspectFail.as_str()])?;
            let mut last_at = (String::new(), DateTime::<Utc>::MIN_UTC);
            let mut next_progress = PROGRESS_EVERY;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let case: i64 = r.get(1)?;
                let at = text(r, 2)?.unwrap_or_default();
                // A staff action logs several fields at one time: parse it once.
                if at != last_at.0 {
                    last_at = (at.to_string(), rows::time("events.at", at)?);
                }
                let kind = EventKind::parse(text(r, 3)?.unwrap_or_default());
                let field = EventField::parse(text(r, 4)?.unwrap_or_default());
                let to = text(r, 5)?.unwrap_or_default();
                history.event(case, last_at.1, &kind, &field, to);
                if id as u64 >= next_progress {
                    progress(id as u64, total);
                    next_progress = id as u64 + PROGRESS_EVERY;
                }
            }
            progress(total, total);
            history.finish(now)
        };

        let mut verdicts: Vec<VerdictCount> = {
            let mut stmt = self.conn.prepare(
                "SELECT verdict, verdict_detail, goodwill IS NOT NULL, count(*) FROM cases
                 WHERE opened_at >= ?1 AND opened_at < ?2 GROUP BY 1, 2, 3",
            )?;
            let mut out: Vec<VerdictCount> = Vec::new();
            let rows =
                stmt.query_map(params![rfc3339(period.start), rfc3339(period.end)], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })?;
            for row in rows {
                let (verdict, detail, goodwill, n) = row?;
                let label = match (goodwill, detail) {
                    (true, _) => "goodwill".to_string(),
                    (false, Some(d)) => format!("{verdict}:{d}"),
                    (false, None) => verdict,
                };
                match out.iter_mut().find(|v| v.verdict == label) {
                    Some(v) => v.cases += n as u64,
                    None => out.push(VerdictCount {
                        verdict: label,
                        cases: n as u64,
                    }),
                }
            }
            out
        };
        verdicts.sort_by(|a, b| {
            (verdict_rank(&a.verdict), &a.verdict).cmp(&(verdict_rank(&b.verdict), &b.verdict))
        });

        let mut overdue = Vec::new();
        for stage in TIMED_STAGES {
            let Some(cutoff) = clocks.late_before(stage, now) else {
                continue;
            };
            let mut stmt = self.conn.prepare_cached(
                "SELECT rma, model, stage_since FROM cases
                 WHERE stage = ?1 AND stage_since < ?2 ORDER BY stage_since, id",
            )?;
            let rows = stmt.query_map(params![stage.as_str(), rfc3339(cutoff)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (rma, model, since) = row?;
                let since = rows::time("cases.stage_since", &since)?;
                let Some(due) = due(clocks, stage, since) else {
                    continue;
                };
                overdue.push(Overdue {
                    rma,
                    stage,
                    model,
                    since,
                    due,
                    days_over: (now - due).num_days().max(0),
                });
            }
        }
        overdue.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.rma.cmp(&b.rma)));

        let answers = {
            let mut stmt = self.conn.prepare(
                "SELECT received_at, answered_at, refusal_reason FROM requests
                 WHERE received_at >= ?1 AND received_at < ?2 ORDER BY received_at",
            )?;
            let rows =
                stmt.query_map(params![rfc3339(period.start), rfc3339(period.end)], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })?;
            let mut requests = Vec::new();
            for row in rows {
                let (received, answered, refusal) = row?;
                let received = rows::time("requests.received_at", &received)?;
                let answered = answered
                    .map(|a| rows::time("requests.answered_at", &a))
                    .transpose()?;
                requests.push((received, answered.map(|at| (at, refusal))));
            }
            crate::report::answer_times(&requests, &tz, clocks.request_hours, now)
        };

        Ok(Report {
            generated_at: now,
            period,
            stages,
            weeks,
            time_in_stage,
            turnaround,
            inspections,
            verdicts,
            overdue,
            answers,
        })
    }
}

/// Text from a column, borrowed (the log scan reads a million rows).
fn text<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'a str>> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

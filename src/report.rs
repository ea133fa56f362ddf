//! The workshop report: how the pipeline is doing. One [`Report`] is computed by the
//! store (`Store::report`) and shown by both `rmaboard report` and the board, so the two
//! always agree. This module holds the plain numbers and the pure rules that make them:
//! the period, stage intervals from the event log, percentiles, turnaround buckets.
//!
//! How the figures are counted (also in the README):
//! - A stage interval runs from the event that moved a case into a stage to the event
//!   that moved it out. A failed inspection at the manufacturer starts a new round there,
//!   so it ends one interval and starts the next (as the clock does). Undone moves count
//!   like any other. Shipped is the last stage and has no interval.
//! - An interval belongs to the period in which it ended. When the period reaches today,
//!   cases still in a stage count with their time so far (a lower bound, so that stuck
//!   cases push the 90th percentile up instead of hiding).
//! - Turnaround is a finished manufacturer round (no time so far): rounds still out show
//!   in the overdue list once late.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc, Weekday};
use serde::Serialize;
use thiserror::Error;

use crate::domain::{Clocks, EventField, EventKind, Stage};

/// The stages a case spends time in (Shipped is where it ends).
pub const TIMED_STAGES: [Stage; 4] = [
    Stage::Expected,
    Stage::Received,
    Stage::AtManufacturer,
    Stage::Inspected,
];

/// Manufacturer turnaround buckets, in order. Together they cover every duration:
/// under 3 working days; from 3 working days to under 7 days; 7 to under 14 days;
/// 14 days up to one calendar month; more than one calendar month (the policy's limit).
pub const TURNAROUND_BUCKETS: [&str; 5] = [
    "under 3 working days",
    "3 working days to 1 week",
    "1-2 weeks",
    "2 weeks to 1 month",
    "over a month",
];

/// A report period that cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    /// The period ends before it starts.
    #[error("the period starts on {from} but ends on {to}: give --from on or before --to")]
    Backwards {
        /// The first day asked for.
        from: NaiveDate,
        /// The last day asked for, before `from`.
        to: NaiveDate,
    },
    /// A day the local time zone cannot place (a gap at a clock change).
    #[error("{0} cannot be placed in the local calendar: give another date")]
    NoSuchDay(NaiveDate),
}

/// The days a report covers, both ends included, in the local calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day, included.
    pub to: NaiveDate,
    /// The first instant of `from` and the first instant after `to`.
    #[serde(skip)]
    pub start: DateTime<Utc>,
    /// The first instant after `to`.
    #[serde(skip)]
    pub end: DateTime<Utc>,
}

impl Period {
    /// `from`..`to` in `tz`; by default up to `today`, from the Monday 12 weeks before
    /// this week's Monday (13 weekly bars).
    pub fn new<Tz: TimeZone>(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
        tz: &Tz,
    ) -> Result<Period, ReportError> {
        let to = to.unwrap_or(today);
        let from = match from {
            Some(from) => from,
            None => monday(to)
                .checked_sub_days(Days::new(12 * 7))
                .ok_or(ReportError::NoSuchDay(to))?,
        };
        if from > to {
            return Err(ReportError::Backwards { from, to });
        }
        let midnight =
            |d: NaiveDate| crate::domain::time::day_start(d, tz).ok_or(ReportError::NoSuchDay(d));
        Ok(Period {
            from,
            to,
            start: midnight(from)?,
            end: midnight(to.succ_opt().ok_or(ReportError::NoSuchDay(to))?)?,
        })
    }

    /// Whether an instant falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// The Monday starting `d`'s week.
pub fn monday(d: NaiveDate) -> NaiveDate {
    // Only the first days chrono can represent have no Monday before them.
    d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
        .unwrap_or(d)
}

/// Monday-to-Friday days after `from` up to and including `to` (public holidays are not
/// known, so they count as working days).
pub fn working_days(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d + Days::new(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

/// Which [`TURNAROUND_BUCKETS`] entry a round from `sent` to `back` falls in; `day` gives
/// an instant's local calendar day.
pub fn turnaround_bucket(
    sent: DateTime<Utc>,
    back: DateTime<Utc>,
    day: impl Fn(DateTime<Utc>) -> NaiveDate,
) -> usize {
    let elapsed = back - sent;
    if working_days(day(sent), day(back)) < 3 {
        0
    } else if elapsed < chrono::Duration::days(7) {
        1
    } else if elapsed < chrono::Duration::days(14) {
        2
    } else if sent
        .checked_add_months(Months::new(1))
        .is_none_or(|month| back <= month)
    {
        3
    } else {
        4
    }
}

/// Nearest-rank percentile (`p` in 0..=100) of sorted values: the smallest value with at
/// least p% of the values at or below it. `None` for no values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    sorted.get(rank as usize - 1).copied()
}

/// When a case that entered `stage` at `since` becomes late (the board's clocks).
pub fn due(clocks: &Clocks, stage: Stage, since: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let days = |n: u32| since.checked_add_days(Days::new(n.into()));
    match stage {
        Stage::Expected => days(clocks.expected_days),
        Stage::Received => days(clocks.received_days),
        Stage::AtManufacturer => since.checked_add_months(Months::new(clocks.manufacturer_months)),
        Stage::Inspected => days(clocks.inspected_days),
        Stage::Shipped => None,
    }
}

/// A time in stage for people: hours under two days, else days ("5.5 h", "3.2 d",
/// "1204 d"), never wider than [`HOURS_WIDTH`] so columns of them stay apart.
pub fn show_hours(h: Option<f64>) -> String {
    let Some(h) = h else {
        return "-".to_string();
    };
    let d = h / 24.0;
    if h.abs() < 48.0 {
        format!("{h:.1} h")
    } else if d.abs() < 1000.0 {
        format!("{d:.1} d")
    } else if d.abs() < 100_000.0 {
        format!("{d:.0} d")
    } else if d > 0.0 {
        ">99999 d".to_string()
    } else {
        "<-9999 d".to_string()
    }
}

/// The most characters [`show_hours`] gives.
pub const HOURS_WIDTH: usize = 8;

/// A share as a percentage with one decimal ("33.3%").
pub fn show_share(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Hours, to one decimal: what the JSON and the board show.
fn hours(secs: i64) -> f64 {
    (secs as f64 / 360.0).round() / 10.0
}

/// Everything the report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// When the report was computed.
    pub generated_at: DateTime<Utc>,
    /// The days it covers.
    pub period: Period,
    /// Cases in each stage now, whatever the period.
    pub stages: Vec<StageCount>,
    /// One entry per week (starting Monday) that touches the period.
    pub weeks: Vec<WeekFlow>,
    /// How long cases stay in each timed stage: median and 90th percentile.
    pub time_in_stage: Vec<StageTime>,
    /// How long manufacturer rounds took, in buckets.
    pub turnaround: Turnaround,
    /// How many inspected cases failed an inspection.
    pub inspections: Inspections,
    /// Cases opened in the period by verdict; `goodwill` counts cases opened by
    /// override, whatever their verdict.
    pub verdicts: Vec<VerdictCount>,
    /// Cases late on their stage's clock now, most overdue first.
    pub overdue: Vec<Overdue>,
    /// How fast customers' mail was answered: the requests received in the period.
    pub answers: AnswerTimes,
}

/// How fast customers' mail (requests) got its first answer, per week of the mail and
/// over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerTimes {
    /// The answer clock, in hours (`[clocks] request_hours`).
    pub clock_hours: u32,
    /// The whole period.
    pub total: AnswerWeek,
    /// One entry per week (starting Monday) in which requests came in.
    pub weeks: Vec<AnswerWeek>,
}

/// The requests received in one week (or the whole period) and their first answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerWeek {
    /// The week's Monday; `None` for the whole period.
    pub week: Option<NaiveDate>,
    /// Requests received.
    pub requests: u64,
    /// Of them, answered.
    pub answered: u64,
    /// Median hours from the mail to its first answer.
    pub median_hours: Option<f64>,
    /// 90th percentile of the same.
    pub p90_hours: Option<f64>,
    /// Answered within the clock, of the requests answered or whose clock ran out: the
    /// share of the promise kept (`null` when none is decided yet).
    pub within_clock_share: Option<f64>,
    /// Refusals by reason, by name (`expired`, `not_sold_by_us`, ...).
    pub refusals: BTreeMap<String, u64>,
}

/// One request for [`answer_times`]: when it came in, and its first answer (when, and the
/// refusal reason if it was refused).
pub type RequestTimes = (DateTime<Utc>, Option<(DateTime<Utc>, Option<String>)>);

/// The answer times of `requests` (those received in the period), weeks read in `tz`,
/// against a clock of `clock_hours` at `now`.
pub fn answer_times<Tz: TimeZone>(
    requests: &[RequestTimes],
    tz: &Tz,
    clock_hours: u32,
    now: DateTime<Utc>,
) -> AnswerTimes {
    let clock = chrono::Duration::hours(i64::from(clock_hours));
    let summarise = |week: Option<NaiveDate>, items: &[&RequestTimes]| {
        let mut secs: Vec<i64> = Vec::new();
        let mut decided = 0u64;
        let mut kept = 0u64;
        let mut refusals = BTreeMap::new();
        for (received, answer) in items {
            match answer {
                Some((at, refusal)) => {
                    secs.push((*at - *received).num_seconds().max(0));
                    decided += 1;
                    if *at - *received <= clock {
                        kept += 1;
                    }
                    if let Some(r) = refusal {
                        *refusals.entry(r.clone()).or_insert(0) += 1;
                    }
                }
                None if now - *received > clock => decided += 1,
                None => {}
            }
        }
        secs.sort_unstable();
        AnswerWeek {
            week,
            requests: items.len() as u64,
            answered: secs.len() as u64,
            median_hours: percentile(&secs, 50).map(hours),
            p90_hours: percentile(&secs, 90).map(hours),
            within_clock_share: (decided > 0).then(|| kept as f64 / decided as f64),
            refusals,
        }
    };
    let mut by_week: BTreeMap<NaiveDate, Vec<&RequestTimes>> = BTreeMap::new();
    for r in requests {
        let day = r.0.with_timezone(tz).date_naive();
        by_week.entry(monday(day)).or_default().push(r);
    }
    let all: Vec<&RequestTimes> = requests.iter().collect();
    AnswerTimes {
        clock_hours,
        total: summarise(None, &all),
        weeks: by_week
            .iter()
            .map(|(week, items)| summarise(Some(*week), items))
            .collect(),
    }
}

/// One stage's cases now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageCount {
    /// The stage.
    pub stage: Stage,
    /// Cases in it now.
    pub cases: u64,
    /// Of those, late on the clock.
    pub late: u64,
}

/// Cases in and out in one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekFlow {
    /// The Monday the week starts on.
    pub week: NaiveDate,
    /// Cases opened that week (within the period).
    pub intake: u64,
    /// Cases moved to shipped that week (within the period).
    pub shipped: u64,
}

/// How long cases stayed in one stage during the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageTime {
    /// The stage.
    pub stage: Stage,
    /// Intervals counted: finished ones, plus `still_in`.
    pub intervals: u64,
    /// Cases still in the stage, counted with their time so far.
    pub still_in: u64,
    /// The median time in the stage, in hours; `None` when nothing was counted.
    pub median_hours: Option<f64>,
    /// The 90th percentile, in hours; `None` when nothing was counted.
    pub p90_hours: Option<f64>,
}

/// How long finished manufacturer rounds took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turnaround {
    /// Manufacturer rounds that ended in the period.
    pub rounds: u64,
    /// Rounds per [`TURNAROUND_BUCKETS`] entry, in order.
    pub buckets: Vec<Bucket>,
}

/// One turnaround bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Its label, from [`TURNAROUND_BUCKETS`].
    pub label: &'static str,
    /// Manufacturer rounds that fell in it.
    pub rounds: u64,
}

/// How inspections went in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspections {
    /// Cases inspected at least once in the period (passed or failed).
    pub cases: u64,
    /// Of those, cases that failed an inspection in the period at least once.
    pub failed: u64,
    /// `failed / cases`, to three decimals (0 when nothing was inspected).
    pub failed_share: f64,
}

/// Cases opened in the period with one verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictCount {
    /// `covered`, `delivery_damage`, `void:water_damage`, `not_covered:software`,
    /// `expired`, `goodwill`, ...
    pub verdict: String,
    /// How many.
    pub cases: u64,
}

/// A case late on its stage's clock now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    /// Its RMA number.
    pub rma: String,
    /// The stage it is late in.
    pub stage: Stage,
    /// The device model.
    pub model: String,
    /// When it entered the stage (or started its manufacturer round).
    pub since: DateTime<Utc>,
    /// When it became late.
    pub due: DateTime<Utc>,
    /// Whole days past `due`.
    pub days_over: i64,
}

/// Where a verdict goes in the mix: the good news first.
pub fn verdict_rank(label: &str) -> u8 {
    match label.split(':').next().unwrap_or(label) {
        "covered" => 0,
        "delivery_damage" => 1,
        "goodwill" => 2,
        "void" => 3,
        "not_covered" => 4,
        "expired" => 5,
        _ => 6,
    }
}

/// Folds the event log, oldest first, into the figures that come from history: stage
/// intervals, turnaround, weekly flow and inspections.
pub struct History<Tz: TimeZone> {
    period: Period,
    tz: Tz,
    /// Each case's current stage and since when, as the log tells it.
    current: HashMap<i64, (Stage, DateTime<Utc>)>,
    durations: [Vec<i64>; 4],
    still_in: [u64; 4],
    buckets: [u64; 5],
    weeks: BTreeMap<NaiveDate, (u64, u64)>,
    inspected: HashSet<i64>,
    failed: HashSet<i64>,
}

fn timed(stage: Stage) -> Option<usize> {
    TIMED_STAGES.iter().position(|&s| s == stage)
}

impl<Tz: TimeZone> History<Tz> {
    /// An empty history for `period`, with days counted in `tz`.
    pub fn new(period: Period, tz: Tz) -> History<Tz> {
        let mut weeks = BTreeMap::new();
        let mut w = monday(period.from);
        while w <= period.to {
            weeks.insert(w, (0, 0));
            w = w + Days::new(7);
        }
        History {
            period,
            tz,
            current: HashMap::new(),
            durations: Default::default(),
            still_in: [0; 4],
            buckets: [0; 5],
            weeks,
            inspected: HashSet::new(),
            failed: HashSet::new(),
        }
    }

    fn day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// One logged change of a case. Only stage changes and inspection events matter;
    /// others are ignored.
    pub fn event(
        &mut self,
        case: i64,
        at: DateTime<Utc>,
        kind: &EventKind,
        field: &EventField,
        to: &str,
    ) {
        let in_period = self.period.contains(at);
        let stage_change = *field == EventField::Stage;
        let inspected = match kind {
            EventKind::InspectFail => true,
            EventKind::InspectPass => stage_change,
            _ => false,
        };
        if in_period && inspected {
            self.inspected.insert(case);
            if *kind == EventKind::InspectFail {
                self.failed.insert(case);
            }
        }
        if stage_change {
            let Ok(stage) = Stage::parse(to) else {
                return;
            };
            self.leave(case, at);
            self.current.insert(case, (stage, at));
            if in_period {
                let week = monday(self.day(at));
                let slot = self.weeks.entry(week).or_default();
                if *kind == EventKind::Open {
                    slot.0 += 1;
                }
                if stage == Stage::Shipped {
                    slot.1 += 1;
                }
            }
        } else if *kind == EventKind::InspectFail
            && *field == EventField::Rounds
            && self
                .current
                .get(&case)
                .is_some_and(|(s, _)| *s == Stage::AtManufacturer)
        {
            // Failed at the manufacturer's return: one round ends, the next begins.
            self.leave(case, at);
            self.current.insert(case, (Stage::AtManufacturer, at));
        }
    }

    fn leave(&mut self, case: i64, at: DateTime<Utc>) {
        let Some((stage, since)) = self.current.get(&case).copied() else {
            return;
        };
        if !self.period.contains(at) {
            return;
        }
        let Some(i) = timed(stage) else {
            return;
        };
        self.durations[i].push((at - since).num_seconds().max(0));
        if stage == Stage::AtManufacturer {
            let tz = self.tz.clone();
            let b = turnaround_bucket(since, at, |t| t.with_timezone(&tz).date_naive());
            self.buckets[b] += 1;
        }
    }

    /// The history figures at `now`.
    pub fn finish(
        mut self,
        now: DateTime<Utc>,
    ) -> (Vec<WeekFlow>, Vec<StageTime>, Turnaround, Inspections) {
        if self.period.contains(now) {
            for &(stage, since) in self.current.values() {
                if let Some(i) = timed(stage) {
                    self.durations[i].push((now - since).num_seconds().max(0));
                    self.still_in[i] += 1;
                }
            }
        }
        let weeks = self
            .weeks
            .iter()
            .map(|(&week, &(intake, shipped))| WeekFlow {
                week,
                intake,
                shipped,
            })
            .collect();
        let times = TIMED_STAGES
            .iter()
            .zip(self.durations.iter_mut())
            .zip(self.still_in)
            .map(|((&stage, d), still_in)| {
                d.sort_unstable();
                StageTime {
                    stage,
                    intervals: d.len() as u64,
                    still_in,
                    median_hours: percentile(d, 50).map(hours),
                    p90_hours: percentile(d, 90).map(hours),
                }
            })
            .collect();
        let turnaround = Turnaround {
            rounds: self.buckets.iter().sum(),
            buckets: TURNAROUND_BUCKETS
                .iter()
                .zip(self.buckets)
                .map(|(&label, rounds)| Bucket { label, rounds })
                .collect(),
        };
        let cases = self.inspected.len() as u64;
        let failed = self.failed.len() as u64;
        let inspections = Inspections {
            cases,
            failed,
            failed_share: if cases == 0 {
                0.0
            } else {
                (failed as f64 / cases as f64 * 1000.0).round() / 1000.0
            },
        };
        (weeks, times, turnaround, inspections)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventField as F;
    use EventKind as K;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn t(m: u32, day: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, day, h, 0, 0).unwrap()
    }

    fn utc_day(at: DateTime<Utc>) -> NaiveDate {
        at.date_naive()
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(percentile(&[1, 2, 3, 4, 5], 50), Some(3));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 100), Some(10));
    }

    #[test]
    fn times_in_stage_fit_their_column_however_long() {
        assert_eq!(show_hours(None), "-");
        assert_eq!(show_hours(Some(5.5)), "5.5 h");
        assert_eq!(show_hours(Some(3.2 * 24.0)), "3.2 d");
        assert_eq!(show_hours(Some(1204.4 * 24.0)), "1204 d");
        assert_eq!(show_hours(Some(740_317.2 * 24.0)), ">99999 d");
        for h in [
            0.0,
            47.9,
            48.0,
            999.9 * 24.0,
            99_999.0 * 24.0,
            1e12,
            -47.9,
            -1e12,
        ] {
            let shown = show_hours(Some(h));
            assert!(shown.chars().count() <= HOURS_WIDTH, "{h}: {shown}");
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 1 May 2026 to Monday 4 May: one working day.
        assert_eq!(working_days(d(5, 1), d(5, 4)), 1);
        assert_eq!(working_days(d(5, 4), d(5, 4)), 0);
        assert_eq!(working_days(d(5, 4), d(5, 11)), 5);
    }

    #[test]
    fn turnaround_buckets_cover_every_duration() {
        let b = |sent, back| turnaround_bucket(sent, back, utc_day);
        // Monday to Wednesday: 2 working days.
        assert_eq!(b(t(5, 4, 9), t(5, 6, 17)), 0);
        // Friday to Tuesday: 2 working days, though 4 calendar days.
        assert_eq!(b(t(5, 1, 9), t(5, 5, 9)), 0);
        // Monday to Thursday: 3 working days.
        assert_eq!(b(t(5, 4, 9), t(5, 7, 9)), 1);
        assert_eq!(b(t(5, 4, 9), t(5, 11, 8)), 1);
        assert_eq!(b(t(5, 4, 9), t(5, 11, 9)), 2);
        assert_eq!(b(t(5, 4, 9), t(5, 18, 9)), 3);
        // Up to one calendar month is "2 weeks to 1 month"; a minute more is over.
        assert_eq!(b(t(1, 31, 9), t(2, 28, 9)), 3);
        assert_eq!(b(t(3, 10, 9), t(4, 10, 9)), 3);
        assert_eq!(
            b(t(3, 10, 9), t(4, 10, 9) + chrono::Duration::minutes(1)),
            4
        );
    }

    #[test]
    fn default_period_is_thirteen_weeks_to_today() {
        let p = Period::new(None, None, d(5, 6), &Utc).unwrap();
        assert_eq!((p.from, p.to), (d(2, 9), d(5, 6)));
        assert_eq!(p.end, t(5, 7, 0));
        assert!(Period::new(Some(d(5, 7)), Some(d(5, 6)), d(5, 6), &Utc).is_err());
    }

    #[test]
    fn intervals_rounds_and_open_time() {
        let period = Period::new(Some(d(4, 1)), Some(d(4, 30)), d(4, 30), &Utc).unwrap();
        let mut h = History::new(period, Utc);
        // Case 1: opened in March, received, sent, failed once at the manufacturer,
        // passed, shipped.
        h.event(1, t(3, 30, 9), &K::Open, &F::Stage, "expected");
        h.event(1, t(4, 1, 9), &K::Receive, &F::Stage, "received");
        h.event(1, t(4, 2, 9), &K::Send, &F::Stage, "at_manufacturer");
        h.event(1, t(4, 6, 9), &K::InspectFail, &F::Rounds, "2");
        h.event(1, t(4, 20, 9), &K::InspectPass, &F::Outcome, "repaired");
        h.event(1, t(4, 20, 9), &K::InspectPass, &F::Stage, "inspected");
        h.event(1, t(4, 21, 9), &K::Ship, &F::Stage, "shipped");
        // Case 2: opened in the period, still expected at the end of it.
        h.event(2, t(4, 29, 9), &K::Open, &F::Stage, "expected");
        let now = t(4, 30, 21);
        let (weeks, times, turnaround, insp) = h.finish(now);
        let expected = &times[0];
        // 2 days 0 h (case 1, ended 1 April) and 1 day 12 h so far (case 2).
        assert_eq!((expected.intervals, expected.still_in), (2, 1));
        assert_eq!(expected.median_hours, Some(36.0));
        assert_eq!(expected.p90_hours, Some(48.0));
        let at_m = &times[2];
        assert_eq!(at_m.intervals, 2);
        assert_eq!(at_m.median_hours, Some(4.0 * 24.0));
        assert_eq!(at_m.p90_hours, Some(14.0 * 24.0));
        // Thursday 2 to Monday 6 April: 2 working days, so under 3; 6 to 20 April is
        // exactly two weeks.
        let rounds: Vec<u64> = turnaround.buckets.iter().map(|b| b.rounds).collect();
        assert_eq!(rounds, [1, 0, 0, 1, 0]);
        assert_eq!((insp.cases, insp.failed, insp.failed_share), (1, 1, 1.0));
        // Weeks from Monday 30 March; case 1 opened before the period.
        assert_eq!(weeks.first().map(|w| w.week), Some(d(3, 30)));
        let intake: u64 = weeks.iter().map(|w| w.intake).sum();
        let shipped: u64 = weeks.iter().map(|w| w.shipped).sum();
        assert_eq!((intake, shipped), (1, 1));
    }

    #[test]
    fn a_period_in_the_past_ignores_time_so_far() {
        let period = Period::new(Some(d(4, 1)), Some(d(4, 30)), d(5, 4), &Utc).unwrap();
        let mut h = History::new(period, Utc);
        h.event(2, t(4, 29, 9), &K::Open, &F::Stage, "expected");
        let (_, times, _, _) = h.finish(t(5, 4, 12));
        assert_eq!(times[0].intervals, 0);
        assert_eq!(times[0].median_hours, None);
    }

    #[test]
    fn answer_times_per_week_of_the_mail() {
        let t = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 5, d, h, 0, 0).unwrap();
        let now = t(20, 12);
        let requests: Vec<RequestTimes> = vec![
            // Week of Monday 4 May: answered after 2 h, after 48 h exactly (in time),
            // after 50 h (late, refused).
            (t(4, 9), Some((t(4, 11), None))),
            (t(5, 9), Some((t(7, 9), None))),
            (t(6, 9), Some((t(8, 11), Some("expired".into())))),
            // Week of 11 May: one never answered (late by now).
            (t(12, 9), None),
            // Today: not answered, but its clock has not run out.
            (t(20, 10), None),
        ];
        let a = answer_times(&requests, &Utc, 48, now);
        assert_eq!(a.weeks.len(), 3);
        let first = &a.weeks[0];
        assert_eq!(first.week, NaiveDate::from_ymd_opt(2026, 5, 4));
        assert_eq!((first.requests, first.answered), (3, 3));
        assert_eq!(first.median_hours, Some(48.0));
        assert_eq!(first.p90_hours, Some(50.0));
        assert_eq!(first.within_clock_share, Some(2.0 / 3.0));
        assert_eq!(first.refusals.get("expired"), Some(&1));
        assert_eq!(a.weeks[1].within_clock_share, Some(0.0));
        assert_eq!(a.weeks[2].within_clock_share, None);
        assert_eq!((a.total.requests, a.total.answered), (5, 3));
        assert_eq!(a.total.within_clock_share, Some(2.0 / 4.0));
    }
}

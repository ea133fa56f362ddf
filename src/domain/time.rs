//! Times as staff type them. Stored in UTC, shown in local time.

use chrono::{
    DateTime, FixedOffset, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use thiserror::Error;

/// Where times are shown and typed: the process's own time zone (`TZ`, else the system's),
/// or one fixed offset. Each instant is shown at the offset in force at that instant, so a
/// summer event reads the same on a winter board as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    /// The process's time zone, with its summer time.
    #[default]
    Local,
    /// One offset all year (tests, or a board told to use UTC).
    Fixed(FixedOffset),
}

impl From<FixedOffset> for Zone {
    fn from(offset: FixedOffset) -> Zone {
        Zone::Fixed(offset)
    }
}

impl Zone {
    /// The offset in force at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Local => at.with_timezone(&Local).offset().fix(),
            Zone::Fixed(o) => *o,
        }
    }

    /// `at` as the wall clock read then.
    pub fn at(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    /// The calendar day of `at` here.
    pub fn date(&self, at: DateTime<Utc>) -> NaiveDate {
        self.at(at).date_naive()
    }
}

impl TimeZone for Zone {
    type Offset = FixedOffset;

    fn from_offset(offset: &FixedOffset) -> Zone {
        Zone::Fixed(*offset)
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<FixedOffset> {
        match self {
            Zone::Local => Local.offset_from_local_date(local),
            Zone::Fixed(o) => LocalResult::Single(*o),
        }
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<FixedOffset> {
        match self {
            Zone::Local => Local.offset_from_local_datetime(local),
            Zone::Fixed(o) => LocalResult::Single(*o),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
        match self {
            Zone::Local => Local.offset_from_utc_date(utc),
            Zone::Fixed(o) => *o,
        }
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        match self {
            Zone::Local => Local.offset_from_utc_datetime(utc),
            Zone::Fixed(o) => *o,
        }
    }
}

/// Why a typed date or time was not understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeError {
    /// Not a time in any accepted form; holds what was typed.
    #[error(
        "{0:?} is not a time: use YYYY-MM-DD, YYYY-MM-DD HH:MM (local time) or RFC 3339 such as 2026-05-04T09:30:00Z"
    )]
    Malformed(String),
    /// Not a `YYYY-MM-DD` date; holds what was typed.
    #[error("{0:?} is not a date: use YYYY-MM-DD, e.g. 2026-05-04")]
    BadDate(String),
    /// A local time skipped by a clock change; holds what was typed.
    #[error(
        "{0} does not exist in the local time zone: the clocks went forward over it; give a time after the change, or RFC 3339 with its offset"
    )]
    NoSuchLocalTime(String),
}

/// A calendar date, `YYYY-MM-DD` exactly.
pub fn parse_date(input: &str) -> Result<NaiveDate, TimeError> {
    let t = input.trim();
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            let y = i32::try_from(digits(0..4)?).ok()?;
            NaiveDate::from_ymd_opt(y, digits(5..7)?, digits(8..10)?)
        })
        .flatten();
    date.ok_or_else(|| TimeError::BadDate(t.chars().take(40).collect()))
}

/// `YYYY-MM-DD`, as stored.
pub fn iso_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// [`iso_date`] added to the end of `buf`. A million-row import writes one per row: for
/// the years 0-9999 the digits are put down directly, without the formatting machinery,
/// which took some 3% of such an import.
pub fn push_iso_date(d: NaiveDate, buf: &mut String) {
    use chrono::Datelike;
    let Ok(year @ 0..=9999) = u32::try_from(d.year()) else {
        buf.push_str(&iso_date(d));
        return;
    };
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    for n in [year / 1000, year / 100, year / 10, year] {
        buf.push(digit(n));
    }
    for part in [d.month(), d.day()] {
        buf.push('-');
        buf.push(digit(part / 10));
        buf.push(digit(part));
    }
}

/// `YYYY-MM-DD` (local midnight), `YYYY-MM-DD HH:MM` (local) or RFC 3339.
pub fn parse_time(input: &str) -> Result<DateTime<Utc>, TimeError> {
    parse_time_in(input, &Local)
}

/// [`parse_time`] in a given zone, for tests.
pub fn parse_time_in<Tz: TimeZone>(input: &str, tz: &Tz) -> Result<DateTime<Utc>, TimeError> {
    let t = input.trim();
    let malformed = || TimeError::Malformed(t.chars().take(40).collect());
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(d) = parse_date(t) {
        return day_start(d, tz).ok_or_else(|| TimeError::NoSuchLocalTime(t.to_string()));
    }
    let naive = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .map_err(|_| malformed())?;
    instants_of(&naive, tz)
        .into_iter()
        .min()
        .ok_or_else(|| TimeError::NoSuchLocalTime(t.chars().take(40).collect()))
}

/// The first instant of the calendar day `day` in `tz`: local midnight, the first of two
/// where the clocks go back over it, or the end of the gap where they skip it.
pub fn day_start<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> Option<DateTime<Utc>> {
    let midnight = day.and_time(NaiveTime::MIN);
    // Clocks skip at most a few hours; look a quarter of an hour at a time.
    (0..=24).find_map(|quarter| {
        let local = midnight.checked_add_signed(chrono::Duration::minutes(15 * quarter))?;
        instants_of(&local, tz).into_iter().min()
    })
}

/// Every instant at which a wall clock in `tz` read `naive`: none in the spring gap, two in
/// the autumn hour that happens twice (the first of them is the earlier instant).
///
/// Checked by reading each candidate back rather than trusting the zone's own answer: the
/// system zone calls the first minute of the gap (02:00 in Berlin) the last minute before
/// it, and orders the two readings of the autumn hour by offset, not by time.
fn instants_of<Tz: TimeZone>(naive: &NaiveDateTime, tz: &Tz) -> Vec<DateTime<Utc>> {
    let day = chrono::Duration::days(1);
    let mut offsets: Vec<FixedOffset> = match tz.offset_from_local_datetime(naive) {
        LocalResult::Single(o) => vec![o.fix()],
        LocalResult::Ambiguous(a, b) => vec![a.fix(), b.fix()],
        LocalResult::None => Vec::new(),
    };
    // The offsets a day either side: a change of the clocks in between is one of them.
    for around in [naive.checked_sub_signed(day), naive.checked_add_signed(day)]
        .into_iter()
        .flatten()
    {
        offsets.push(tz.offset_from_utc_datetime(&around).fix());
    }
    let mut instants: Vec<DateTime<Utc>> = offsets
        .into_iter()
        .filter_map(|o| {
            let utc = naive
                .checked_sub_signed(chrono::Duration::seconds(i64::from(o.local_minus_utc())))?;
            (tz.offset_from_utc_datetime(&utc).fix() == o).then(|| utc.and_utc())
        })
        .collect();
    instants.sort();
    instants.dedup();
    instants
}

/// The local calendar day of an instant (what "claimed on" means to staff).
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    Zone::Local.date(at)
}

/// RFC 3339 in UTC with seconds, the form stored and printed in JSON.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Local `YYYY-MM-DD HH:MM` for people.
pub fn local_minutes(at: DateTime<Utc>) -> String {
    minutes_in(at, &Zone::Local)
}

/// `YYYY-MM-DD HH:MM` at the offset `zone` had at that instant.
pub fn minutes_in(at: DateTime<Utc>, zone: &Zone) -> String {
    zone.at(at).format("%Y-%m-%d %H:%M").to_string()
}

/// "3d", "5h", "12m": the age of a card in its stage.
pub fn short_age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let mins = (now - since).num_minutes().max(0);
    match mins {
        m if m < 60 => format!("{m}m"),
        m if m < 48 * 60 => format!("{}h", m / 60),
        m => format!("{}d", m / (24 * 60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2024-02-29").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "26-01-01",
            "2026-1-1",
            "",
            "2026-01-01x",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_in_three_forms() {
        let cet = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            rfc3339(parse_time_in("2026-05-04", &cet).unwrap()),
            "2026-05-03T23:00:00Z"
        );
        assert_eq!(
            rfc3339(parse_time_in("2026-05-04 09:30", &cet).unwrap()),
            "2026-05-04T08:30:00Z"
        );
        assert_eq!(
            rfc3339(parse_time_in("2026-05-04T09:30:00+02:00", &cet).unwrap()),
            "2026-05-04T07:30:00Z"
        );
        let err = parse_time_in("yesterday", &cet).unwrap_err();
        assert!(err.to_string().contains("YYYY-MM-DD HH:MM"));
        assert!(parse_time_in("2026-05-04 25:00", &cet).is_err());
    }

    /// One change of the clocks at `at` (UTC). Asked for a local time it answers, as the
    /// system zone does at the edges, with the offset before the change.
    #[derive(Clone, Copy, Debug)]
    struct Change {
        at: NaiveDateTime,
        before: FixedOffset,
        after: FixedOffset,
    }

    impl TimeZone for Change {
        type Offset = FixedOffset;
        fn from_offset(o: &FixedOffset) -> Change {
            Change {
                at: NaiveDateTime::MAX,
                before: *o,
                after: *o,
            }
        }
        fn offset_from_local_date(&self, _: &NaiveDate) -> LocalResult<FixedOffset> {
            LocalResult::Single(self.before)
        }
        fn offset_from_local_datetime(&self, _: &NaiveDateTime) -> LocalResult<FixedOffset> {
            LocalResult::Single(self.before)
        }
        fn offset_from_utc_date(&self, _: &NaiveDate) -> FixedOffset {
            self.before
        }
        fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
            if *utc < self.at {
                self.before
            } else {
                self.after
            }
        }
    }

    fn change(at: &str, before: i32, after: i32) -> Change {
        Change {
            at: NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap(),
            before: FixedOffset::east_opt(before * 3600).unwrap(),
            after: FixedOffset::east_opt(after * 3600).unwrap(),
        }
    }

    #[test]
    fn the_spring_gap_is_refused_and_the_autumn_hour_means_its_first_time() {
        let utc = |s: &str, tz: &Change| parse_time_in(s, tz).map(rfc3339);
        // Berlin: 02:00 -> 03:00 on 29 March, 03:00 -> 02:00 on 25 October 2026.
        let spring = change("2026-03-29 01:00", 1, 2);
        assert_eq!(
            utc("2026-03-29 01:59", &spring).unwrap(),
            "2026-03-29T00:59:00Z"
        );
        for gap in ["2026-03-29 02:00", "2026-03-29 02:59"] {
            let err = utc(gap, &spring).unwrap_err();
            assert_eq!(err, TimeError::NoSuchLocalTime(gap.into()));
            assert!(err.to_string().contains("the clocks went forward"), "{err}");
        }
        assert_eq!(
            utc("2026-03-29 03:00", &spring).unwrap(),
            "2026-03-29T01:00:00Z"
        );
        let autumn = change("2026-10-25 01:00", 2, 1);
        assert_eq!(
            utc("2026-10-25 02:30", &autumn).unwrap(),
            "2026-10-25T00:30:00Z"
        );
        assert_eq!(
            utc("2026-10-25 03:00", &autumn).unwrap(),
            "2026-10-25T02:00:00Z"
        );
        // New York: 02:00 -> 03:00 on 8 March, 02:00 -> 01:00 on 1 November 2026.
        let spring = change("2026-03-08 07:00", -5, -4);
        assert!(utc("2026-03-08 02:30", &spring).is_err());
        assert_eq!(
            utc("2026-03-08 03:00", &spring).unwrap(),
            "2026-03-08T07:00:00Z"
        );
        let autumn = change("2026-11-01 06:00", -4, -5);
        assert_eq!(
            utc("2026-11-01 01:30", &autumn).unwrap(),
            "2026-11-01T05:30:00Z"
        );
        // Where the clocks skip midnight, the day starts when they resume.
        let midnight = change("2026-09-06 04:00", -4, -3);
        assert_eq!(
            utc("2026-09-06", &midnight).unwrap(),
            "2026-09-06T04:00:00Z"
        );
    }

    #[test]
    fn a_zone_shows_each_instant_at_its_own_offset() {
        let cet = FixedOffset::east_opt(3600).unwrap();
        let at = parse_time_in("2026-07-01T10:00:00Z", &Utc).unwrap();
        assert_eq!(minutes_in(at, &Zone::Fixed(cet)), "2026-07-01 11:00");
        assert_eq!(
            Zone::from(cet).date(at),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
        );
    }

    #[test]
    fn ages() {
        let now = parse_time_in("2026-05-04T12:00:00Z", &Utc).unwrap();
        let ago = |m: i64| now - chrono::Duration::minutes(m);
        assert_eq!(short_age(ago(5), now), "5m");
        assert_eq!(short_age(ago(300), now), "5h");
        assert_eq!(short_age(ago(3 * 24 * 60), now), "3d");
        assert_eq!(short_age(now + chrono::Duration::minutes(5), now), "0m");
    }

    #[test]
    fn a_date_put_down_digit_by_digit_reads_as_the_formatted_one() {
        let mut buf = String::from("left over");
        let days = [
            NaiveDate::from_ymd_opt(2026, 12, 2),
            NaiveDate::from_ymd_opt(1999, 1, 31),
            NaiveDate::from_ymd_opt(9999, 12, 31),
            NaiveDate::from_ymd_opt(10000, 1, 1),
            NaiveDate::from_ymd_opt(0, 2, 29),
            NaiveDate::from_ymd_opt(-1, 7, 4),
            NaiveDate::from_ymd_opt(987, 10, 9),
        ];
        for d in days.into_iter().flatten() {
            buf.clear();
            push_iso_date(d, &mut buf);
            assert_eq!(buf, iso_date(d));
        }
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        while d < NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() {
            let before = buf.len();
            push_iso_date(d, &mut buf);
            assert_eq!(&buf[before..], iso_date(d));
            d = d.succ_opt().unwrap();
        }
    }
}

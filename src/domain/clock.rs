//! Service clocks: how long a case may sit in a stage before it is late.

use chrono::{DateTime, Days, Months, Utc};
use serde::{Deserialize, Serialize};

use super::stage::Stage;

/// Thresholds, from the configuration file's `[clocks]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Clocks {
    /// An RMA was issued but the parcel has not arrived after this many days.
    pub expected_days: u32,
    /// A received device waits at the bench longer than this.
    pub received_days: u32,
    /// At the manufacturer longer than this many calendar months (policy: one month).
    pub manufacturer_months: u32,
    /// Inspected but not yet shipped back after this many days.
    pub inspected_days: u32,
    /// A customer's request mail is answered late after this many hours (policy:
    /// "typically within 48 hours").
    pub request_hours: u32,
}

impl Default for Clocks {
    fn default() -> Self {
        Clocks {
            expected_days: 21,
            received_days: 2,
            manufacturer_months: 1,
            inspected_days: 2,
            request_hours: 48,
        }
    }
}

impl Clocks {
    /// A case in `stage` is late when it entered the stage before this instant.
    /// Shipped cases have no clock.
    pub fn late_before(&self, stage: Stage, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match stage {
            Stage::Expected => now.checked_sub_days(Days::new(self.expected_days.into())),
            Stage::Received => now.checked_sub_days(Days::new(self.received_days.into())),
            Stage::AtManufacturer => now.checked_sub_months(Months::new(self.manufacturer_months)),
            Stage::Inspected => now.checked_sub_days(Days::new(self.inspected_days.into())),
            Stage::Shipped => None,
        }
    }

    /// Whether a case that entered `stage` at `since` is late at `now`.
    pub fn is_late(&self, stage: Stage, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.late_before(stage, now)
            .is_some_and(|cutoff| since < cutoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    #[test]
    fn manufacturer_clock_is_one_calendar_month() {
        let c = Clocks::default();
        let sent = at(2026, 1, 10);
        assert!(!c.is_late(Stage::AtManufacturer, sent, at(2026, 2, 10)));
        assert!(c.is_late(Stage::AtManufacturer, sent, at(2026, 2, 11)));
        // From 31 March, a month later is 30 April (clamped).
        let sent = at(2026, 3, 31);
        assert!(!c.is_late(Stage::AtManufacturer, sent, at(2026, 4, 30)));
        assert!(c.is_late(Stage::AtManufacturer, sent, at(2026, 5, 1)));
    }

    #[test]
    fn day_clocks_and_shipped() {
        let c = Clocks::default();
        assert!(!c.is_late(Stage::Received, at(2026, 1, 10), at(2026, 1, 12)));
        assert!(c.is_late(Stage::Received, at(2026, 1, 10), at(2026, 1, 13)));
        assert!(c.is_late(Stage::Expected, at(2026, 1, 1), at(2026, 1, 23)));
        assert!(!c.is_late(Stage::Shipped, at(2000, 1, 1), at(2026, 1, 1)));
    }
}

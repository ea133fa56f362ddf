//! RMA numbers: `RMA-YYYY-NNNNN`, sequential per year, never reused.

use std::fmt;

use thiserror::Error;

/// An RMA number issued by the shop, such as `RMA-2026-00042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RmaNumber {
    /// The year it was issued in.
    pub year: i32,
    /// Its number within the year, from 1.
    pub seq: u32,
}

/// Why a typed RMA number was not understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RmaError {
    /// Not of the form `RMA-YYYY-NNNNN`; holds what was typed.
    #[error("{0:?} is not an RMA number: write it as RMA-YYYY-NNNNN, e.g. RMA-2026-00042")]
    Malformed(String),
    /// Sequence 0, which is never issued; holds what was typed.
    #[error("RMA number {0:?} has sequence 0: numbering starts at 00001")]
    Zero(String),
}

impl RmaNumber {
    /// The RMA number for sequence `seq` of `year`.
    pub fn new(year: i32, seq: u32) -> RmaNumber {
        RmaNumber { year, seq }
    }

    /// Accepts `RMA-2026-00042`, case-insensitively and with the leading zeros optional.
    pub fn parse(input: &str) -> Result<RmaNumber, RmaError> {
        let t = input.trim();
        let malformed = || RmaError::Malformed(t.chars().take(40).collect());
        let rest = t
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("RMA-"))
            .map(|_| &t[4..])
            .ok_or_else(malformed)?;
        let (year, seq) = rest.split_once('-').ok_or_else(malformed)?;
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !all_digits(year) || !all_digits(seq) || seq.len() > 9 {
            return Err(malformed());
        }
        let year: i32 = year.parse().map_err(|_| malformed())?;
        let seq: u32 = seq.parse().map_err(|_| malformed())?;
        if seq == 0 {
            return Err(RmaError::Zero(t.to_string()));
        }
        Ok(RmaNumber { year, seq })
    }

    /// Cheap test used to route a KEY typed by staff.
    pub fn looks_like(input: &str) -> bool {
        input
            .trim()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("RMA-"))
    }
}

impl fmt::Display for RmaNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RMA-{:04}-{:05}", self.year, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_five_digits() {
        assert_eq!(RmaNumber::new(2026, 42).to_string(), "RMA-2026-00042");
        assert_eq!(RmaNumber::new(2026, 123456).to_string(), "RMA-2026-123456");
    }

    #[test]
    fn parses_what_staff_type() {
        assert_eq!(
            RmaNumber::parse("RMA-2026-00042"),
            Ok(RmaNumber::new(2026, 42))
        );
        assert_eq!(
            RmaNumber::parse(" rma-2026-42 "),
            Ok(RmaNumber::new(2026, 42))
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "RMA",
            "RMA-",
            "RMA-26-00001",
            "RMA-2026",
            "RMA-2026-",
            "RMA-2026-0x1",
            "RMA-2026-99999999999",
            "XYZ-2026-00001",
            "RMA-２０２６-00001",
        ] {
            assert!(RmaNumber::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(matches!(
            RmaNumber::parse("RMA-2026-00000"),
            Err(RmaError::Zero(_))
        ));
    }

    #[test]
    fn ordering_is_by_year_then_sequence() {
        assert!(RmaNumber::new(2025, 999) < RmaNumber::new(2026, 1));
    }
}

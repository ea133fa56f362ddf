//! Tracking numbers: UPU S10 (China Post outbound) and inbound numbers from any carrier.

use std::fmt;

use thiserror::Error;

/// A validated UPU S10 number, e.g. `RR123456785CN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S10(String);

/// Why a typed or scanned tracking number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrackingError {
    /// Nothing was typed.
    #[error("the tracking number is empty: scan or type the number on the parcel label")]
    Empty,
    /// Not a UPU S10 number where one is needed (the outbound China Post number); holds it
    /// as normalised.
    #[error(
        "the tracking number {0:?} is not a UPU S10 number: it must be 2 letters, 9 digits and 2 letters, e.g. RR123456785CN"
    )]
    NotS10(String),
    /// An S10 number whose check digit does not match its serial.
    #[error(
        "the tracking number {number} has a wrong check digit ({found}, expected {expected}): check the 9 digits for a typo"
    )]
    WrongCheckDigit {
        /// The number as normalised.
        number: String,
        /// The check digit in it.
        found: u8,
        /// The check digit its serial gives.
        expected: u8,
    },
    /// A character other than letters, digits, spaces and dashes.
    #[error(
        "the tracking number contains {0:?}: only letters, digits, spaces and dashes are allowed"
    )]
    BadCharacter(char),
    /// Longer than 40 characters; holds its length.
    #[error("the tracking number is {0} characters long; at most 40 are allowed")]
    TooLong(usize),
}

/// S10 check digit over the 8-digit serial. `serial` must be 8 ASCII digits.
pub fn s10_check_digit(serial: &str) -> u8 {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = serial
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b.wrapping_sub(b'0') % 10) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c as u8,
    }
}

/// Upper-case, drop spaces and dashes (labels print `RR 123 456 785 CN`).
fn normalise(input: &str) -> Result<String, TrackingError> {
    let mut out = String::with_capacity(16);
    for c in input.trim().chars() {
        match c {
            ' ' | '-' | '\u{00a0}' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            other => return Err(TrackingError::BadCharacter(other)),
        }
    }
    if out.is_empty() {
        return Err(TrackingError::Empty);
    }
    if out.len() > 40 {
        return Err(TrackingError::TooLong(out.len()));
    }
    Ok(out)
}

fn has_s10_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase)
}

fn check_s10(s: String) -> Result<S10, TrackingError> {
    let expected = s10_check_digit(&s[2..10]);
    let found = s.as_bytes()[10] - b'0';
    if found == expected {
        Ok(S10(s))
    } else {
        Err(TrackingError::WrongCheckDigit {
            number: s,
            found,
            expected,
        })
    }
}

impl S10 {
    /// Read an S10 number as typed or scanned: trimmed, upper-cased, check digit checked.
    pub fn parse(input: &str) -> Result<S10, TrackingError> {
        let s = normalise(input)?;
        if !has_s10_shape(&s) {
            return Err(TrackingError::NotS10(s));
        }
        check_s10(s)
    }

    /// The 13 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISO country code at the end (`CN` for China Post).
    pub fn country(&self) -> &str {
        &self.0[11..]
    }

    /// The postal operator that issued the number, by its country code: "Deutsche Post"
    /// for `DE`, "the post of XX" for a country not in the short list.
    pub fn post(&self) -> String {
        post_of(self.country())
    }

    /// A sentence when the service code (the first two letters) is a letter service that is
    /// not tracked (`L*`, `U*`); `None` for registered, EMS and parcel services.
    pub fn untracked_warning(&self) -> Option<String> {
        match self.0.as_bytes().first() {
            Some(b'L' | b'U') => Some(format!(
                "{} is a letter number (service {}), not a registered or tracked one: the parcel may not be traceable; use an R (registered), E (EMS), C or V (parcel) number if there is one",
                self.0,
                &self.0[..2]
            )),
            _ => None,
        }
    }
}

/// The common postal operators by UPU country code.
const POSTS: [(&str, &str); 13] = [
    ("CN", "China Post"),
    ("DE", "Deutsche Post"),
    ("NL", "PostNL"),
    ("FR", "La Poste"),
    ("GB", "Royal Mail"),
    ("US", "USPS"),
    ("CH", "Swiss Post"),
    ("PL", "Poczta Polska"),
    ("ES", "Correos"),
    ("IT", "Poste Italiane"),
    ("BE", "bpost"),
    ("AT", "Österreichische Post"),
    ("HK", "Hongkong Post"),
];

/// The postal operator of an S10 number's country code (its last two letters).
pub fn post_of(country: &str) -> String {
    POSTS.iter().find(|(code, _)| *code == country).map_or_else(
        || format!("the post of {country}"),
        |(_, name)| name.to_string(),
    )
}

impl fmt::Display for S10 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An inbound tracking number from any carrier: kept as typed (trimmed, upper-cased),
/// checked as S10 only where it has the S10 shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// Read an inbound tracking number as typed or scanned; an S10-shaped one must have a
    /// right check digit.
    pub fn parse(input: &str) -> Result<TrackingNumber, TrackingError> {
        let s = normalise(input)?;
        if has_s10_shape(&s) {
            return check_s10(s).map(|s10| TrackingNumber(s10.0));
        }
        Ok(TrackingNumber(s))
    }

    /// The number as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_from_the_domain() {
        assert_eq!(s10_check_digit("12345678"), 5);
        assert_eq!(s10_check_digit("47312482"), 9);
        assert_eq!(
            S10::parse("RR123456785CN").unwrap().as_str(),
            "RR123456785CN"
        );
        assert_eq!(S10::parse("RR123456785CN").unwrap().country(), "CN");
    }

    #[test]
    fn remainders_ten_and_eleven_map_to_zero_and_five() {
        // S mod 11 == 1 gives C = 10 -> 0; S mod 11 == 0 gives C = 11 -> 5.
        let serial_with = |want: u8| {
            (0..100_000u32)
                .map(|n| format!("{n:08}"))
                .find(|s| {
                    let sum: u32 = s
                        .bytes()
                        .zip([8, 6, 4, 2, 3, 5, 9, 7])
                        .map(|(b, w)| u32::from(b - b'0') * w)
                        .sum();
                    sum % 11 == u32::from(want)
                })
                .unwrap()
        };
        assert_eq!(s10_check_digit(&serial_with(1)), 0);
        assert_eq!(s10_check_digit(&serial_with(0)), 5);
    }

    #[test]
    fn the_post_is_named_by_the_country_code_and_letters_are_flagged() {
        let s10 = |serial: &str, service: &str, country: &str| {
            let d = s10_check_digit(serial);
            S10::parse(&format!("{service}{serial}{d}{country}")).unwrap()
        };
        assert_eq!(s10("11111111", "RR", "DE").post(), "Deutsche Post");
        assert_eq!(s10("11111111", "RR", "CN").post(), "China Post");
        assert_eq!(s10("11111111", "EE", "HK").post(), "Hongkong Post");
        assert_eq!(s10("11111111", "RR", "AT").post(), "Österreichische Post");
        assert_eq!(s10("11111111", "RR", "JP").post(), "the post of JP");
        for tracked in ["RR", "EA", "CP", "VV"] {
            assert!(s10("11111111", tracked, "CN").untracked_warning().is_none());
        }
        for letter in ["LX", "UA"] {
            let w = s10("11111111", letter, "CN").untracked_warning().unwrap();
            assert!(w.contains("may not be traceable"), "{w}");
        }
    }

    #[test]
    fn s10_is_normalised() {
        assert_eq!(
            S10::parse(" rr 123-456-785 cn ").unwrap().as_str(),
            "RR123456785CN"
        );
    }

    #[test]
    fn s10_errors_say_what_is_wrong() {
        assert_eq!(S10::parse("  "), Err(TrackingError::Empty));
        assert!(matches!(
            S10::parse("RR123456784CN"),
            Err(TrackingError::WrongCheckDigit {
                found: 4,
                expected: 5,
                ..
            })
        ));
        assert!(matches!(
            S10::parse("1Z999AA10123456784"),
            Err(TrackingError::NotS10(_))
        ));
        assert!(matches!(
            S10::parse("RR12345678CN"),
            Err(TrackingError::NotS10(_))
        ));
        assert_eq!(
            S10::parse("RR123456785C\u{202e}N"),
            Err(TrackingError::BadCharacter('\u{202e}'))
        );
    }

    #[test]
    fn inbound_numbers_from_any_carrier_are_kept() {
        assert_eq!(
            TrackingNumber::parse(" 1z999aa10123456784 ")
                .unwrap()
                .as_str(),
            "1Z999AA10123456784"
        );
        assert_eq!(
            TrackingNumber::parse("RR123456785CN").unwrap().as_str(),
            "RR123456785CN"
        );
        // S10-shaped numbers must carry a right check digit.
        assert!(matches!(
            TrackingNumber::parse("RR123456780CN"),
            Err(TrackingError::WrongCheckDigit { .. })
        ));
        assert_eq!(
            TrackingNumber::parse(&"9".repeat(41)),
            Err(TrackingError::TooLong(41))
        );
    }
}

//! IMEI: 15 digits, TAC (8) + serial (6) + Luhn check digit (3GPP TS 23.003 Annex B).

use std::fmt;

use thiserror::Error;

/// A validated, normalised IMEI. Only [`Imei::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Imei(String);

/// Why a typed or scanned IMEI was refused; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImeiError {
    /// Nothing was typed.
    #[error("the IMEI is empty: type or scan the 15 digits from the device label or *#06#")]
    Empty,
    /// A character other than digits, spaces and dashes.
    #[error(
        "the IMEI contains {0:?}, which is not a digit: only digits, spaces and dashes are allowed"
    )]
    NotADigit(char),
    /// 16 digits: an IMEISV, which has no check digit.
    #[error(
        "the IMEI has 16 digits, so it is an IMEISV (software version, no check digit): scan or type the 15-digit IMEI instead"
    )]
    ImeiSv,
    /// Not 15 digits; holds how many there were.
    #[error("the IMEI has {0} digits but must have exactly 15: check for a missing or extra digit")]
    WrongLength(usize),
    /// The Luhn check digit does not match the first 14 digits.
    #[error(
        "the IMEI check digit is wrong ({found}, expected {expected} for these first 14 digits): check for a mistyped digit"
    )]
    WrongCheckDigit {
        /// The check digit typed.
        found: u8,
        /// The check digit the first 14 digits give.
        expected: u8,
    },
}

/// The value of a run of ASCII digits (an IMEI's fifteen fit in a `u64`); other bytes count
/// as digits of their own distance from `0`, so only digits should be given.
pub fn digits_value(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |n, d| {
        n.wrapping_mul(10)
            .wrapping_add(u64::from(d.wrapping_sub(b'0')))
    })
}

impl Imei {
    /// The fifteen digits as a number, which orders as the text does.
    pub fn number(&self) -> u64 {
        digits_value(self.0.as_bytes())
    }

    /// Normalise (spaces and dashes removed) and validate an IMEI as typed or scanned.
    pub fn parse(input: &str) -> Result<Imei, ImeiError> {
        let mut digits = String::with_capacity(15);
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '\u{2010}'..='\u{2015}' | '\u{00a0}' => {}
                other => return Err(ImeiError::NotADigit(other)),
            }
        }
        match digits.len() {
            0 => Err(ImeiError::Empty),
            15 => {
                let (body, last) = digits.split_at(14);
                let expected = check_digit(body);
                let found = last.as_bytes()[0] - b'0';
                if found == expected {
                    Ok(Imei(digits))
                } else {
                    Err(ImeiError::WrongCheckDigit { found, expected })
                }
            }
            16 => Err(ImeiError::ImeiSv),
            n => Err(ImeiError::WrongLength(n)),
        }
    }

    /// The 15 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last `n` digits, as shown on a compact card.
    pub fn tail(&self, n: usize) -> &str {
        &self.0[self.0.len().saturating_sub(n)..]
    }
}

/// Luhn check digit over the first 14 digits of an IMEI.
/// `body` must be ASCII digits; anything else counts as 0.
pub fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0') % 10);
            if i % 2 == 0 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Imei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Imei {
    type Err = ImeiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Imei::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_from_the_domain() {
        assert_eq!(check_digit("26053179311383"), 7);
        assert_eq!(check_digit("49015420323751"), 8);
        assert_eq!(
            Imei::parse("260531793113837").unwrap().as_str(),
            "260531793113837"
        );
        assert_eq!(
            Imei::parse("490154203237518").unwrap().as_str(),
            "490154203237518"
        );
    }

    #[test]
    fn spaces_and_dashes_are_removed() {
        let imei = Imei::parse(" 49-015420-323751-8 ").unwrap();
        assert_eq!(imei.as_str(), "490154203237518");
        assert_eq!(
            Imei::parse("49 015420 323751 8").unwrap().as_str(),
            "490154203237518"
        );
    }

    #[test]
    fn wrong_check_digit_says_which() {
        let err = Imei::parse("490154203237519").unwrap_err();
        assert_eq!(
            err,
            ImeiError::WrongCheckDigit {
                found: 9,
                expected: 8
            }
        );
        assert!(err.to_string().contains("expected 8"));
    }

    #[test]
    fn imeisv_is_rejected_with_its_own_message() {
        let err = Imei::parse("4901542032375101").unwrap_err();
        assert_eq!(err, ImeiError::ImeiSv);
        assert!(err.to_string().contains("IMEISV"));
    }

    #[test]
    fn other_lengths_and_characters_are_rejected() {
        assert_eq!(Imei::parse(""), Err(ImeiError::Empty));
        assert_eq!(Imei::parse(" - "), Err(ImeiError::Empty));
        assert_eq!(Imei::parse("12345"), Err(ImeiError::WrongLength(5)));
        assert_eq!(
            Imei::parse("49015420323751"),
            Err(ImeiError::WrongLength(14))
        );
        assert_eq!(
            Imei::parse("4901542032375A8"),
            Err(ImeiError::NotADigit('A'))
        );
        assert_eq!(
            Imei::parse("49015420323751\u{1b}8"),
            Err(ImeiError::NotADigit('\u{1b}'))
        );
        // Arabic-Indic digits are digits to Unicode, not to us.
        assert!(matches!(
            Imei::parse("٤٩٠١٥٤٢٠٣٢٣٧٥١٨"),
            Err(ImeiError::NotADigit(_))
        ));
    }

    #[test]
    fn tail_for_cards() {
        let imei = Imei::parse("490154203237518").unwrap();
        assert_eq!(imei.tail(6), "237518");
        assert_eq!(imei.tail(40), "490154203237518");
    }
}

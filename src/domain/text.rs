//! Text that people type is shown on other people's terminals: control characters,
//! escape sequences and bidi overrides are removed when text comes in and again wherever
//! it is printed outside ratatui.

use thiserror::Error;

/// Characters that could steer a terminal or reorder what a reader sees.
fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200e}' | '\u{200f}' | '\u{061c}'        // direction marks
            | '\u{202a}'..='\u{202e}'                    // embeddings and overrides
            | '\u{2066}'..='\u{2069}'                    // isolates
            | '\u{2028}' | '\u{2029}'                    // line/paragraph separators
            | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// One line of text: every control character or run of whitespace becomes one space,
/// hazards are dropped, the ends are trimmed.
pub fn clean_line(input: &str) -> String {
    if is_clean_ascii_line(input) {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
        } else if is_hazard(c) {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// Printable ASCII with single inner spaces and none at the ends: already clean (the
/// common case, and the fast path of a million-row import).
fn is_clean_ascii_line(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0] != b' '
        && b[b.len() - 1] != b' '
        && b.iter().all(|&c| (b' '..=b'~').contains(&c))
        && !s.contains("  ")
}

/// Multi-line text (notes): line breaks are kept (CRLF folded to LF), tabs become spaces,
/// other control characters and hazards are dropped, each line is right-trimmed and the
/// whole is trimmed.
pub fn clean_text(input: &str) -> String {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = unified
        .split('\n')
        .map(|line| {
            line.chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .filter(|&c| !is_hazard(c))
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    lines.join("\n").trim().to_string()
}

/// Why a typed text was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Nothing but spaces; holds the field's name.
    #[error("the {0} is empty: type a few words")]
    Empty(&'static str),
    /// Longer than allowed.
    #[error("the {field} is {len} characters long; keep it under {max}")]
    TooLong {
        /// The field's name ("note").
        field: &'static str,
        /// Its length, in characters.
        len: usize,
        /// The most allowed, in characters.
        max: usize,
    },
}

/// A cleaned, non-empty, bounded single line for `field`.
pub fn required_line(field: &'static str, input: &str, max: usize) -> Result<String, TextError> {
    bounded(field, clean_line(input), max)
}

/// Cleaned, non-empty, bounded multi-line text for `field`.
pub fn required_text(field: &'static str, input: &str, max: usize) -> Result<String, TextError> {
    bounded(field, clean_text(input), max)
}

fn bounded(field: &'static str, s: String, max: usize) -> Result<String, TextError> {
    let len = s.chars().count();
    if len == 0 {
        Err(TextError::Empty(field))
    } else if len > max {
        Err(TextError::TooLong { field, len, max })
    } else {
        Ok(s)
    }
}

/// Longest free texts accepted, in characters.
pub const MAX_NOTE: usize = 4000;
/// Longest fault description accepted, in characters.
pub const MAX_FAULT: usize = 1000;
/// Longest one-line text accepted (a reference, a reason), in characters.
pub const MAX_SHORT: usize = 120;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_cannot_survive() {
        let payload = "ok\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m done";
        let line = clean_line(payload);
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
        assert_eq!(line, "ok [2J ]0;pwned 31m done");
        let text = clean_text(payload);
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
    }

    #[test]
    fn bidi_overrides_are_dropped() {
        assert_eq!(clean_line("abc\u{202e}fed\u{2066}x\u{2069}"), "abcfedx");
    }

    #[test]
    fn notes_keep_their_lines() {
        assert_eq!(
            clean_text("  first\r\nsecond\t line  \n\n third\u{7}\n"),
            "first\nsecond  line\n\n third"
        );
    }

    #[test]
    fn clean_ascii_takes_the_fast_path_unchanged() {
        for s in ["SO-1", "CECT P30 Pro", "a b c", "x"] {
            assert!(is_clean_ascii_line(s));
            assert_eq!(clean_line(s), s);
        }
        for s in ["", " a", "a ", "a  b", "a\tb", "caf\u{e9}", "a\u{7f}"] {
            assert!(!is_clean_ascii_line(s), "{s:?}");
        }
        assert_eq!(clean_line("a\u{7f}b"), "a b");
    }

    #[test]
    fn single_lines_fold_whitespace() {
        assert_eq!(clean_line("  no\n\tpower  at\u{a0}all "), "no power at all");
    }

    #[test]
    fn required_fields_explain_themselves() {
        assert_eq!(
            required_line("fault", " \u{1b} ", 10),
            Err(TextError::Empty("fault"))
        );
        assert_eq!(
            required_line("fault", "éééééééééééé", 10)
                .unwrap_err()
                .to_string(),
            "the fault is 12 characters long; keep it under 10"
        );
        assert_eq!(
            required_text("note", "日本語のメモ", 10).unwrap(),
            "日本語のメモ"
        );
    }
}

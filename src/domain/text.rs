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

/// Characters that draw nothing: they let two names that look the same differ, hide a
/// formula's `=` from a spreadsheet check, or pad a name that looks empty.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}'                                      // soft hyphen
        | '\u{034f}'                                    // combining grapheme joiner
        | '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' // Hangul fillers
        | '\u{17b4}' | '\u{17b5}'                       // Khmer inherent vowels
        | '\u{180b}'..='\u{180f}'                       // Mongolian selectors and separator
        | '\u{200b}'                                    // zero width space
        | '\u{2060}'..='\u{2064}'                       // word joiner, invisible operators
        | '\u{fe00}'..='\u{fe0f}'                       // variation selectors
        | '\u{e0000}'..='\u{e007f}'                     // tags
        | '\u{e0100}'..='\u{e01ef}') // variation selectors supplement
}

/// Zero-width (non-)joiners shape Persian, Indic and emoji sequences; between ASCII,
/// spaces or at the ends they only hide a difference.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200c}' | '\u{200d}')
}

/// A character a joiner may stand next to: one of a script that may need it.
fn joins(c: Option<char>) -> bool {
    c.is_some_and(|c| {
        !c.is_ascii() && !c.is_whitespace() && !is_hazard(c) && !is_invisible(c) && !is_joiner(c)
    })
}

/// `input` without invisible characters, and with joiners only between two characters
/// of a script that may need them.
fn without_invisible(input: &str) -> std::borrow::Cow<'_, str> {
    if input.is_ascii() || !input.chars().any(|c| is_invisible(c) || is_joiner(c)) {
        return std::borrow::Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if is_invisible(c) {
            continue;
        }
        if is_joiner(c) {
            let next = chars.clone().find(|&n| !is_invisible(n));
            if !(joins(out.chars().next_back()) && joins(next)) {
                continue;
            }
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// `s` with its first letter upper-case, as a sentence starts: "the file" -> "The file".
pub fn capitalized(s: &str) -> String {
    let mut rest = s.chars();
    rest.next()
        .map(|first| first.to_uppercase().collect::<String>() + rest.as_str())
        .unwrap_or_default()
}

/// `s` as one word of a POSIX shell command, so that a command printed for a person to
/// paste works: as it is when every character is plain (letters, digits, `_-./,:@%+=`),
/// else in single quotes, each `'` written `'\''`. Text that cannot be shown as it is
/// (control or invisible characters) is shown as [`clean_line`] leaves it.
pub fn shell_word(s: &str) -> String {
    let shown = if s.chars().any(|c| is_hazard(c) || is_invisible(c)) {
        clean_line(s)
    } else {
        s.to_string()
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./,:@%+=".contains(c);
    if !shown.is_empty() && shown.chars().all(plain) {
        shown
    } else {
        format!("'{}'", shown.replace('\'', "'\\''"))
    }
}

/// One line of text: every control character or run of whitespace becomes one space,
/// hazards and invisible characters are dropped, the ends are trimmed.
pub fn clean_line(input: &str) -> String {
    if is_clean_ascii_line(input) {
        return input.to_string();
    }
    let visible = without_invisible(input);
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in visible.chars() {
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
/// other control characters, hazards and invisible characters are dropped, each line is right-trimmed and the
/// whole is trimmed.
pub fn clean_text(input: &str) -> String {
    let unified = without_invisible(input)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
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

/// A count with its noun in the right number: `1 case`, `2 cases`, `0 cases`. The nouns
/// counted here (case, message, device, sale, row, day, ...) all take an `s`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Letters folded for search: accented Latin letters to their base letter (lower case),
/// ligatures spelled out, combining accents dropped. The search index's migration folds
/// with the same table.
pub const SEARCH_FOLDS: [(char, &str); 138] = [
    ('à', "a"),
    ('á', "a"),
    ('â', "a"),
    ('ã', "a"),
    ('ä', "a"),
    ('å', "a"),
    ('ā', "a"),
    ('ă', "a"),
    ('ą', "a"),
    ('À', "a"),
    ('Á', "a"),
    ('Â', "a"),
    ('Ã', "a"),
    ('Ä', "a"),
    ('Å', "a"),
    ('Ā', "a"),
    ('Ă', "a"),
    ('Ą', "a"),
    ('ç', "c"),
    ('ć', "c"),
    ('č', "c"),
    ('Ç', "c"),
    ('Ć', "c"),
    ('Č', "c"),
    ('ď', "d"),
    ('đ', "d"),
    ('Ď', "d"),
    ('Đ', "d"),
    ('è', "e"),
    ('é', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('ē', "e"),
    ('ė', "e"),
    ('ę', "e"),
    ('ě', "e"),
    ('È', "e"),
    ('É', "e"),
    ('Ê', "e"),
    ('Ë', "e"),
    ('Ē', "e"),
    ('Ė', "e"),
    ('Ę', "e"),
    ('Ě', "e"),
    ('ğ', "g"),
    ('Ğ', "g"),
    ('ì', "i"),
    ('í', "i"),
    ('î', "i"),
    ('ï', "i"),
    ('ī', "i"),
    ('ı', "i"),
    ('Ì', "i"),
    ('Í', "i"),
    ('Î', "i"),
    ('Ï', "i"),
    ('Ī', "i"),
    ('İ', "i"),
    ('ł', "l"),
    ('ľ', "l"),
    ('Ł', "l"),
    ('Ľ', "l"),
    ('ñ', "n"),
    ('ń', "n"),
    ('ň', "n"),
    ('Ñ', "n"),
    ('Ń', "n"),
    ('Ň', "n"),
    ('ò', "o"),
    ('ó', "o"),
    ('ô', "o"),
    ('õ', "o"),
    ('ö', "o"),
    ('ø', "o"),
    ('ō', "o"),
    ('ő', "o"),
    ('Ò', "o"),
    ('Ó', "o"),
    ('Ô', "o"),
    ('Õ', "o"),
    ('Ö', "o"),
    ('Ø', "o"),
    ('Ō', "o"),
    ('Ő', "o"),
    ('ř', "r"),
    ('Ř', "r"),
    ('ś', "s"),
    ('š', "s"),
    ('ş', "s"),
    ('Ś', "s"),
    ('Š', "s"),
    ('Ş', "s"),
    ('ť', "t"),
    ('ţ', "t"),
    ('Ť', "t"),
    ('Ţ', "t"),
    ('ù', "u"),
    ('ú', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('ū', "u"),
    ('ů', "u"),
    ('ű', "u"),
    ('Ù', "u"),
    ('Ú', "u"),
    ('Û', "u"),
    ('Ü', "u"),
    ('Ū', "u"),
    ('Ů', "u"),
    ('Ű', "u"),
    ('ý', "y"),
    ('ÿ', "y"),
    ('Ý', "y"),
    ('Ÿ', "y"),
    ('ź', "z"),
    ('ż', "z"),
    ('ž', "z"),
    ('Ź', "z"),
    ('Ż', "z"),
    ('Ž', "z"),
    ('ß', "ss"),
    ('æ', "ae"),
    ('Æ', "ae"),
    ('œ', "oe"),
    ('Œ', "oe"),
    ('\u{300}', ""),
    ('\u{301}', ""),
    ('\u{302}', ""),
    ('\u{303}', ""),
    ('\u{304}', ""),
    ('\u{306}', ""),
    ('\u{307}', ""),
    ('\u{308}', ""),
    ('\u{30a}', ""),
    ('\u{30b}', ""),
    ('\u{30c}', ""),
    ('\u{327}', ""),
    ('\u{328}', ""),
];

/// Text as search compares it: accents folded by [`SEARCH_FOLDS`] and lower case, so
/// `zoe` finds "Zoë". Only for matching: the text itself is kept as typed.
pub fn fold_for_search(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match SEARCH_FOLDS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_word_is_quoted_only_when_it_must_be() {
        assert_eq!(shell_word("/srv/rma/box-1.csv"), "/srv/rma/box-1.csv");
        assert_eq!(shell_word("my box.csv"), "'my box.csv'");
        assert_eq!(shell_word("Lyon's $HOME"), "'Lyon'\\''s $HOME'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("张伟.csv"), "'张伟.csv'");
        // Nothing a terminal would act on is printed.
        assert_eq!(shell_word("a\u{1b}[2Jb"), "'a [2Jb'");
    }

    #[test]
    fn a_sentence_starts_with_a_capital_whatever_the_script() {
        assert_eq!(capitalized("the file"), "The file");
        assert_eq!(capitalized("écran cassé"), "Écran cassé");
        assert_eq!(capitalized("ßig"), "SSig");
        assert_eq!(capitalized("RMA-1 shipped"), "RMA-1 shipped");
        assert_eq!(capitalized("张伟"), "张伟");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn search_folds_accents_case_and_combining_marks() {
        assert_eq!(fold_for_search("Zoë Müller"), "zoe muller");
        assert_eq!(
            fold_for_search("Zoe\u{308} ŁÓDŹ Straße"),
            "zoe lodz strasse"
        );
        // The index folds the same way: the migration replaces every letter of the table.
        let sql = include_str!("../../assets/migrations/0007_search_folds.sql");
        for (from, to) in SEARCH_FOLDS {
            assert!(sql.contains(&format!("'{from}', '{to}')")), "{from:?}");
        }
    }

    #[test]
    fn counts_say_one_case_and_two_cases() {
        assert_eq!(count(1u64, "case"), "1 case");
        assert_eq!(count(0u64, "case"), "0 cases");
        assert_eq!(count(2u32, "message"), "2 messages");
    }

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
    fn invisible_characters_are_dropped() {
        let hidden = [
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{00ad}',
            '\u{180e}',
            '\u{fe0f}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{3164}',
            '\u{115f}',
            '\u{e0100}',
        ];
        for c in hidden {
            let padded = format!("{c}Anna{c} Berg{c}");
            assert_eq!(clean_line(&padded), "Anna Berg", "U+{:04X}", c as u32);
            assert_eq!(clean_text(&padded), "Anna Berg", "U+{:04X}", c as u32);
            // A name of nothing but invisible characters is empty.
            assert_eq!(
                required_line("name", &format!("{c}{c}"), 10),
                Err(TextError::Empty("name")),
                "U+{:04X}",
                c as u32
            );
        }
        assert_eq!(clean_line("\u{200b}=1+1"), "=1+1");
        assert_eq!(clean_text("line\u{200b}\nnext\u{2060}"), "line\nnext");
    }

    #[test]
    fn joiners_stay_where_a_script_needs_them() {
        // Persian: the non-joiner keeps "می" and "خواهم" apart in one word.
        let persian = "می\u{200c}خواهم";
        assert_eq!(clean_line(persian), persian);
        // Devanagari half forms, and an emoji family, need the joiner.
        let hindi = "क्\u{200d}ष";
        assert_eq!(clean_line(hindi), hindi);
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
        assert_eq!(clean_text(family), family);
        // Next to ASCII or a space, or at the ends, it only hides a difference.
        assert_eq!(clean_line("An\u{200d}na"), "Anna");
        assert_eq!(clean_line("\u{200c}می"), "می");
        assert_eq!(clean_line("می \u{200c}خ"), "می خ");
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

//! Telling a barcode scanner from a person by timing alone.
//!
//! A scanner is a keyboard that types a whole number within a few milliseconds; a person
//! leaves tens of milliseconds between keys. The event loop stamps each key with the
//! instant it was read and feeds it here; what comes out is what the app is given: keys a
//! person typed ([`Msg::Key`]) or whole scans ([`Msg::Scan`]). Measured (see the README):
//! tmux `send-keys` and a write to a pseudo-terminal deliver a number in one read, 0.01 to
//! 0.1 ms between keys; tmux typing one key per `send-keys` call, the slowest burst seen,
//! leaves 2 to 8 ms; people seldom press even two keys within 30 ms, and not four in a row.
//!
//! - A run of at least [`SCAN_MIN`] characters, each within [`SCAN_GAP`] of the one before,
//!   is a scan. Enter, Tab or a line feed (Ctrl-J) right after it ends it; the line feed
//!   of a CR-LF that follows is part of the Enter.
//! - A run that stops without one is a scan too, only unfinished: it is never given as
//!   keys, so it cannot answer a question; the app keeps it for the person's Enter.
//! - A shorter run is keys a person typed (two keys pressed at once, a quick `>p`).
//! - The same character [`REPEAT_RUN`] times from the start is a key held down (a fast
//!   auto-repeat of `j`): given as keys at once, and so are its repeats.
//!
//! A character is held back until it is known which of these it is: at most [`SCAN_GAP`],
//! after which [`ScanDetector::expire`] gives it as typed. The event loop wakes at
//! [`ScanDetector::deadline`] for that.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::protocol::{Msg, Scan, ScanEnd};

/// The longest pause between two characters of one scan. Scanners leave a few
/// milliseconds; a person's first key waits this long at most before it acts.
pub const SCAN_GAP: Duration = Duration::from_millis(30);
/// The fewest characters a scan has. The numbers the board finds have 13 (a China Post
/// S10), 14 (an RMA number), 15 (an IMEI) or more; a person's quick pair is not a scan.
pub const SCAN_MIN: usize = 4;
/// The same character this many times in a row from the start of a run is a key held down.
pub const REPEAT_RUN: usize = 4;

/// Splits the keys as read into keys typed by a person and scans.
#[derive(Debug, Default)]
pub struct ScanDetector {
    /// Characters of a run not yet known to be a scan or typing.
    held: Vec<KeyEvent>,
    /// When the last held character came.
    last: Option<Instant>,
    /// A scan just ended with Enter at this instant: a line feed right after is its CR-LF.
    enter_at: Option<Instant>,
    /// A key held down, and when its last repeat came.
    repeat: Option<(char, Instant)>,
}

/// A character typed without Ctrl or Alt: part of a run.
fn plain_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !c.is_control() =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// A line feed: raw mode reads it as Ctrl-J.
fn line_feed(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('j') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// The key that ends a scan, if it is one.
fn terminator(key: &KeyEvent) -> Option<ScanEnd> {
    let mods = key.modifiers.difference(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Enter if mods.is_empty() => Some(ScanEnd::Enter),
        KeyCode::Tab if mods.is_empty() => Some(ScanEnd::Tab),
        _ if line_feed(key) => Some(ScanEnd::Enter),
        _ => None,
    }
}

fn within(at: Instant, since: Instant) -> bool {
    at.saturating_duration_since(since) < SCAN_GAP
}

impl ScanDetector {
    /// A detector with nothing held.
    pub fn new() -> ScanDetector {
        ScanDetector::default()
    }

    /// Take a key read at `at`; returns what is now known, in order.
    pub fn feed(&mut self, key: KeyEvent, at: Instant) -> Vec<Msg> {
        let mut out = Vec::new();
        if self.last.is_some_and(|last| !within(at, last)) {
            out.extend(self.flush());
        }
        if let Some(enter) = self.enter_at.take()
            && line_feed(&key)
            && within(at, enter)
        {
            return out;
        }
        if let Some(c) = plain_char(&key) {
            if let Some((r, since)) = self.repeat
                && r == c
                && within(at, since)
                && self.held.is_empty()
            {
                self.repeat = Some((c, at));
                out.push(Msg::Key(key));
                return out;
            }
            self.repeat = None;
            self.held.push(key);
            self.last = Some(at);
            let first = plain_char(&self.held[0]);
            if self.held.len() >= REPEAT_RUN && self.held.iter().all(|k| plain_char(k) == first) {
                self.repeat = Some((c, at));
                self.last = None;
                out.extend(self.held.drain(..).map(Msg::Key));
            }
            return out;
        }
        self.repeat = None;
        if let Some(end) = terminator(&key)
            && self.held.len() >= SCAN_MIN
        {
            let text = self.held.drain(..).filter_map(|k| plain_char(&k)).collect();
            self.last = None;
            if end == ScanEnd::Enter && !line_feed(&key) {
                self.enter_at = Some(at);
            }
            out.push(Msg::Scan(Scan {
                text,
                end: Some(end),
            }));
            return out;
        }
        out.extend(self.flush());
        out.push(Msg::Key(key));
        out
    }

    /// When the characters held back must be given, if any are.
    pub fn deadline(&self) -> Option<Instant> {
        self.last.map(|last| last + SCAN_GAP)
    }

    /// Whether characters are held back, waiting to be known.
    pub fn holding(&self) -> bool {
        !self.held.is_empty()
    }

    /// Give what is held back once no more of its run can come (at the deadline).
    pub fn expire(&mut self, now: Instant) -> Vec<Msg> {
        match self.last {
            Some(last) if !within(now, last) => self.flush(),
            _ => Vec::new(),
        }
    }

    /// The run held back is over: a scan without its end if long enough, else typed keys.
    fn flush(&mut self) -> Vec<Msg> {
        self.last = None;
        if self.held.len() >= SCAN_MIN {
            let text = self.held.drain(..).filter_map(|k| plain_char(&k)).collect();
            return vec![Msg::Scan(Scan { text, end: None })];
        }
        self.held.drain(..).map(Msg::Key).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn ch(c: char) -> KeyEvent {
        let m = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(KeyCode::Char(c), m)
    }

    fn code(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// What the app is given, in short: `k:x` a typed key, `scan:TEXT+end`.
    fn shown(msgs: &[Msg]) -> Vec<String> {
        msgs.iter()
            .map(|m| match m {
                Msg::Key(k) => match k.code {
                    KeyCode::Char(c) if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        format!("k:ctrl-{c}")
                    }
                    KeyCode::Char(c) => format!("k:{c}"),
                    other => format!("k:{other:?}"),
                },
                Msg::Scan(s) => format!("scan:{}+{:?}", s.text, s.end),
                other => format!("{other:?}"),
            })
            .collect()
    }

    /// Feed `keys` `gap` apart from `t0`, then let the run expire; everything given.
    fn run(d: &mut ScanDetector, keys: &[KeyEvent], t0: Instant, gap: Duration) -> Vec<String> {
        let mut out = Vec::new();
        let mut t = t0;
        for k in keys {
            out.extend(d.feed(*k, t));
            t += gap;
        }
        if let Some(deadline) = d.deadline() {
            out.extend(d.expire(deadline));
        }
        shown(&out)
    }

    fn chars(text: &str) -> Vec<KeyEvent> {
        text.chars().map(ch).collect()
    }

    #[test]
    fn a_burst_ended_by_enter_tab_or_crlf_is_one_scan() {
        let t0 = Instant::now();
        for (end, key) in [
            ("Some(Enter)", code(KeyCode::Enter)),
            ("Some(Tab)", code(KeyCode::Tab)),
            (
                "Some(Enter)",
                KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL),
            ),
        ] {
            let mut d = ScanDetector::new();
            let mut keys = chars("RP123456785CN");
            keys.push(key);
            // As tmux send-keys and a pty write deliver it, and as a slow scanner types.
            for gap in [Duration::ZERO, ms(1), ms(8), ms(25)] {
                assert_eq!(
                    run(&mut d, &keys, t0, gap),
                    [format!("scan:RP123456785CN+{end}")],
                    "gap {gap:?}"
                );
            }
        }
        // CR-LF: the line feed belongs to the Enter before it.
        let mut d = ScanDetector::new();
        let mut keys = chars("490154203237518");
        keys.push(code(KeyCode::Enter));
        keys.push(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL));
        keys.push(ch('j'));
        let got = run(&mut d, &keys, t0, Duration::ZERO);
        assert_eq!(got, ["scan:490154203237518+Some(Enter)", "k:j"]);
        // A line feed a person types later is theirs.
        let mut d = ScanDetector::new();
        let mut out = d.feed(ch('1'), t0);
        for (i, c) in "2345".chars().enumerate() {
            out.extend(d.feed(ch(c), t0 + ms(i as u64)));
        }
        out.extend(d.feed(code(KeyCode::Enter), t0 + ms(5)));
        out.extend(d.feed(
            KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL),
            t0 + ms(500),
        ));
        assert_eq!(shown(&out), ["scan:12345+Some(Enter)", "k:ctrl-j"]);
    }

    #[test]
    fn a_person_typing_gets_every_key_as_typed() {
        let t0 = Instant::now();
        let mut d = ScanDetector::new();
        // A person typing a number by hand, 80 ms a key: typed keys, Enter included.
        let mut keys = chars("RMA-2026-00001");
        keys.push(code(KeyCode::Enter));
        let got = run(&mut d, &keys, t0, ms(80));
        assert_eq!(got.len(), 15);
        assert!(got.iter().all(|k| k.starts_with("k:")), "{got:?}");
        // Two or three keys at once (rollover, `>p`), then Enter: typed.
        let got = run(
            &mut d,
            &[ch('>'), ch('p'), code(KeyCode::Enter)],
            t0 + ms(5000),
            ms(5),
        );
        assert_eq!(got, ["k:>", "k:p", "k:Enter"]);
        // Right at the gap: not part of one run.
        let got = run(&mut d, &chars("abcd"), t0 + ms(9000), SCAN_GAP);
        assert_eq!(got, ["k:a", "k:b", "k:c", "k:d"]);
    }

    #[test]
    fn a_held_character_waits_at_most_the_gap() {
        let t0 = Instant::now();
        let mut d = ScanDetector::new();
        assert!(d.feed(ch('p'), t0).is_empty());
        assert!(d.holding());
        assert_eq!(d.deadline(), Some(t0 + SCAN_GAP));
        assert!(d.expire(t0 + ms(29)).is_empty());
        assert_eq!(shown(&d.expire(t0 + SCAN_GAP)), ["k:p"]);
        assert!(!d.holding());
        assert_eq!(d.deadline(), None);
        // A key that is no character lets the held ones go first, in order.
        assert!(d.feed(ch('a'), t0 + ms(100)).is_empty());
        assert_eq!(
            shown(&d.feed(code(KeyCode::Esc), t0 + ms(101))),
            ["k:a", "k:Esc"]
        );
        // Enter after fewer than SCAN_MIN characters: typed.
        assert!(d.feed(ch('y'), t0 + ms(200)).is_empty());
        assert_eq!(
            shown(&d.feed(code(KeyCode::Enter), t0 + ms(201))),
            ["k:y", "k:Enter"]
        );
    }

    #[test]
    fn a_burst_that_stops_without_its_end_is_an_unfinished_scan() {
        let t0 = Instant::now();
        let mut d = ScanDetector::new();
        let got = run(&mut d, &chars("RP123456785CN"), t0, ms(2));
        assert_eq!(got, ["scan:RP123456785CN+None"]);
        // The Enter a person presses afterwards is theirs.
        let got = run(&mut d, &[code(KeyCode::Enter)], t0 + ms(400), ms(1));
        assert_eq!(got, ["k:Enter"]);
        // Two scans back to back, each whole.
        let mut keys = chars("RR123456785CN");
        keys.push(code(KeyCode::Enter));
        let mut out = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            out.extend(d.feed(*k, t0 + ms(1000 + i as u64)));
        }
        for (i, k) in keys.iter().enumerate() {
            out.extend(d.feed(*k, t0 + ms(1100 + i as u64)));
        }
        assert_eq!(
            shown(&out),
            [
                "scan:RR123456785CN+Some(Enter)",
                "scan:RR123456785CN+Some(Enter)"
            ]
        );
    }

    #[test]
    fn a_key_held_down_is_typed_however_fast_it_repeats() {
        let t0 = Instant::now();
        let mut d = ScanDetector::new();
        // Auto-repeat at 15 ms: the first three wait, then all go as typed, and the rest
        // go at once.
        let mut out = Vec::new();
        let mut right_away = Vec::new();
        for i in 0..20u64 {
            let given = d.feed(ch('j'), t0 + ms(15 * i));
            if i >= REPEAT_RUN as u64 {
                right_away.push(given.len());
            }
            out.extend(given);
        }
        if let Some(deadline) = d.deadline() {
            out.extend(d.expire(deadline));
        }
        let got = shown(&out);
        assert_eq!(got.len(), 20);
        assert!(got.iter().all(|k| k == "k:j"), "{got:?}");
        assert!(right_away.iter().all(|&n| n == 1), "{right_away:?}");
        // An S10 starting with a doubled letter is still a scan.
        let mut keys = chars("RR123456785CN");
        keys.push(code(KeyCode::Tab));
        let got = run(&mut d, &keys, t0 + ms(5000), ms(1));
        assert_eq!(got, ["scan:RR123456785CN+Some(Tab)"]);
    }
}

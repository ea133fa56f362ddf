//! Keys to actions, as data, mode by mode (the board, the detail view, each overlay): the
//! defaults in `assets/keys.toml`, optionally rebound by a `keys.toml` in the config
//! folder. The same table answers "which action is this key here" and "which keys run
//! this action" (for the help overlay and status-bar hints).

use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use thiserror::Error;

use super::action::{Action, Mode, ModeAction};

const DEFAULT_KEYS: &str = include_str!("../../assets/keys.toml");

/// A key as a user names it: a code plus Ctrl/Alt. Shift is folded into the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key itself (a character, an arrow, Enter...).
    pub code: KeyCode,
    /// Held with Ctrl.
    pub ctrl: bool,
    /// Held with Alt.
    pub alt: bool,
}

impl Key {
    /// The key a terminal event names (Shift stays in the character).
    pub fn from_event(ev: &KeyEvent) -> Key {
        // Shift is not kept: it is already in the character ('?', '>', 'A').
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parse `h`, `?`, `left`, `pgdn`, `ctrl-c`, `alt-x`, `f1`...
    pub fn parse(name: &str) -> Result<Key, KeyMapError> {
        let bad = || KeyMapError::UnknownKey(name.chars().take(30).collect());
        let mut rest = name;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().map_err(|_| bad())?;
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    KeyCode::F(n)
                }
                _ => return Err(bad()),
            },
        };
        Ok(Key { code, ctrl, alt })
    }

    /// Digits and capital letters belong to the barcode scanner.
    pub fn is_scanner_key(&self) -> bool {
        !self.ctrl
            && !self.alt
            && matches!(self.code, KeyCode::Char(c) if c.is_ascii_digit() || c.is_ascii_uppercase())
    }

    /// A character typed without Ctrl or Alt: text where text is typed.
    pub fn types_text(&self) -> bool {
        !self.ctrl && !self.alt && matches!(self.code, KeyCode::Char(_))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.ctrl || self.alt => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// A `keys.toml` that cannot be used; the default keys are used meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyMapError {
    /// A key name that is not known; holds it, cut to 30 characters.
    #[error(
        "the key {0:?} is not known: use a character, or left, right, up, down, pgup, pgdn, home, end, enter, esc, tab, backtab, backspace, delete, space, f1..f12, with ctrl- or alt-"
    )]
    UnknownKey(String),
    /// A mode name that is not known; holds it.
    #[error("the mode {0:?} is not known: use one of {names}", names = mode_names())]
    UnknownMode(String),
    /// An action name that the mode does not have.
    #[error("the action {name:?} is not known in mode {m}: use one of {names}", m = .mode.name(), names = action_names(*.mode))]
    UnknownAction {
        /// The action name given.
        name: String,
        /// The mode it was given for.
        mode: Mode,
    },
    /// A digit or capital letter, which a barcode scanner types: never bound to a command.
    #[error(
        "the key {0} is kept for the barcode scanner (digits and capital letters never run commands): pick another key"
    )]
    ScannerKey(String),
    /// A key that would type text in a mode where typing goes into a field.
    #[error(
        "the key {key} would be typed as text in mode {m}: pick a key that types nothing (enter, tab, esc, an arrow, f1..f12, a ctrl- or alt- key)", m = .mode.name()
    )]
    TextKey {
        /// The key given.
        key: String,
        /// The mode it was given for.
        mode: Mode,
    },
    /// The file is not valid TOML or has unknown fields.
    #[error("{} is not valid: {message}; fix it or move it away (the default keys are used meanwhile)", path.display())]
    Invalid {
        /// The key file.
        path: PathBuf,
        /// What is wrong in it.
        message: String,
    },
    /// The file could not be read.
    #[error("could not read {}: {message}; the default keys are used", path.display())]
    Read {
        /// The key file.
        path: PathBuf,
        /// Why it could not be read.
        message: String,
    },
}

fn mode_names() -> String {
    Mode::ALL.map(Mode::name).join(", ")
}

fn action_names(mode: Mode) -> String {
    let names: Vec<&str> = mode.actions().into_iter().map(|(name, _)| name).collect();
    names.join(", ")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    #[serde(default)]
    keymap: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    run: String,
    on: Vec<String>,
    desc: Option<String>,
    /// `board` when left out, so key files written before modes keep their meaning.
    mode: Option<String>,
}

/// The keys of one action in one mode.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The mode whose keys these are.
    pub mode: Mode,
    /// The action's name in `keys.toml`.
    pub name: &'static str,
    /// The action's word in the status-bar hints.
    pub label: &'static str,
    /// The keys that run it; empty when it is unbound.
    pub keys: Vec<Key>,
    /// What it does, for the help.
    pub desc: String,
}

/// Every action's keys, mode by mode: the defaults with the user's `keys.toml` over them.
#[derive(Debug, Clone)]
pub struct KeyMap {
    /// One entry per action of every mode, mode by mode, in help order.
    bindings: Vec<Binding>,
}

impl KeyMap {
    /// The built-in defaults.
    pub fn default_keys() -> KeyMap {
        let mut map = KeyMap {
            bindings: Mode::ALL
                .into_iter()
                .flat_map(|mode| {
                    mode.actions()
                        .into_iter()
                        .map(move |(name, label)| Binding {
                            mode,
                            name,
                            label,
                            keys: Vec::new(),
                            desc: label.to_string(),
                        })
                })
                .collect(),
        };
        // The defaults ship with the program and are checked by a test; a broken entry
        // would leave that action unbound rather than stop the board.
        if let Ok(file) = toml::from_str::<KeyFile>(DEFAULT_KEYS) {
            let _ = map.apply(file, false);
        }
        map
    }

    /// The user's key file in the config folder `dir`.
    pub fn user_file(dir: &Path) -> PathBuf {
        dir.join("keys.toml")
    }

    /// Defaults, then the user's `keys.toml` in `dir` if there is one. A broken user file
    /// is reported, and the defaults are kept.
    pub fn load(dir: Option<&Path>) -> (KeyMap, Option<KeyMapError>) {
        let mut map = KeyMap::default_keys();
        let Some(path) = dir.map(KeyMap::user_file) else {
            return (map, None);
        };
        if !path.exists() {
            return (map, None);
        }
        let err = match crate::config::read_settings_file(&path) {
            Ok(text) => match map.merge_user(&text) {
                Ok(()) => None,
                Err(KeyMapError::Invalid { message, .. }) => {
                    Some(KeyMapError::Invalid { path, message })
                }
                Err(e) => Some(KeyMapError::Invalid {
                    path,
                    message: e.to_string(),
                }),
            },
            Err(e) => Some(KeyMapError::Read {
                path,
                message: e.to_string(),
            }),
        };
        (map, err)
    }

    /// Rebind from a user file's text: each entry replaces the keys of its action.
    pub fn merge_user(&mut self, text: &str) -> Result<(), KeyMapError> {
        let file: KeyFile = toml::from_str(text).map_err(|e| KeyMapError::Invalid {
            path: PathBuf::from("keys.toml"),
            message: crate::domain::text::clean_line(e.message()),
        })?;
        let mut next = self.clone();
        next.apply(file, true)?;
        *self = next;
        Ok(())
    }

    fn apply(&mut self, file: KeyFile, user: bool) -> Result<(), KeyMapError> {
        let cut = |s: &str| s.chars().take(30).collect::<String>();
        for entry in file.keymap {
            let mode = match &entry.mode {
                None => Mode::Board,
                Some(m) => Mode::parse(m).ok_or_else(|| KeyMapError::UnknownMode(cut(m)))?,
            };
            let index = self
                .bindings
                .iter()
                .position(|b| b.mode == mode && b.name == entry.run)
                .ok_or_else(|| KeyMapError::UnknownAction {
                    name: cut(&entry.run),
                    mode,
                })?;
            let keys = entry
                .on
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(k) = keys.iter().find(|k| mode.scans() && k.is_scanner_key()) {
                return Err(KeyMapError::ScannerKey(k.to_string()));
            }
            if let Some(k) = keys.iter().find(|k| mode.takes_text() && k.types_text()) {
                return Err(KeyMapError::TextKey {
                    key: k.to_string(),
                    mode,
                });
            }
            // A key rebound by the user leaves whatever it ran before in that mode. The
            // detail view also runs the board's commands, so a board key leaves it too.
            if user {
                for b in &mut self.bindings {
                    if b.mode == mode || (mode == Mode::Board && b.mode == Mode::Detail) {
                        b.keys.retain(|k| !keys.contains(k));
                    }
                }
            }
            let b = &mut self.bindings[index];
            b.keys = keys;
            if let Some(desc) = entry.desc {
                b.desc = crate::domain::text::clean_line(&desc);
            }
        }
        Ok(())
    }

    /// The action of mode `A` this key runs, if any.
    pub fn action<A: ModeAction>(&self, ev: &KeyEvent) -> Option<A> {
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .find(|b| b.mode == A::MODE && b.keys.contains(&key))
            .and_then(|b| A::parse(b.name))
    }

    /// The board action this key runs, if any.
    pub fn action_for(&self, ev: &KeyEvent) -> Option<Action> {
        self.action(ev)
    }

    /// Every binding, mode by mode, in help order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The bindings of one mode, in help order.
    pub fn mode(&self, mode: Mode) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.mode == mode)
    }

    /// The keys that run `action` in its mode; empty when none.
    pub fn keys_for<A: ModeAction>(&self, action: A) -> &[Key] {
        self.bindings
            .iter()
            .find(|b| b.mode == A::MODE && b.name == action.name())
            .map(|b| b.keys.as_slice())
            .unwrap_or(&[])
    }

    /// The first key of an action, as shown in hints ("" when unbound).
    pub fn first_key<A: ModeAction>(&self, action: A) -> String {
        self.keys_for(action)
            .first()
            .map(Key::to_string)
            .unwrap_or_default()
    }

    /// The first keys of two actions that go together, as "↑/↓" ("" when both are
    /// unbound).
    pub fn pair<A: ModeAction>(&self, one: A, other: A) -> String {
        let keys: Vec<String> = [self.first_key(one), self.first_key(other)]
            .into_iter()
            .filter(|k| !k.is_empty())
            .collect();
        keys.join("/")
    }

    /// Hints for one mode, in help order: "↑/↓ pick", one per action, actions with the
    /// same label side by side shown as one.
    pub fn hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        KeyMap::hints_of(self.mode(mode))
    }

    /// Hints for these bindings, as [`KeyMap::hints`] shows them.
    pub fn hints_of<'a>(
        bindings: impl Iterator<Item = &'a Binding>,
    ) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(String, &'static str)> = Vec::new();
        for b in bindings {
            let Some(key) = b.keys.first().map(Key::to_string) else {
                continue;
            };
            match hints.last_mut() {
                Some((keys, label)) if *label == b.label => {
                    keys.push('/');
                    keys.push_str(&key);
                }
                _ => hints.push((key, b.label)),
            }
        }
        hints
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{DetailAction, FormAction, HelpAction, OutboxAction, ReportAction};
    use crossterm::event::KeyEventKind;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn every_default_action_has_a_key_and_a_description() {
        let file: KeyFile = toml::from_str(DEFAULT_KEYS).unwrap();
        for mode in Mode::ALL {
            for (name, _) in mode.actions() {
                let entry = file
                    .keymap
                    .iter()
                    .find(|e| e.run == name && e.mode.as_deref().unwrap_or("board") == mode.name());
                let entry = entry
                    .unwrap_or_else(|| panic!("{name} in mode {} has no default", mode.name()));
                assert!(!entry.on.is_empty());
                assert!(entry.desc.as_deref().is_some_and(|d| !d.is_empty()));
            }
        }
        // The board's entries need no mode, as in key files written before modes.
        for action in Action::ALL {
            assert!(
                file.keymap
                    .iter()
                    .any(|e| e.run == action.name() && e.mode.is_none())
            );
        }
        let map = KeyMap::default_keys();
        for b in map.bindings() {
            assert!(!b.keys.is_empty(), "{} in {:?}", b.name, b.mode);
        }
    }

    #[test]
    fn no_default_key_is_a_digit_or_a_capital_letter() {
        for b in KeyMap::default_keys().bindings() {
            for k in &b.keys {
                assert!(!k.is_scanner_key(), "{k} is bound to {}", b.name);
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        let map = KeyMap::default_keys();
        for mode in Mode::ALL {
            let mut seen = std::collections::HashSet::new();
            for b in map.mode(mode) {
                for k in &b.keys {
                    assert!(seen.insert(*k), "{k} is bound twice in {}", mode.name());
                }
            }
        }
    }

    #[test]
    fn each_mode_reads_its_own_keys() {
        let map = KeyMap::default_keys();
        let left = press(KeyCode::Left);
        assert_eq!(map.action::<Action>(&left), Some(Action::PaneLeft));
        assert_eq!(
            map.action::<ReportAction>(&left),
            Some(ReportAction::Earlier)
        );
        assert_eq!(map.action::<FormAction>(&left), None);
        let esc = press(KeyCode::Esc);
        assert_eq!(map.action::<FormAction>(&esc), Some(FormAction::Cancel));
        assert_eq!(map.action::<HelpAction>(&esc), Some(HelpAction::Close));
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            map.action::<FormAction>(&backtab),
            Some(FormAction::PreviousField)
        );
        assert_eq!(
            map.pair(HelpAction::ScrollUp, HelpAction::ScrollDown),
            "↑/↓"
        );
        assert_eq!(
            map.hints(Mode::Outbox),
            vec![
                ("↑/↓".to_string(), "pick"),
                ("PgUp/PgDn/Ctrl-↑/Ctrl-↓".to_string(), "scroll"),
                ("s".to_string(), "send all"),
                ("d".to_string(), "drop"),
                ("Esc".to_string(), "close"),
            ]
        );
    }

    #[test]
    fn overlay_keys_rebind_in_their_mode_only() {
        let mut map = KeyMap::default_keys();
        // A report key leaves the board's keys alone.
        map.merge_user("[[keymap]]\nrun = \"close\"\nmode = \"report\"\non = [\"q\", \"esc\"]\n")
            .unwrap();
        let q = press(KeyCode::Char('q'));
        assert_eq!(map.action::<ReportAction>(&q), Some(ReportAction::Close));
        assert_eq!(map.action_for(&q), Some(Action::Quit));
        map.merge_user("[[keymap]]\nrun = \"send_all\"\nmode = \"outbox\"\non = [\"ctrl-s\"]\n")
            .unwrap();
        assert_eq!(map.action::<OutboxAction>(&q), None);
        assert_eq!(
            map.action::<OutboxAction>(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(OutboxAction::SendAll)
        );
        assert_eq!(map.action::<OutboxAction>(&press(KeyCode::Char('s'))), None);
        // A board key taken for a command leaves the detail view's scrolling too.
        map.merge_user("[[keymap]]\nrun = \"add_note\"\non = [\"j\"]\n")
            .unwrap();
        let j = press(KeyCode::Char('j'));
        assert_eq!(map.action_for(&j), Some(Action::AddNote));
        assert_eq!(map.action::<DetailAction>(&j), None);
        assert_eq!(
            map.action::<DetailAction>(&press(KeyCode::Down)),
            Some(DetailAction::ScrollDown)
        );
    }

    #[test]
    fn bad_mode_entries_explain_themselves() {
        let mut map = KeyMap::default_keys();
        let e = map
            .merge_user("[[keymap]]\nrun = \"close\"\nmode = \"popup\"\non = [\"x\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("mode \"popup\" is not known"), "{e}");
        let e = map
            .merge_user("[[keymap]]\nrun = \"quit\"\nmode = \"help\"\non = [\"x\"]\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("\"quit\" is not known in mode help")
                && e.to_string().contains("scroll_up"),
            "{e}"
        );
        // In forms and search a character is text.
        let e = map
            .merge_user("[[keymap]]\nrun = \"save\"\nmode = \"form\"\non = [\"s\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("typed as text"), "{e}");
        // The scanner owns digits and capitals in the detail view too.
        let e = map
            .merge_user("[[keymap]]\nrun = \"back\"\nmode = \"detail\"\non = [\"B\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("barcode scanner"), "{e}");
        // And in questions and the views that any other key closes: typed there, they
        // start a number.
        for (mode, run) in [
            ("choice", "down"),
            ("report", "scroll_down"),
            ("outbox", "down"),
            ("help", "scroll_down"),
        ] {
            let e = map
                .merge_user(&format!(
                    "[[keymap]]\nrun = \"{run}\"\nmode = \"{mode}\"\non = [\"J\"]\n"
                ))
                .unwrap_err();
            assert!(e.to_string().contains("barcode scanner"), "{mode}: {e}");
        }
        assert_eq!(
            map.action::<FormAction>(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(FormAction::Save)
        );
    }

    #[test]
    fn user_file_rebinds_and_frees_the_old_key() {
        let mut map = KeyMap::default_keys();
        map.merge_user("[[keymap]]\nrun = \"move_forward\"\non = [\"f\", \"ctrl-f\"]\n")
            .unwrap();
        assert_eq!(
            map.action_for(&press(KeyCode::Char('f'))),
            Some(Action::MoveForward)
        );
        assert_eq!(map.action_for(&press(KeyCode::Char('>'))), None);
        map.merge_user("[[keymap]]\nrun = \"help\"\non = [\"h\"]\n")
            .unwrap();
        assert_eq!(
            map.action_for(&press(KeyCode::Char('h'))),
            Some(Action::Help)
        );
        assert_eq!(
            map.action_for(&press(KeyCode::Left)),
            Some(Action::PaneLeft)
        );
    }

    #[test]
    fn bad_user_files_explain_themselves() {
        let mut map = KeyMap::default_keys();
        let e = map
            .merge_user("[[keymap]]\nrun = \"fly\"\non = [\"f\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("\"fly\" is not known"), "{e}");
        let e = map
            .merge_user("[[keymap]]\nrun = \"quit\"\non = [\"Q\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("barcode scanner"), "{e}");
        let e = map
            .merge_user("[[keymap]]\nrun = \"quit\"\non = [\"hyper-q\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("is not known"), "{e}");
        // Nothing was half-applied.
        assert_eq!(
            map.action_for(&press(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
    }

    #[test]
    fn keys_read_and_print() {
        assert_eq!(Key::parse("ctrl-c").unwrap().to_string(), "Ctrl-C");
        assert_eq!(Key::parse("pgdn").unwrap().to_string(), "PgDn");
        assert_eq!(Key::parse("left").unwrap().to_string(), "←");
        assert_eq!(Key::parse("?").unwrap().to_string(), "?");
        assert!(Key::parse("f13").is_err());
    }
}

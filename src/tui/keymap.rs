//! Keys to actions, as data: the defaults in `assets/keys.toml`, optionally rebound by a
//! `keys.toml` in the config folder. The same table answers "which action is this key"
//! and "which keys run this action" (for the help overlay and status-bar hints).

use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use thiserror::Error;

use super::action::Action;

const DEFAULT_KEYS: &str = include_str!("../../assets/keys.toml");

/// A key as a user names it: a code plus Ctrl/Alt. Shift is folded into the character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
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

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyMapError {
    #[error(
        "the key {0:?} is not known: use a character, or left, right, up, down, pgup, pgdn, home, end, enter, esc, tab, backspace, space, f1..f12, with ctrl- or alt-"
    )]
    UnknownKey(String),
    #[error("the action {0:?} is not known: use one of the names listed in the help (?)")]
    UnknownAction(String),
    #[error(
        "the key {0} is kept for the barcode scanner (digits and capital letters never run commands): pick another key"
    )]
    ScannerKey(String),
    #[error("{} is not valid: {message}; fix it or move it away (the default keys are used meanwhile)", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("could not read {}: {message}; the default keys are used", path.display())]
    Read { path: PathBuf, message: String },
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
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Key>,
    pub desc: String,
}

#[derive(Debug, Clone)]
pub struct KeyMap {
    /// One entry per action, in help order.
    bindings: Vec<Binding>,
}

impl KeyMap {
    /// The built-in defaults.
    pub fn default_keys() -> KeyMap {
        let mut map = KeyMap {
            bindings: Action::ALL
                .iter()
                .map(|&action| Binding {
                    action,
                    keys: Vec::new(),
                    desc: action.label().to_string(),
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
        let err = match std::fs::read_to_string(&path) {
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
        for entry in file.keymap {
            let action = Action::parse(&entry.run)
                .ok_or_else(|| KeyMapError::UnknownAction(entry.run.chars().take(30).collect()))?;
            let keys = entry
                .on
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(k) = keys.iter().find(|k| k.is_scanner_key()) {
                return Err(KeyMapError::ScannerKey(k.to_string()));
            }
            // A key rebound by the user leaves whatever it ran before.
            if user {
                for b in &mut self.bindings {
                    b.keys.retain(|k| !keys.contains(k));
                }
            }
            if let Some(b) = self.bindings.iter_mut().find(|b| b.action == action) {
                b.keys = keys;
                if let Some(desc) = entry.desc {
                    b.desc = crate::domain::text::clean_line(&desc);
                }
            }
        }
        Ok(())
    }

    pub fn action_for(&self, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .find(|b| b.keys.contains(&key))
            .map(|b| b.action)
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    pub fn keys_for(&self, action: Action) -> &[Key] {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map(|b| b.keys.as_slice())
            .unwrap_or(&[])
    }

    /// The first key of an action, as shown in hints ("" when unbound).
    pub fn first_key(&self, action: Action) -> String {
        self.keys_for(action)
            .first()
            .map(Key::to_string)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn every_default_action_has_a_key_and_a_description() {
        let file: KeyFile = toml::from_str(DEFAULT_KEYS).unwrap();
        for action in Action::ALL {
            let entry = file.keymap.iter().find(|e| e.run == action.name());
            let entry = entry.unwrap_or_else(|| panic!("{} has no default", action.name()));
            assert!(!entry.on.is_empty());
            assert!(entry.desc.as_deref().is_some_and(|d| !d.is_empty()));
        }
        let map = KeyMap::default_keys();
        for b in map.bindings() {
            assert!(!b.keys.is_empty(), "{:?}", b.action);
        }
    }

    #[test]
    fn no_default_key_is_a_digit_or_a_capital_letter() {
        for b in KeyMap::default_keys().bindings() {
            for k in &b.keys {
                assert!(!k.is_scanner_key(), "{k} is bound to {:?}", b.action);
            }
        }
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

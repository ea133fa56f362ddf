//! A small text editor for form fields: one line, or several for notes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What was typed into a field, with the cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// In characters, not bytes.
    cursor: usize,
}

impl TextInput {
    /// A field holding `text`, the cursor at its end.
    pub fn with_text(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    /// What was typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor's position, in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// The line and column of the cursor (for drawing multi-line text).
    pub fn cursor_line_col(&self) -> (usize, usize) {
        let before: String = self.text.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
        (line, col)
    }

    /// Keys the editor keeps for itself, whatever the key map says: what types and what
    /// moves the cursor; in several lines also Enter (a new line) and ↑/↓, so that they
    /// never leave a note by accident.
    pub fn claims(&self, key: &KeyEvent, multiline: bool) -> bool {
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        match key.code {
            KeyCode::Char(_)
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End => true,
            KeyCode::Enter | KeyCode::Up | KeyCode::Down => multiline,
            _ => false,
        }
    }

    /// Edit with a key; returns whether the text changed. Enter adds a line only when
    /// `multiline`; the caller handles it otherwise.
    pub fn handle(&mut self, key: &KeyEvent, multiline: bool) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let changed = !self.text.is_empty();
                self.text.clear();
                self.cursor = 0;
                changed
            }
            KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => false,
            KeyCode::Char(c) => {
                self.insert(c);
                true
            }
            KeyCode::Enter if multiline => {
                self.insert('\n');
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                true
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = len;
                false
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_of_wide_text() {
        let mut t = TextInput::with_text("né");
        t.handle(&k(KeyCode::Left), false);
        t.handle(&k(KeyCode::Char('x')), false);
        assert_eq!(t.text(), "nxé");
        t.handle(&k(KeyCode::Backspace), false);
        t.handle(&k(KeyCode::Delete), false);
        assert_eq!(t.text(), "n");
        assert!(!t.handle(&k(KeyCode::Enter), false));
        assert!(t.handle(&k(KeyCode::Enter), true));
        t.handle(&k(KeyCode::Char('b')), true);
        assert_eq!(t.cursor_line_col(), (1, 1));
    }
}

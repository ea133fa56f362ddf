//! The help overlay's keys; `views::help` draws it from the key map.

use crossterm::event::KeyEvent;

use super::{Ctx, Outcome};
use crate::tui::action::HelpAction;

/// The help over the board.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Help {
    /// How far it is scrolled, in lines.
    pub scroll: u16,
}

impl Help {
    /// Read a key: scroll, or close.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let s = self.scroll;
        self.scroll = match cx.keys.action::<HelpAction>(key) {
            Some(HelpAction::ScrollDown) => s.saturating_add(1),
            Some(HelpAction::ScrollUp) => s.saturating_sub(1),
            Some(HelpAction::PageDown) => s.saturating_add(10),
            Some(HelpAction::PageUp) => s.saturating_sub(10),
            // Any other key closes too: whoever opened the help wants to get back.
            Some(HelpAction::Close) | None => return Outcome::close(),
        };
        Outcome::stay()
    }
}

//! Search across RMA, IMEI, tracking numbers, customer and notes, narrowing as you type;
//! Enter shows the picked case.

use crossterm::event::KeyEvent;

use super::{Ctx, Outcome};
use crate::domain::Case;
use crate::tui::action::SearchAction;
use crate::tui::input::TextInput;
use crate::tui::protocol::Effect;

/// Search over the board.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The query as typed.
    pub input: TextInput,
    /// The cases that match it, as the store answered.
    pub results: Vec<Case>,
    /// The index of the picked case.
    pub selected: usize,
}

impl Search {
    /// Read a key: type the query, pick a case, show it, or close.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        // What can be typed is the query, whatever the key map says.
        let action = match self.input.claims(key, false) {
            true => None,
            false => cx.keys.action::<SearchAction>(key),
        };
        match action {
            Some(SearchAction::Close) => Outcome::close(),
            Some(SearchAction::Show) => match self.results.get(self.selected) {
                Some(case) => Outcome::close().run(vec![Effect::Locate(case.id)]),
                None => Outcome::stay(),
            },
            Some(SearchAction::Up) => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::stay()
            }
            Some(SearchAction::Down) => {
                self.selected = (self.selected + 1).min(self.results.len().saturating_sub(1));
                Outcome::stay()
            }
            None if self.input.handle(key, false) => {
                Outcome::stay().run(vec![Effect::Search(self.input.text().to_string())])
            }
            None => Outcome::stay(),
        }
    }

    /// The store's answer; an answer to a query typed over since is dropped.
    pub fn found(&mut self, query: &str, cases: Vec<Case>) {
        if self.input.text() == query {
            self.results = cases;
            self.selected = 0;
        }
    }
}

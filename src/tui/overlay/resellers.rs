//! The reseller filter's picker: the resellers with cases on the board, narrowing as you
//! type (customer number or name); Enter shows only the picked reseller's cases.

use crossterm::event::KeyEvent;

use super::{Ctx, Outcome};
use crate::domain::text::fold_for_search;
use crate::store::ResellerOnBoard;
use crate::tui::action::SearchAction;
use crate::tui::input::TextInput;
use crate::tui::protocol::Effect;

/// The picker over the board; its keys are search's.
#[derive(Debug, Clone, Default)]
pub struct ResellerPicker {
    /// What is typed to narrow the list.
    pub input: TextInput,
    /// Every reseller with cases on the board; `None` until the store answers.
    pub all: Option<Vec<ResellerOnBoard>>,
    /// The index of the picked reseller among those shown.
    pub selected: usize,
    /// Picking whose parcel to ship (the resellers with inspected devices): Enter marks
    /// the picked one's, rather than showing only its cases.
    pub ready: bool,
}

impl ResellerPicker {
    /// The resellers that match what is typed (customer number or name, any case,
    /// accents folded), in the store's order.
    pub fn shown(&self) -> Vec<&ResellerOnBoard> {
        let q = fold_for_search(self.input.text().trim());
        self.all
            .iter()
            .flatten()
            .filter(|r| {
                q.is_empty()
                    || fold_for_search(&r.customer_number).contains(&q)
                    || r.name
                        .as_deref()
                        .is_some_and(|n| fold_for_search(n).contains(&q))
            })
            .collect()
    }

    /// The store's answer.
    pub fn loaded(&mut self, all: Vec<ResellerOnBoard>) {
        self.all = Some(all);
        self.selected = 0;
    }

    /// Read a key: type to narrow, pick, show only the picked reseller, or close.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let action = match self.input.claims(key, false) {
            true => None,
            false => cx.keys.action::<SearchAction>(key),
        };
        let n = self.shown().len();
        match action {
            Some(SearchAction::Close) => Outcome::close(),
            Some(SearchAction::Show) => match self.shown().get(self.selected) {
                Some(&r) if self.ready => {
                    Outcome::close().run(vec![Effect::MarkReady(r.customer_number.clone())])
                }
                Some(&r) => Outcome::close().run(vec![Effect::FilterReseller(Some(r.clone()))]),
                None => Outcome::stay(),
            },
            Some(SearchAction::Up) => {
                self.selected = self.selected.saturating_sub(1);
                Outcome::stay()
            }
            Some(SearchAction::Down) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
                Outcome::stay()
            }
            None => {
                if self.input.handle(key, false) {
                    self.selected = 0;
                }
                Outcome::stay()
            }
        }
    }
}

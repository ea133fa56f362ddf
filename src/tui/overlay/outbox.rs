//! The outbox over the board: customer messages waiting to be sent, one picked; send them
//! all, or drop the picked one after asking why.

use crossterm::event::KeyEvent;

use super::{Ctx, Outcome, Overlay};
use crate::paperwork::OutboxMessage;
use crate::tui::action::OutboxAction;
use crate::tui::form::Form;
use crate::tui::protocol::Effect;

/// Lines a page key scrolls the shown message: what fits at 80x24.
const PAGE: u16 = 8;

/// The outbox over the board.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    /// `None` until loaded.
    pub messages: Option<Vec<OutboxMessage>>,
    /// The index of the picked message.
    pub selected: usize,
    /// How far the picked message is scrolled, in lines; back to the top on another pick.
    pub scroll: u16,
}

impl Outbox {
    /// Open while it loads.
    pub fn loading() -> Outbox {
        Outbox::default()
    }

    /// The store's answer: the messages not yet sent.
    pub fn loaded(&mut self, list: Vec<OutboxMessage>) {
        self.selected = self.selected.min(list.len().saturating_sub(1));
        self.messages = Some(list);
    }

    /// Pick another message, shown from its top.
    fn pick(&mut self, index: usize) {
        if index != self.selected {
            self.selected = index;
            self.scroll = 0;
        }
    }

    /// Read a key: pick, scroll the picked message, send all, drop, or close.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let last = self
            .messages
            .as_ref()
            .map_or(0, |m| m.len().saturating_sub(1));
        // A bound so that holding a page key does not run far past the end.
        let end = self
            .messages
            .as_ref()
            .and_then(|m| m.get(self.selected))
            .map_or(0, |m| {
                u16::try_from(m.body.lines().count()).unwrap_or(u16::MAX)
            });
        match cx.keys.action::<OutboxAction>(key) {
            Some(OutboxAction::Down) => self.pick((self.selected + 1).min(last)),
            Some(OutboxAction::Up) => self.pick(self.selected.saturating_sub(1)),
            Some(OutboxAction::ScrollDown) => self.scroll = self.scroll.saturating_add(1).min(end),
            Some(OutboxAction::ScrollUp) => self.scroll = self.scroll.saturating_sub(1),
            Some(OutboxAction::PageDown) => self.scroll = self.scroll.saturating_add(PAGE).min(end),
            Some(OutboxAction::PageUp) => self.scroll = self.scroll.saturating_sub(PAGE),
            Some(OutboxAction::SendAll) => {
                return match &cx.read_only {
                    Some(why) => Outcome::stay().complain(why.clone()),
                    None => Outcome::stay()
                        .say("Sending the outbox…")
                        .run(vec![Effect::SendOutbox]),
                };
            }
            Some(OutboxAction::Drop) => {
                let picked = self.messages.as_ref().and_then(|m| m.get(self.selected));
                let Some(m) = picked else {
                    return Outcome::stay();
                };
                if let Some(why) = &cx.read_only {
                    return Outcome::stay().complain(why.clone());
                }
                return Outcome::replace(Overlay::form(Form::drop_message(m.id, &m.rma)));
            }
            // Any other key closes too.
            Some(OutboxAction::Close) | None => return Outcome::close(),
        }
        Outcome::stay()
    }
}

//! A customer's mail over the board (Enter on a request): who wrote and when, the answer
//! clock, the text, each device with its verdict on the mail's day, the attachments.
//! From here the request is answered as `rmaboard answer` answers it: cases opened for
//! the marked devices (or all), a refusal with the policy's reason, or a question.

use crossterm::event::KeyEvent;

use super::{Ctx, Outcome, Overlay};
use crate::domain::Imei;
use crate::tui::action::MailAction;
use crate::tui::form::Form;
use crate::tui::protocol::{AnswerJob, Effect, MailView};

/// Lines a page key scrolls the mail's text: what fits at 80x24.
const PAGE: u16 = 6;

/// The mail view's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMail {
    /// The request's number.
    pub id: i64,
    /// The request and its devices; `None` until loaded.
    pub view: Option<MailView>,
    /// The index of the picked device.
    pub picked: usize,
    /// The devices marked to open cases for, in the order marked.
    pub marked: Vec<Imei>,
    /// How far the mail's text is scrolled, in lines.
    pub scroll: u16,
}

impl RequestMail {
    /// Open on request `id` while it loads.
    pub fn loading(id: i64) -> RequestMail {
        RequestMail {
            id,
            view: None,
            picked: 0,
            marked: Vec::new(),
            scroll: 0,
        }
    }

    /// The store's answer (again after any write): marks of devices still named stay.
    pub fn loaded(&mut self, view: MailView) {
        self.marked
            .retain(|m| view.devices.iter().any(|d| &d.imei == m));
        self.picked = self.picked.min(view.devices.len().saturating_sub(1));
        self.view = Some(view);
    }

    /// Whether the device is marked.
    pub fn is_marked(&self, imei: &Imei) -> bool {
        self.marked.contains(imei)
    }

    /// The devices an open would open cases for: the marked ones in the mail's order,
    /// else every one.
    pub fn chosen(&self) -> Vec<Imei> {
        let Some(view) = &self.view else {
            return Vec::new();
        };
        let all = view.devices.iter().map(|d| d.imei.clone());
        if self.marked.is_empty() {
            all.collect()
        } else {
            all.filter(|i| self.is_marked(i)).collect()
        }
    }

    /// Read a key: pick and mark devices, scroll the text, answer, or close.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let Some(action) = cx.keys.action::<MailAction>(key) else {
            return Outcome::stay();
        };
        let devices = self.view.as_ref().map_or(0, |v| v.devices.len());
        // A bound so that holding a page key does not run far past the end: the text's
        // lines as wrapped on the narrowest mail view (80 columns), or more.
        let end = self.view.as_ref().map_or(0, |v| {
            let lines: usize = v
                .request
                .body
                .lines()
                .map(|l| l.chars().count() / 60 + 1)
                .sum();
            u16::try_from(lines).unwrap_or(u16::MAX)
        });
        match action {
            MailAction::Up => self.picked = self.picked.saturating_sub(1),
            MailAction::Down => self.picked = (self.picked + 1).min(devices.saturating_sub(1)),
            MailAction::PageDown => self.scroll = self.scroll.saturating_add(PAGE).min(end),
            MailAction::PageUp => self.scroll = self.scroll.saturating_sub(PAGE),
            MailAction::ScrollDown => self.scroll = self.scroll.saturating_add(1).min(end),
            MailAction::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            MailAction::Close => return Outcome::close(),
            MailAction::Mark => return self.mark(cx),
            MailAction::Open | MailAction::Refuse | MailAction::Ask => {
                return self.answer(action, cx);
            }
        }
        Outcome::stay()
    }

    fn mark(&mut self, cx: &Ctx) -> Outcome {
        let picked = self
            .view
            .as_ref()
            .and_then(|v| v.devices.get(self.picked))
            .map(|d| d.imei.clone());
        let Some(imei) = picked else {
            return Outcome::stay().complain(format!(
                "Request {} names no device to mark: the mail has no IMEI with a right check digit.",
                self.id
            ));
        };
        if let Some(i) = self.marked.iter().position(|m| m == &imei) {
            self.marked.remove(i);
        } else {
            self.marked.push(imei);
        }
        let open = cx.keys.first_key(MailAction::Open);
        Outcome::stay().say(match self.marked.len() {
            0 => format!("No device marked: {open} opens a case for every device."),
            n => format!(
                "{} marked: {open} opens a case for {}.",
                crate::domain::text::count(n as u64, "device"),
                if n == 1 { "it" } else { "each" }
            ),
        })
    }

    fn answer(&mut self, action: MailAction, cx: &Ctx) -> Outcome {
        if let Some(why) = &cx.read_only {
            return Outcome::stay().complain(why.clone());
        }
        let Some(view) = &self.view else {
            return Outcome::stay().complain(format!(
                "Request {} is still loading: wait a moment, then answer.",
                self.id
            ));
        };
        let seen = view.request.answered.clone();
        if let Some(a) = seen.as_ref().filter(|_| !view.request.is_open()) {
            return Outcome::stay().complain(format!(
                "Request {} was answered already ({} by {}): nothing more to answer here.",
                self.id,
                a.answer.label(),
                crate::domain::text::clean_line(&a.by)
            ));
        }
        match action {
            MailAction::Refuse => Outcome::replace(Overlay::form(Form::refuse(self.id, seen))),
            MailAction::Ask => Outcome::replace(Overlay::form(Form::ask(self.id, seen))),
            _ => {
                let imeis = self.chosen();
                if imeis.is_empty() {
                    let (refuse, ask) = (
                        cx.keys.first_key(MailAction::Refuse),
                        cx.keys.first_key(MailAction::Ask),
                    );
                    return Outcome::stay().complain(format!(
                        "Request {} names no device (no IMEI with a right check digit), so no case can be opened from here: ask the customer for the IMEI ({ask}), refuse ({refuse}), or open them with `rmaboard answer {} --open --imei IMEI`.",
                        self.id, self.id
                    ));
                }
                // Said before anything is asked of the store, in the board's keys: the
                // store refuses the same devices, with the command line's words.
                let mark = cx.keys.first_key(MailAction::Mark);
                let refuse = cx.keys.first_key(MailAction::Refuse);
                for d in view.devices.iter().filter(|d| imeis.contains(&d.imei)) {
                    let why = match (&d.open_case, d.verdict.accepts_repair()) {
                        (Some(case), _) => format!("already has {case}, not shipped yet"),
                        (None, false) => format!(
                            "is {} ({})",
                            d.verdict.as_str(),
                            d.reason.trim_end_matches('.')
                        ),
                        (None, true) => continue,
                    };
                    return Outcome::stay().complain(format!(
                        "IMEI {} {why}, so no case was opened: mark the other devices ({mark}) to open theirs, or refuse ({refuse}).",
                        d.imei
                    ));
                }
                let reply = crate::workshop::open_reply(&view.request, imeis.clone(), None);
                Outcome::stay()
                    .say(format!(
                        "Opening {} for request {}…",
                        crate::domain::text::count(imeis.len() as u64, "case"),
                        self.id
                    ))
                    .run(vec![Effect::AnswerRequest(Box::new(AnswerJob {
                        id: self.id,
                        reply,
                        seen,
                    }))])
            }
        }
    }
}

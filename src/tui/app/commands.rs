//! What the board's keys do, on the board and in the detail view: moving around, opening
//! the overlays, and the moves and edits of the selected case.

use super::{App, DetailState, Screen};
use crate::domain::case::{Case, Change};
use crate::domain::{Imei, Stage};
use crate::tui::action::{Action, FormAction};
use crate::tui::form::Form;
use crate::tui::overlay::{Choice, ChoiceKind, Help, Outbox, Overlay, Search, WorkshopReport};
use crate::tui::protocol::{Effect, Target};

impl App {
    /// A scanned device the shop sold has no case: the new-case form for it, unless
    /// something else was opened meanwhile (then `n` opens the form).
    pub(super) fn open_case_for(&mut self, imei: &Imei) -> Vec<Effect> {
        let sold = format!("IMEI {imei} was sold by the shop and has no case");
        if let Some(why) = self.read_only_reason() {
            self.complain(format!("{sold}, and no case can be opened here: {why}"));
            return Vec::new();
        }
        if self.overlay.is_some() {
            let new = self.settings.keymap.first_key(Action::NewCase);
            self.say(format!("{sold}: press {new} to open one"));
            return Vec::new();
        }
        let form = Form::new_case_for(imei);
        let assess = form.wants_assessment().map(|(imei, part)| Effect::Assess {
            imei,
            part,
            on: self.today(),
        });
        self.overlay = Some(Overlay::form(form));
        let cancel = self.settings.keymap.first_key(FormAction::Cancel);
        self.say(format!(
            "{sold}: here is the new-case form for it ({cancel} leaves it, nothing is saved)"
        ));
        assess.into_iter().collect()
    }

    /// The case a command needs, or a sentence saying to pick one.
    pub(super) fn target(&mut self) -> Option<Case> {
        let case = self.selected_case().cloned();
        if case.is_none() {
            let keys = format!(
                "{}/{}",
                self.settings.keymap.first_key(Action::CaseUp),
                self.settings.keymap.first_key(Action::CaseDown)
            );
            self.complain(format!(
                "No case is selected: pick one with {keys}, or scan its IMEI, RMA or tracking number."
            ));
        }
        case
    }

    fn writable(&mut self) -> bool {
        match self.read_only_reason() {
            Some(why) => {
                self.complain(why);
                false
            }
            None => true,
        }
    }

    fn open(&mut self, overlay: Overlay) -> Vec<Effect> {
        self.overlay = Some(overlay);
        Vec::new()
    }

    /// A board action, as its key runs it.
    pub fn perform(&mut self, action: Action) -> Vec<Effect> {
        if matches!(self.screen, Screen::Detail(_)) {
            // The detail view scrolls with its own keys; moving around the board means
            // nothing here.
            return match action {
                Action::Back | Action::Details => {
                    self.screen = Screen::Board;
                    Vec::new()
                }
                _ if self.navigate_action(action) => Vec::new(),
                _ => self.command(action),
            };
        }
        if let Some(fx) = self.requests_action(action) {
            return fx;
        }
        if let Some(fx) = self.navigate(action) {
            return fx;
        }
        match action {
            Action::Details => match self.target() {
                Some(case) => {
                    self.screen = Screen::Detail(Box::new(DetailState::loading(case.id)));
                    vec![Effect::LoadDetail(case.id)]
                }
                None => Vec::new(),
            },
            _ => self.command(action),
        }
    }

    fn navigate_action(&self, action: Action) -> bool {
        matches!(
            action,
            Action::PaneLeft
                | Action::PaneRight
                | Action::CaseUp
                | Action::CaseDown
                | Action::PageUp
                | Action::PageDown
                | Action::First
                | Action::Last
                | Action::ToggleExpected
        )
    }

    /// Commands that work the same on the board and in the detail view.
    fn command(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Help => self.open(Overlay::Help(Help::default())),
            Action::StopWaiting => match &self.saving {
                Some(s) if s.waiting => {
                    self.say("Stopping…");
                    vec![Effect::StopWaiting]
                }
                _ => {
                    self.say("Nothing is waiting for the database.");
                    Vec::new()
                }
            },
            Action::Quit => {
                match &self.saving {
                    // Quitting would wait for it without a word: say so instead.
                    Some(s) => {
                        let stop = self.settings.keymap.first_key(Action::StopWaiting);
                        self.complain(format!(
                            "Still saving {}: wait for it (or press {stop} to stop waiting), then quit.",
                            s.what
                        ));
                    }
                    None => self.quit = true,
                }
                Vec::new()
            }
            Action::Search => self.open(Overlay::Search(Search::default())),
            Action::Report => {
                self.overlay = Some(Overlay::Report(WorkshopReport::loading()));
                vec![Effect::LoadReport { to: None }]
            }
            Action::Outbox => {
                self.overlay = Some(Overlay::Outbox(Outbox::loading()));
                vec![Effect::LoadOutbox]
            }
            Action::Mark => self.toggle_mark(),
            Action::Reseller => self.pick_reseller(),
            Action::MarkReady => self.mark_ready(),
            Action::Back => {
                self.clear_marks();
                Vec::new()
            }
            Action::Undo if self.writable() => vec![Effect::OfferUndo],
            Action::NewCase if self.writable() => self.open(Overlay::form(Form::new_case())),
            Action::OpenBatch if self.writable() => self.open(Overlay::form(Form::open_batch())),
            Action::MoveForward
            | Action::MoveBack
            | Action::AddNote
            | Action::Edit
            | Action::Void
                if self.writable() =>
            {
                if let Some(fx) = self.marked_command(action) {
                    return fx;
                }
                match self.target() {
                    Some(case) => self.case_command(action, &case),
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    fn case_command(&mut self, action: Action, case: &Case) -> Vec<Effect> {
        let t = Target::of(case);
        let ask = |kind| Overlay::Choice(Choice::new(kind, t.clone()));
        match action {
            Action::MoveForward => match case.stage {
                Stage::Expected => vec![Effect::Apply {
                    change: Change::Receive { tracking_in: None },
                    done: format!("{} received.", t.rma),
                    target: t,
                }],
                Stage::Received => self.open(ask(ChoiceKind::AfterReceived)),
                Stage::AtManufacturer => self.open(ask(ChoiceKind::Inspect)),
                Stage::Inspected => self.open(Overlay::form(Form::ship(t))),
                Stage::Shipped => {
                    self.complain(format!("{} is shipped: that is the last stage.", case.rma));
                    Vec::new()
                }
            },
            Action::MoveBack => match case.stage.previous() {
                Some(to) => vec![Effect::Apply {
                    change: Change::Move { to },
                    done: format!("{} moved back to {}.", t.rma, to.title()),
                    target: t,
                }],
                None => {
                    self.complain(format!(
                        "{} is in expected, the first stage: there is nothing before it.",
                        case.rma
                    ));
                    Vec::new()
                }
            },
            Action::AddNote => self.open(Overlay::form(Form::note(t))),
            Action::Edit => self.open(Overlay::form(Form::edit(
                t,
                &case.fault,
                case.tracking_in.as_deref().unwrap_or(""),
                case.manufacturer_ref.as_deref().unwrap_or(""),
            ))),
            Action::Void => self.open(Overlay::form(Form::void(t))),
            _ => Vec::new(),
        }
    }
}

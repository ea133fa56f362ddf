//! The Requests pane on the board: customers' mail waiting for an answer. The cursor
//! moves into it like into any pane (left of the stages' panes, or a tab on a narrow
//! screen), a request is picked with the case keys, Enter opens its mail, and from there
//! it is answered (see `overlay::mail`). It can be hidden like Expected.

use super::{App, Screen};
use crate::tui::action::{Action, MailAction};
use crate::tui::form::FormKind;
use crate::tui::overlay::{Overlay, RequestMail};
use crate::tui::protocol::{Effect, MailView};

/// The Requests pane's own state.
#[derive(Debug, Clone, Default)]
pub struct RequestsPane {
    /// Shown (`[board] show_requests`, then its key toggles it).
    pub shown: bool,
    /// The cursor is in it rather than in a stage's pane.
    pub focused: bool,
    /// The index of the picked request among the open ones.
    pub selected: usize,
}

impl App {
    /// Whether the cursor can go into the Requests pane: shown, with open requests, and
    /// drawn (beside the panes, or as a tab).
    pub fn requests_reachable(&self) -> bool {
        self.inbox.shown
            && !self.requests.is_empty()
            && (self.requests_width() > 0 || self.geometry().tabs)
    }

    /// The picked request, when the cursor is in the Requests pane.
    pub fn selected_request(&self) -> Option<&crate::domain::intake::Request> {
        if !self.inbox.focused {
            return None;
        }
        self.requests.get(self.inbox.selected)
    }

    /// A board action for the Requests pane: moving in or out of it, picking a request,
    /// opening its mail, hiding it. `None` for the actions it leaves to the panes.
    pub(super) fn requests_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if !matches!(self.screen, Screen::Board) {
            return None;
        }
        if action == Action::ToggleRequests {
            self.inbox.shown = !self.inbox.shown;
            if !self.inbox.shown {
                self.inbox.focused = false;
            }
            let key = self.settings.keymap.first_key(Action::ToggleRequests);
            if self.inbox.shown && self.requests.is_empty() {
                self.say(format!(
                    "No request waits for an answer: the Requests pane shows when one comes in ({key} hides it)."
                ));
            }
            self.keep_selection_visible();
            return Some(vec![self.reload()]);
        }
        let stages = self.visible_stages();
        let leftmost = stages.first().copied();
        let rightmost = stages.last().copied();
        if !self.inbox.focused {
            // The Requests pane sits left of the leftmost stage; going round from the
            // rightmost reaches it too.
            let into = match action {
                Action::PaneLeft => Some(self.focus) == leftmost,
                Action::PaneRight => Some(self.focus) == rightmost,
                _ => false,
            };
            if into && self.requests_reachable() {
                self.inbox.focused = true;
                self.inbox.selected = self.inbox.selected.min(self.requests.len() - 1);
                return Some(Vec::new());
            }
            return None;
        }
        let last = self.requests.len().saturating_sub(1);
        let at = self.inbox.selected;
        let page = self.geometry().rows.max(1);
        match action {
            Action::PaneLeft => {
                self.inbox.focused = false;
                self.focus = rightmost.unwrap_or(self.focus);
            }
            Action::PaneRight => {
                self.inbox.focused = false;
                self.focus = leftmost.unwrap_or(self.focus);
            }
            Action::CaseUp => self.inbox.selected = at.saturating_sub(1),
            Action::CaseDown => self.inbox.selected = (at + 1).min(last),
            Action::PageUp => self.inbox.selected = at.saturating_sub(page),
            Action::PageDown => self.inbox.selected = (at + page).min(last),
            Action::First => self.inbox.selected = 0,
            Action::Last => self.inbox.selected = last,
            Action::Details => return Some(self.open_mail()),
            Action::Mark => {
                let enter = self.settings.keymap.first_key(Action::Details);
                let mark = self.settings.keymap.first_key(MailAction::Mark);
                self.complain(format!(
                    "Requests are not marked: {enter} opens the mail, where {mark} marks the devices to open cases for."
                ));
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Open the picked request's mail.
    fn open_mail(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected_request().map(|r| r.id) else {
            return Vec::new();
        };
        self.overlay = Some(Overlay::Mail(Box::new(RequestMail::loading(id))));
        vec![Effect::LoadRequest(id)]
    }

    /// Close the open overlay. A refusal or question left unsent goes back to its mail.
    pub(super) fn close_overlay(&mut self) -> Vec<Effect> {
        let back = match self.overlay.take() {
            Some(Overlay::Form(form)) => match form.kind {
                FormKind::Refuse { id, .. } | FormKind::Ask { id, .. } => Some(id),
                _ => None,
            },
            _ => None,
        };
        match back {
            Some(id) => {
                self.overlay = Some(Overlay::Mail(Box::new(RequestMail::loading(id))));
                vec![Effect::LoadRequest(id)]
            }
            None => Vec::new(),
        }
    }

    /// The open requests came in again: stay on the same request if it is still open,
    /// and leave the pane when it has nothing left or cannot show.
    pub(super) fn requests_loaded(&mut self, list: Vec<crate::domain::intake::Request>) {
        let was = self.requests.get(self.inbox.selected).map(|r| r.id);
        self.requests = list;
        if let Some(i) = was.and_then(|id| self.requests.iter().position(|r| r.id == id)) {
            self.inbox.selected = i;
        }
        self.inbox.selected = self
            .inbox
            .selected
            .min(self.requests.len().saturating_sub(1));
        if self.inbox.focused && !self.requests_reachable() {
            self.inbox.focused = false;
        }
    }

    /// A request and its devices for the mail view, if it is still open on it.
    pub(super) fn on_request_loaded(&mut self, view: MailView) {
        if let Some(Overlay::Mail(mail)) = &mut self.overlay
            && mail.id == view.request.id
        {
            mail.loaded(view);
        }
    }

    /// A request was answered: say how, close its mail, and show the board as it is now.
    pub(super) fn on_answered(&mut self, id: i64, done: String) -> Vec<Effect> {
        self.saving = None;
        if matches!(&self.overlay, Some(Overlay::Mail(m)) if m.id == id) {
            self.overlay = None;
        }
        self.say(done);
        self.refresh()
    }
}

//! The board's state and its pure `update`: a message in, the state changed, and the store
//! work it needs handed back as [`Effect`]s. Nothing here touches the store or the
//! terminal, so every flow can be tested by feeding messages.
//!
//! Keys a person typed go to the open overlay if there is one (each in its own file under
//! `overlay`), else to the scan line or the key map: the detail view's own keys first when
//! it is open, then the board's. A scan (`scanner` tells it from typing by its speed) is
//! typed into a form's field, or else closes what is open, puts a question aside, and
//! finds its case: it never answers or runs anything. The panes live in `panes`, the
//! detail view in `detail`, what the board's actions do in `commands`, marked cards
//! and moves on all of them in `marks`, and the reseller filter with its "ready to ship"
//! count in `reseller`.

mod commands;
mod detail;
mod marks;
#[cfg(test)]
mod marks_tests;
mod panes;
#[cfg(test)]
mod parcel_tests;
mod requests;
#[cfg(test)]
mod requests_tests;
mod reseller;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use detail::{DetailState, Screen};
pub use marks::Batch;
pub use panes::Pane;
pub use requests::RequestsPane;

use super::action::{Action, ChoiceAction, DetailAction, FormAction};
use super::keymap::{Key, KeyMap};
use super::overlay::{Choice, ChoiceKind, Ctx, Outbox, Outcome, Overlay, Then};
use super::protocol::{Effect, Msg, Scan, Target};
pub use super::protocol::{Message, MessageKind};
use crate::domain::case::Case;
use crate::domain::text::clean_line;
use crate::domain::time::Zone;
use crate::domain::{Clocks, Stage};
use crate::store::{ResellerOnBoard, StoreError};

/// A write the user asked for, not yet answered. One at a time: the board says so rather
/// than queue a second behind it.
#[derive(Debug, Clone)]
pub struct Saving {
    /// "RMA-2026-00042", "the new case", "the outbox"...
    pub what: String,
    /// The form or question it came from: shown again, with the reason, if refused.
    pub from: Option<Overlay>,
    /// Another connection holds the database's write lock.
    pub waiting: bool,
}

/// What the app needs to know at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The staff member's login, shown in the status bar.
    pub user: String,
    /// The database file, shown in the status bar.
    pub db: String,
    /// The user may only read the database: the board looks and saves nothing.
    pub read_only: bool,
    /// How long a case may stay in each stage before it is late.
    pub clocks: Clocks,
    /// The Shipped pane shows shipments of the last this many days.
    pub shipped_days: u32,
    /// Start with the Expected pane shown.
    pub show_expected: bool,
    /// Show the Requests pane while there are open requests.
    pub show_requests: bool,
    /// Where the attachments of customers' mail are kept, shown with each in the detail
    /// view.
    pub attachments_dir: String,
    /// The largest attachment the mail view would preview (`[paperwork] preview_max_mb`);
    /// larger ones are named as over the limit.
    pub preview_max_bytes: u64,
    /// The key map in effect.
    pub keymap: KeyMap,
    /// Times are shown in this zone, each at the offset in force at that instant.
    pub zone: Zone,
}

const HEARTBEAT_EVERY: i64 = 15;
/// Ages and late markers move with the clock even when nobody writes.
const RELOAD_EVERY: i64 = 60;

/// The board's whole state: panes, selection, what is open, and the write under way.
#[derive(Debug, Clone)]
pub struct App {
    /// What it was started with.
    pub settings: Settings,
    /// The board's clock, moved on by ticks.
    pub now: DateTime<Utc>,
    /// The terminal's size: (columns, rows).
    pub size: (u16, u16),
    /// Whether the Expected pane is shown (`x` toggles it).
    pub show_expected: bool,
    /// The pane with the focus.
    pub focus: Stage,
    /// Each pane's window of cases and selection, in [`Stage::ALL`] order.
    pub panes: [Pane; 5],
    /// Cases per stage, in [`Stage::ALL`] order.
    pub counts: [u64; 5],
    /// Late cases per stage, in [`Stage::ALL`] order.
    pub late: [u64; 5],
    /// Shipped cases older than the Shipped pane's window.
    pub shipped_older: u64,
    /// Whether the counts above (and `people`) have been counted yet: the first frame
    /// shows the windows before they are, with a placeholder for each count.
    pub counted: bool,
    /// The open requests from customers' mail, oldest first.
    pub requests: Vec<crate::domain::intake::Request>,
    /// The Requests pane: shown or not, the cursor in it, the picked request.
    pub inbox: RequestsPane,
    /// How many people have a board open on this database.
    pub people: u64,
    /// The board, or one case's details.
    pub screen: Screen,
    /// The popup open over it, if any.
    pub overlay: Option<Overlay>,
    /// The sentence on the message line, if any.
    pub message: Option<Message>,
    /// A number being typed by hand (a digit or capital letter typed where no text is
    /// typed starts it), or a scan that came without its Enter: Enter or Tab finds it.
    pub scan: String,
    /// A question was put aside for the number on the scan line: the RMA it was about.
    aside: Option<String>,
    /// The sentence for the question put aside, said with the answer to the scan's search.
    aside_note: Option<String>,
    /// The user asked to quit.
    pub quit: bool,
    /// Another program upgraded the database past what this board knows (its schema
    /// version): the board only looks from then on.
    pub outdated: Option<i64>,
    /// The write under way, if one is.
    pub saving: Option<Saving>,
    /// The marked cards the open question or form is for, if it is for them.
    pub batch: Option<Batch>,
    /// The reseller whose cases alone the panes show, if one was picked.
    pub reseller: Option<ResellerOnBoard>,
    /// Inspected cases per reseller (ready to ship), the most first.
    pub ready: Vec<ResellerOnBoard>,
    last_heartbeat: Option<DateTime<Utc>>,
    last_reload: Option<DateTime<Utc>>,
}

fn outdated_sentence(version: i64) -> String {
    format!(
        "A newer rmaboard upgraded the database (schema {version}), so this board only looks and saves nothing: quit with q and start rmaboard again."
    )
}

impl App {
    /// A board on `settings` at `now`, for a terminal of `size`, with nothing loaded yet.
    pub fn new(settings: Settings, now: DateTime<Utc>, size: (u16, u16)) -> App {
        let show_expected = settings.show_expected;
        let show_requests = settings.show_requests;
        App {
            focus: if show_expected {
                Stage::Expected
            } else {
                Stage::Received
            },
            show_expected,
            settings,
            now,
            size,
            panes: Default::default(),
            counts: [0; 5],
            late: [0; 5],
            shipped_older: 0,
            counted: false,
            requests: Vec::new(),
            inbox: RequestsPane {
                shown: show_requests,
                ..RequestsPane::default()
            },
            people: 0,
            screen: Screen::Board,
            overlay: None,
            message: None,
            scan: String::new(),
            aside: None,
            aside_note: None,
            quit: false,
            outdated: None,
            saving: None,
            batch: None,
            reseller: None,
            ready: Vec::new(),
            last_heartbeat: None,
            last_reload: None,
        }
    }

    /// The first things to do: load the board and say hello to the others.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut fx = vec![self.reload()];
        if !self.settings.read_only {
            self.last_heartbeat = Some(self.now);
            fx.push(Effect::Heartbeat);
        }
        fx
    }

    /// The case the next command is about: the one in the detail view, else the
    /// selected card.
    pub fn selected_case(&self) -> Option<&Case> {
        match &self.screen {
            Screen::Detail(d) => d.detail.as_ref().map(|d| &d.case),
            Screen::Board if self.inbox.focused => None,
            Screen::Board => self.pane(self.focus).selected_case(),
        }
    }

    /// Today where the board is.
    pub fn today(&self) -> NaiveDate {
        self.settings.zone.date(self.now)
    }

    fn say(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            kind: MessageKind::Info,
        });
    }

    fn complain(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            kind: MessageKind::Error,
        });
    }

    /// Take in one message: change the state and return the store work it needs.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => {
                self.aside_note = None;
                let fx = self.on_key(key);
                self.one_write_at_a_time(fx)
            }
            Msg::Scan(scan) => {
                self.aside_note = None;
                let fx = self.on_scan(scan);
                self.one_write_at_a_time(fx)
            }
            Msg::Act(action) => {
                let fx = self.perform(action);
                self.one_write_at_a_time(fx)
            }
            Msg::Tick(now) => self.on_tick(now),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_visible();
                vec![self.reload()]
            }
            Msg::Loaded(data) => self.on_loaded(*data),
            Msg::Counted { customer, counts } => self.on_counted(customer, counts),
            Msg::DetailLoaded(detail) => {
                if let Screen::Detail(d) = &mut self.screen
                    && d.id == detail.case.id
                {
                    d.detail = Some(*detail);
                }
                Vec::new()
            }
            Msg::SoldWithoutCase(imei) => {
                let fx = self.open_case_for(&imei);
                self.tell_aside();
                fx
            }
            Msg::ParcelFound { tracking, cases } => {
                self.inbox.focused = false;
                let fx = self.on_parcel_found(tracking, &cases);
                self.tell_aside();
                fx
            }
            Msg::ParcelStray(said) => {
                match &mut self.overlay {
                    Some(Overlay::Parcel(parcel)) => parcel.note = Some(said),
                    _ => self.say(said),
                }
                Vec::new()
            }
            Msg::Found {
                scanned,
                case,
                position,
            } => {
                self.inbox.focused = false;
                let fx = self.on_found(scanned, *case, position);
                self.tell_aside();
                fx
            }
            Msg::UndoOffer {
                case,
                from,
                to,
                failed,
                before,
                together,
            } => {
                let kind = ChoiceKind::Undo {
                    from,
                    to,
                    failed,
                    before: Box::new(before),
                };
                let mut choice = Choice::new(kind, Target::of(&case));
                choice.together = together;
                self.overlay = Some(Overlay::Choice(choice));
                Vec::new()
            }
            Msg::Applied { case, done, locate } => {
                // The form or question it came from closed when it was sent.
                self.saving = None;
                self.unmark_moved(&case);
                self.say(done);
                let mut fx = self.refresh();
                if locate {
                    fx.push(Effect::Locate(case.id));
                }
                fx
            }
            Msg::AppliedMany { ids, done } => self.on_applied_many(&ids, done),
            Msg::MarkedLoaded(cases) => self.on_marked_loaded(&cases),
            Msg::ParcelChecked { ids, problem } => self.on_parcel_checked(&ids, problem),
            Msg::ResellersLoaded(list) => self.on_resellers_loaded(list),
            Msg::ReadyLoaded(list) => self.on_ready_loaded(list),
            Msg::ReadyCases { customer, cases } => self.on_ready_cases(&customer, cases),
            Msg::Refused { error, conflict } => {
                let from = match self.saving.take().and_then(|s| s.from) {
                    Some(Overlay::Parcel(parcel)) => return self.on_parcel_refused(*parcel, error),
                    other => other,
                };
                if conflict {
                    self.complain(error);
                    return self.refresh();
                }
                match from {
                    // The form comes back with the reason, unless the user opened a
                    // window meanwhile: it is never pulled from under their typing.
                    Some(Overlay::Form(mut form)) if self.overlay.is_none() => {
                        form.error = Some(error);
                        self.overlay = Some(Overlay::Form(form));
                    }
                    Some(Overlay::Form(_)) => self.complain(format!(
                        "{error} (The form was closed because another window is open: open it again.)"
                    )),
                    _ => self.complain(error),
                }
                Vec::new()
            }
            Msg::Waiting(waiting) => {
                if let Some(s) = &mut self.saving {
                    s.waiting = waiting;
                }
                Vec::new()
            }
            Msg::OutboxSent(result) => {
                self.saving = None;
                match result {
                    Ok(text) => self.say(text),
                    Err(text) => self.complain(text),
                }
                match &mut self.overlay {
                    Some(Overlay::Outbox(_)) => vec![Effect::LoadOutbox],
                    _ => Vec::new(),
                }
            }
            Msg::Assessed {
                imei,
                part,
                result,
                open_case,
            } => {
                if let Some(Overlay::Form(form)) = &mut self.overlay {
                    form.assessed(imei, part, result, open_case);
                }
                Vec::new()
            }
            Msg::SearchResults { query, cases } => {
                if let Some(Overlay::Search(search)) = &mut self.overlay {
                    search.found(&query, cases);
                }
                Vec::new()
            }
            Msg::Dropped(id) => {
                self.saving = None;
                self.say(format!("Message {id} was dropped: it will not be sent."));
                // Back to the outbox it was dropped from, unless another window was
                // opened meanwhile.
                match &self.overlay {
                    None | Some(Overlay::Outbox(_)) => {
                        self.overlay = Some(Overlay::Outbox(Outbox::loading()));
                        vec![Effect::LoadOutbox]
                    }
                    Some(_) => Vec::new(),
                }
            }
            Msg::OutboxLoaded(list) => {
                if let Some(Overlay::Outbox(outbox)) = &mut self.overlay {
                    outbox.loaded(list);
                }
                Vec::new()
            }
            Msg::ReportLoaded(report) => {
                if let Some(Overlay::Report(shown)) = &mut self.overlay {
                    shown.loaded(report);
                }
                Vec::new()
            }
            Msg::People(n) => {
                self.people = n;
                Vec::new()
            }
            Msg::ExternalChange => self.refresh(),
            Msg::Outdated(version) => {
                self.outdated = Some(version);
                self.overlay = None;
                self.complain(outdated_sentence(version));
                Vec::new()
            }
            Msg::Error(text) => {
                self.complain(text);
                self.tell_aside();
                Vec::new()
            }
            Msg::RequestLoaded(view) => {
                self.on_request_loaded(*view);
                Vec::new()
            }
            Msg::Answered { id, done } => self.on_answered(id, done),
            Msg::Info(text) => {
                self.say(text);
                Vec::new()
            }
            Msg::Idle => Vec::new(),
        }
    }

    /// Reload what is shown: the board, the detail view and the outbox if open.
    fn refresh(&mut self) -> Vec<Effect> {
        let mut fx = vec![self.reload()];
        if let Screen::Detail(d) = &self.screen {
            fx.push(Effect::LoadDetail(d.id));
        }
        match &self.overlay {
            Some(Overlay::Outbox(_)) => fx.push(Effect::LoadOutbox),
            Some(Overlay::Mail(mail)) => fx.push(Effect::LoadRequest(mail.id)),
            _ => {}
        }
        fx
    }

    fn on_tick(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        self.now = now;
        let mut fx = vec![Effect::CheckForChanges];
        let due = |last: Option<DateTime<Utc>>, secs| {
            last.is_none_or(|t| now - t >= Duration::seconds(secs))
        };
        if !self.settings.read_only
            && self.outdated.is_none()
            && due(self.last_heartbeat, HEARTBEAT_EVERY)
        {
            self.last_heartbeat = Some(now);
            fx.push(Effect::Heartbeat);
        }
        if due(self.last_reload, RELOAD_EVERY) {
            fx.push(self.reload());
        }
        fx
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Releases and repeats (sent by some terminals) would act twice.
        if key.kind != KeyEventKind::Press {
            return Vec::new();
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        // The way out every terminal user knows, from anywhere; `q` and others are in the
        // key map.
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Vec::new();
        }
        let scanner_key = Key::from_event(&key).is_scanner_key();
        match &self.overlay {
            // Unpacking a parcel, what is typed is a device's number for the parcel. While
            // another save is under way its Enter waits, keeping what was ticked.
            Some(Overlay::Parcel(parcel)) => {
                let pick = matches!(
                    self.settings.keymap.action::<ChoiceAction>(&key),
                    Some(ChoiceAction::Pick)
                );
                if let Some(s) = &self.saving
                    && pick
                    && parcel.typed.is_empty()
                {
                    let stop = self.settings.keymap.first_key(Action::StopWaiting);
                    self.complain(format!(
                        "Still saving {}: wait for it to finish (or press {stop} to stop waiting), then press {} again.",
                        s.what,
                        self.settings.keymap.first_key(ChoiceAction::Pick)
                    ));
                    return Vec::new();
                }
                return self.overlay_key(key);
            }
            // A digit or capital letter is never an answer nor a way out: typed by hand
            // (or by a scanner too slow to be told from a person) it puts the question or
            // view aside and starts a number, as on the board.
            Some(overlay) if scanner_key && overlay.mode().scans() => self.put_aside(),
            Some(_) => return self.overlay_key(key),
            None => {}
        }
        let plain = !ctrl && !key.modifiers.contains(KeyModifiers::ALT);
        if let KeyCode::Char(c) = key.code
            && plain
            && (!self.scan.is_empty() || scanner_key)
        {
            self.message = None;
            self.scan.push(c);
            return Vec::new();
        }
        if !self.scan.is_empty() {
            let line_feed = ctrl && key.code == KeyCode::Char('j');
            match key.code {
                // Enter, Tab or a line feed: what scanners end a number with.
                KeyCode::Enter | KeyCode::Tab => return self.find_scan_line(),
                _ if line_feed => return self.find_scan_line(),
                KeyCode::Backspace => {
                    self.scan.pop();
                    if self.scan.is_empty() {
                        self.forget_aside();
                    }
                    return Vec::new();
                }
                KeyCode::Esc => {
                    self.scan.clear();
                    self.forget_aside();
                    return Vec::new();
                }
                _ => {
                    self.scan.clear();
                    self.forget_aside();
                }
            }
        }
        if let Screen::Detail(d) = &mut self.screen
            && let Some(action) = self.settings.keymap.action::<DetailAction>(&key)
        {
            self.message = None;
            if !d.on_action(action) {
                self.screen = Screen::Board;
            }
            return Vec::new();
        }
        match self.settings.keymap.action_for(&key) {
            Some(action) => {
                self.message = None;
                self.perform(action)
            }
            None => Vec::new(),
        }
    }

    /// A key for the open overlay, read in its mode.
    fn overlay_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let (today, read_only) = (self.today(), self.read_only_reason());
        let Some(overlay) = &mut self.overlay else {
            return Vec::new();
        };
        let cx = Ctx {
            keys: &self.settings.keymap,
            now: self.now,
            today,
            read_only,
        };
        let outcome = overlay.on_key(&key, &cx);
        self.follow(outcome)
    }

    /// A scan, whole. In a form's text field it is typed there, and its Enter or Tab is
    /// the form's own key (the S10 when shipping, the manufacturer reference, the IMEI of
    /// a new case); in search, one without its end is typed into the query. Anywhere else
    /// it closes what is open, puts a question aside unanswered, and finds its case, or
    /// waits on the scan line for Enter when it came without one. Unpacking a parcel, it is
    /// the IMEI of a device out of the box.
    fn on_scan(&mut self, scan: Scan) -> Vec<Effect> {
        let Scan { text, end } = scan;
        if let Some(Overlay::Parcel(parcel)) = &mut self.overlay {
            let outcome = parcel.scanned(&text);
            return self.follow(outcome);
        }
        let type_in = match &self.overlay {
            Some(Overlay::Form(form)) => match form.focused() {
                Some(field) if field.takes_text() => true,
                _ => {
                    let next = self.settings.keymap.first_key(FormAction::NextField);
                    self.complain(format!(
                        "The scan {} was not used: the field in use is a list. Move to a text field ({next}) and scan again.",
                        clean_line(&text)
                    ));
                    return Vec::new();
                }
            },
            // A paste (a burst with no Enter or Tab) into what narrows a list as it is
            // typed is text for it, as typed.
            Some(Overlay::Search(_) | Overlay::Resellers(_)) => end.is_none(),
            _ => false,
        };
        if type_in {
            let mut fx = Vec::new();
            for c in text.chars() {
                fx.extend(self.overlay_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
            }
            if let Some(end) = end {
                fx.extend(self.overlay_key(end.key()));
            }
            // Each character asked again for the search or the verdict: the whole
            // number's is the one that counts.
            let last_search = fx.iter().rposition(|e| matches!(e, Effect::Search(_)));
            let last_assess = fx.iter().rposition(|e| matches!(e, Effect::Assess { .. }));
            return fx
                .into_iter()
                .enumerate()
                .filter(|(i, e)| match e {
                    Effect::Search(_) => Some(*i) == last_search,
                    Effect::Assess { .. } => Some(*i) == last_assess,
                    _ => true,
                })
                .map(|(_, e)| e)
                .collect();
        }
        self.put_aside();
        self.message = None;
        self.scan = text;
        match end {
            Some(_) => self.find_scan_line(),
            None => Vec::new(),
        }
    }

    /// Close what is open for a number: a question is left unanswered and remembered, to
    /// be told with the number's case.
    fn put_aside(&mut self) {
        if let Some(Overlay::Choice(choice)) = self.overlay.take() {
            self.aside = Some(choice.target.rma);
        }
    }

    /// Find the number on the scan line.
    fn find_scan_line(&mut self) -> Vec<Effect> {
        let scanned = std::mem::take(&mut self.scan);
        self.aside_note = self.aside.take().map(|rma| {
            format!(
                "Put the question about {rma} aside for the scan of {}: nothing was answered.",
                clean_line(&scanned)
            )
        });
        vec![Effect::Find(scanned)]
    }

    /// The scan line was cleared: say that the question it put aside was left unanswered.
    fn forget_aside(&mut self) {
        if let Some(rma) = self.aside.take() {
            self.say(format!(
                "The question about {rma} was put aside: nothing was answered."
            ));
        }
    }

    /// Say, before what the scan found, that a question was put aside for it.
    fn tell_aside(&mut self) {
        let Some(note) = self.aside_note.take() else {
            return;
        };
        match &mut self.message {
            Some(m) => m.text = format!("{note} {}", crate::domain::text::capitalized(&m.text)),
            None => self.say(note),
        }
    }

    /// A write goes out only when the last one was answered: the form or question it
    /// came from closes (it comes back if the write is refused), and the board goes on
    /// answering keys while it is saved. A second write meanwhile is refused with a
    /// sentence, not queued behind the first.
    fn one_write_at_a_time(&mut self, fx: Vec<Effect>) -> Vec<Effect> {
        let Some(what) = fx.iter().find_map(Effect::saves) else {
            return fx;
        };
        if let Some(s) = &self.saving {
            let stop = self.settings.keymap.first_key(Action::StopWaiting);
            self.complain(format!(
                "Still saving {}: wait for it to finish (or press {stop} to stop waiting), then try again.",
                s.what
            ));
            return fx.into_iter().filter(|e| e.saves().is_none()).collect();
        }
        let from = match self.overlay {
            Some(Overlay::Form(_) | Overlay::Choice(_) | Overlay::Parcel(_)) => self.overlay.take(),
            _ => None,
        };
        self.saving = Some(Saving {
            what,
            from,
            waiting: false,
        });
        fx
    }

    /// Carry out what an overlay answered to a key.
    fn follow(&mut self, outcome: Outcome) -> Vec<Effect> {
        let mut back = Vec::new();
        match outcome.then {
            Then::Stay => {}
            Then::Close => back = self.close_overlay(),
            Then::Replace(next) => self.overlay = Some(next),
        }
        if let Some(message) = outcome.message {
            self.message = Some(message);
        }
        let fx = self.batch_effects(outcome.effects);
        let mut fx = self.filter_effects(fx);
        fx.extend(back);
        fx
    }

    /// Why nothing can be saved now, if so.
    fn read_only_reason(&self) -> Option<String> {
        match self.outdated {
            Some(version) => Some(outdated_sentence(version)),
            None if self.settings.read_only => Some(StoreError::ReadOnly.to_string()),
            None => None,
        }
    }
}

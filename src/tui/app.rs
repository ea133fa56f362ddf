//! The board's state and its pure `update`: a message in, the state changed, and the store
//! work it needs handed back as [`Effect`]s. Nothing here touches the store or the
//! terminal, so every flow can be tested by feeding messages.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::form::{Form, FormKind};
use super::input::TextInput;
use super::keymap::KeyMap;
use super::layout::{BoardGeometry, board_geometry};
use crate::domain::case::{Case, CaseDetail, Change};
use crate::domain::warranty::{Assessment, Part};
use crate::domain::{Clocks, Imei, Stage, TrackingNumber};
use crate::store::{NewCase, PaneQuery, StoreError};

/// What the board asks the store to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Counts and each pane's visible window.
    Reload(Reload),
    LoadDetail(i64),
    /// Resolve a scanned or typed key (RMA, IMEI, tracking number) and show that case.
    Find(String),
    /// Show a case picked from the search results.
    Locate(i64),
    Apply {
        target: Target,
        change: Change,
        /// Said to the user when it worked.
        done: String,
    },
    OpenCase(Box<NewCase>),
    AddNote {
        target: Target,
        text: String,
    },
    /// Find the user's own last move, to offer its undo.
    OfferUndo,
    Assess {
        imei: Imei,
        part: Part,
        on: NaiveDate,
    },
    Search(String),
    /// The workshop report for the 13 weeks up to `to` (today when `None`).
    LoadReport {
        to: Option<NaiveDate>,
    },
    /// The customer messages not yet sent.
    LoadOutbox,
    /// Send every waiting message through the configured mail command.
    SendOutbox,
    /// Take a waiting message out for good, with the reason.
    DropMessage {
        id: i64,
        reason: String,
    },
    Heartbeat,
    /// See whether another terminal wrote (cheap).
    CheckForChanges,
}

#[derive(Debug, Clone)]
pub struct Reload {
    pub windows: Vec<PaneQuery>,
    pub shipped_cutoff: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// The case a write is about, as the user saw it (the version guards against lost updates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: i64,
    pub version: i64,
    pub rma: String,
}

impl Target {
    pub fn of(case: &Case) -> Target {
        Target {
            id: case.id,
            version: case.version,
            rma: case.rma.to_string(),
        }
    }
}

/// What the store sends back.
#[derive(Debug, Clone)]
pub struct BoardData {
    pub counts: crate::workshop::Counts,
    /// (stage, offset, cases) for each window asked for.
    pub windows: Vec<(Stage, usize, Vec<Case>)>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Act(Action),
    Tick(DateTime<Utc>),
    Resize(u16, u16),
    Loaded(Box<BoardData>),
    DetailLoaded(Box<CaseDetail>),
    Found {
        /// What was scanned, when the case was found by a scan.
        scanned: Option<String>,
        case: Box<Case>,
        /// Its place in its pane; `None` when the Shipped pane does not show it.
        position: Option<usize>,
    },
    /// The user's own last move, offered for undoing.
    UndoOffer {
        case: Box<Case>,
        from: Stage,
        to: Stage,
    },
    Applied {
        case: Box<Case>,
        done: String,
        /// A new case: show it.
        locate: bool,
    },
    Refused {
        error: String,
        conflict: bool,
    },
    Assessed {
        imei: Imei,
        part: Part,
        result: Result<Assessment, String>,
        /// The device's case not yet shipped, if any: "RMA-… (in received)".
        open_case: Option<String>,
    },
    SearchResults {
        query: String,
        cases: Vec<Case>,
    },
    People(u64),
    ReportLoaded(Box<crate::report::Report>),
    OutboxLoaded(Vec<crate::paperwork::OutboxMessage>),
    /// A message was dropped: back to the outbox.
    Dropped(i64),
    /// Another terminal wrote.
    ExternalChange,
    /// A newer rmaboard upgraded the database to this schema version.
    Outdated(i64),
    /// A lookup or load failed; the sentence says why.
    Error(String),
    /// Something worked that the user should hear about.
    Info(String),
    /// The worker finished a job with nothing to say.
    Idle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub kind: MessageKind,
}

#[derive(Debug, Clone, Default)]
pub struct Pane {
    /// Index in the whole pane (not the window).
    pub selected: usize,
    pub offset: usize,
    /// The loaded window; it starts at `loaded_at`, which trails `offset` until the
    /// store answers.
    pub cases: Vec<Case>,
    pub loaded_at: usize,
}

impl Pane {
    pub fn selected_case(&self) -> Option<&Case> {
        self.selected
            .checked_sub(self.loaded_at)
            .and_then(|i| self.cases.get(i))
    }
}

#[derive(Debug, Clone)]
pub struct DetailState {
    pub id: i64,
    pub detail: Option<CaseDetail>,
    pub scroll: u16,
}

#[derive(Debug, Clone)]
pub enum Screen {
    Board,
    Detail(Box<DetailState>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    /// `>` on a received case: to the manufacturer, or repaired in-house.
    AfterReceived,
    /// `>` on a case at the manufacturer: inspection passed or failed.
    Inspect,
    /// A scanned inbound tracking number of an expected parcel.
    ReceiveScanned,
    /// `u`: the user's own last move took the case from `from` to `to`.
    Undo { from: Stage, to: Stage },
}

impl Choice {
    pub fn question(&self) -> String {
        match self.kind {
            ChoiceKind::AfterReceived => "Where does it go next?".into(),
            ChoiceKind::Inspect => "How did the inspection go?".into(),
            ChoiceKind::ReceiveScanned => "This parcel was expected. Mark it received now?".into(),
            ChoiceKind::Undo { from, to } => format!(
                "Your last move took {} from {} to {}. Move it back to {}?",
                self.target.rma,
                from.title(),
                to.title(),
                from.title()
            ),
        }
    }
}

impl ChoiceKind {
    pub fn options(self) -> &'static [(char, &'static str)] {
        match self {
            ChoiceKind::AfterReceived => &[
                ('s', "Send to the manufacturer (asks for its reference)"),
                ('i', "Repaired in-house: inspection passed"),
            ],
            ChoiceKind::Inspect => &[
                ('p', "Passed: repaired, ready to ship"),
                ('f', "Failed: back to the manufacturer, with a note"),
            ],
            ChoiceKind::ReceiveScanned => {
                &[('y', "Yes, mark it received"), ('n', "No, just show it")]
            }
            ChoiceKind::Undo { .. } => &[('y', "Yes, undo that move"), ('n', "No, keep it")],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub kind: ChoiceKind,
    pub target: Target,
    pub selected: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SearchState {
    pub input: TextInput,
    pub results: Vec<Case>,
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Form(Box<Form>),
    Choice(Choice),
    Search(SearchState),
    /// The workshop report; `None` until it is loaded. `scroll` moves the overdue list.
    Report {
        report: Option<Box<crate::report::Report>>,
        scroll: u16,
    },
    /// Messages waiting to be sent; `None` until loaded.
    Outbox {
        messages: Option<Vec<crate::paperwork::OutboxMessage>>,
        selected: usize,
    },
}

/// What the app needs to know at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub user: String,
    pub db: String,
    pub read_only: bool,
    pub clocks: Clocks,
    pub shipped_days: u32,
    pub show_expected: bool,
    pub keymap: KeyMap,
    /// Times are shown at this offset from UTC.
    pub offset: FixedOffset,
}

const HEARTBEAT_EVERY: i64 = 15;
/// Ages and late markers move with the clock even when nobody writes.
const RELOAD_EVERY: i64 = 60;

#[derive(Debug, Clone)]
pub struct App {
    pub settings: Settings,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub show_expected: bool,
    pub focus: Stage,
    pub panes: [Pane; 5],
    pub counts: [u64; 5],
    pub late: [u64; 5],
    pub shipped_older: u64,
    pub people: u64,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub message: Option<Message>,
    /// Digits and capitals typed with no form open: a scanner at work.
    pub scan: String,
    pub quit: bool,
    /// Another program upgraded the database past what this board knows (its schema
    /// version): the board only looks from then on.
    pub outdated: Option<i64>,
    last_heartbeat: Option<DateTime<Utc>>,
    last_reload: Option<DateTime<Utc>>,
}

fn outdated_sentence(version: i64) -> String {
    format!(
        "A newer rmaboard upgraded the database (schema {version}), so this board only looks and saves nothing: quit with q and start rmaboard again."
    )
}

fn idx(stage: Stage) -> usize {
    Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0)
}

impl App {
    pub fn new(settings: Settings, now: DateTime<Utc>, size: (u16, u16)) -> App {
        let show_expected = settings.show_expected;
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
            people: 0,
            screen: Screen::Board,
            overlay: None,
            message: None,
            scan: String::new(),
            quit: false,
            outdated: None,
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

    pub fn visible_stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|&s| self.show_expected || s != Stage::Expected)
            .collect()
    }

    pub fn geometry(&self) -> BoardGeometry {
        board_geometry(self.size.0, self.size.1, self.visible_stages().len())
    }

    pub fn pane(&self, stage: Stage) -> &Pane {
        &self.panes[idx(stage)]
    }

    fn pane_mut(&mut self, stage: Stage) -> &mut Pane {
        &mut self.panes[idx(stage)]
    }

    /// Cases the pane can scroll through (Shipped: only the recent window).
    pub fn pane_len(&self, stage: Stage) -> usize {
        let n = self.counts[idx(stage)];
        let n = if stage == Stage::Shipped {
            n.saturating_sub(self.shipped_older)
        } else {
            n
        };
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    pub fn late_count(&self, stage: Stage) -> u64 {
        self.late[idx(stage)]
    }

    pub fn shipped_cutoff(&self) -> DateTime<Utc> {
        self.now - Duration::days(i64::from(self.settings.shipped_days))
    }

    pub fn is_late(&self, case: &Case) -> bool {
        self.settings
            .clocks
            .is_late(case.stage, case.stage_since, self.now)
    }

    fn reload(&mut self) -> Effect {
        self.last_reload = Some(self.now);
        let rows = self.geometry().rows;
        let cutoff = self.shipped_cutoff();
        Effect::Reload(Reload {
            windows: Stage::ALL
                .into_iter()
                .map(|stage| PaneQuery {
                    stage,
                    shipped_after: (stage == Stage::Shipped).then_some(cutoff),
                    offset: self.pane(stage).offset,
                    limit: rows,
                })
                .collect(),
            shipped_cutoff: cutoff,
            now: self.now,
        })
    }

    /// The case the next command is about: the one in the detail view, else the
    /// selected card.
    pub fn selected_case(&self) -> Option<&Case> {
        match &self.screen {
            Screen::Detail(d) => d.detail.as_ref().map(|d| &d.case),
            Screen::Board => self.pane(self.focus).selected_case(),
        }
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

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Act(action) => self.perform(action),
            Msg::Tick(now) => self.on_tick(now),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_visible();
                vec![self.reload()]
            }
            Msg::Loaded(data) => self.on_loaded(*data),
            Msg::DetailLoaded(detail) => {
                if let Screen::Detail(d) = &mut self.screen
                    && d.id == detail.case.id
                {
                    d.detail = Some(*detail);
                }
                Vec::new()
            }
            Msg::Found {
                scanned,
                case,
                position,
            } => self.on_found(scanned, *case, position),
            Msg::UndoOffer { case, from, to } => {
                self.overlay = Some(Overlay::Choice(Choice {
                    kind: ChoiceKind::Undo { from, to },
                    target: Target::of(&case),
                    selected: 0,
                }));
                Vec::new()
            }
            Msg::Applied { case, done, locate } => {
                if matches!(self.overlay, Some(Overlay::Form(_) | Overlay::Choice(_))) {
                    self.overlay = None;
                }
                self.say(done);
                let mut fx = self.refresh();
                if locate {
                    fx.push(Effect::Locate(case.id));
                }
                fx
            }
            Msg::Refused { error, conflict } => {
                if conflict {
                    self.overlay = None;
                    self.complain(error);
                    return self.refresh();
                }
                if let Some(Overlay::Form(form)) = &mut self.overlay {
                    form.error = Some(error);
                } else {
                    self.overlay = None;
                    self.complain(error);
                }
                Vec::new()
            }
            Msg::Assessed {
                imei,
                part,
                result,
                open_case,
            } => {
                if let Some(Overlay::Form(form)) = &mut self.overlay
                    && let FormKind::NewCase {
                        verdict,
                        open_case: open,
                    } = &mut form.kind
                {
                    *verdict = Some((imei, part, result));
                    *open = open_case;
                }
                Vec::new()
            }
            Msg::SearchResults { query, cases } => {
                if let Some(Overlay::Search(s)) = &mut self.overlay
                    && s.input.text() == query
                {
                    s.results = cases;
                    s.selected = 0;
                }
                Vec::new()
            }
            Msg::Dropped(id) => {
                self.say(format!("Message {id} was dropped: it will not be sent."));
                self.overlay = Some(Overlay::Outbox {
                    messages: None,
                    selected: 0,
                });
                vec![Effect::LoadOutbox]
            }
            Msg::OutboxLoaded(list) => {
                if let Some(Overlay::Outbox { messages, selected }) = &mut self.overlay {
                    *selected = (*selected).min(list.len().saturating_sub(1));
                    *messages = Some(list);
                }
                Vec::new()
            }
            Msg::ReportLoaded(r) => {
                if let Some(Overlay::Report { report, .. }) = &mut self.overlay {
                    *report = Some(r);
                }
                Vec::new()
            }
            Msg::People(n) => {
                self.people = n;
                Vec::new()
            }
            Msg::ExternalChange => self.refresh(),
            Msg::Idle => Vec::new(),
            Msg::Outdated(version) => {
                self.outdated = Some(version);
                self.overlay = None;
                self.complain(outdated_sentence(version));
                Vec::new()
            }
            Msg::Error(text) => {
                self.complain(text);
                Vec::new()
            }
            Msg::Info(text) => {
                self.say(text);
                Vec::new()
            }
        }
    }

    /// Reload what is shown: the board, and the detail view if open.
    fn refresh(&mut self) -> Vec<Effect> {
        let mut fx = vec![self.reload()];
        if let Screen::Detail(d) = &self.screen {
            fx.push(Effect::LoadDetail(d.id));
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

    fn on_loaded(&mut self, data: BoardData) -> Vec<Effect> {
        self.counts = data.counts.counts;
        self.late = data.counts.late;
        self.shipped_older = data.counts.shipped_older;
        self.people = data.counts.people;
        for (stage, offset, cases) in data.windows {
            let pane = self.pane_mut(stage);
            if pane.offset != offset {
                continue;
            }
            // Stay on the same case if it only moved within the window.
            let was = pane.selected_case().map(|c| c.id);
            if let Some(i) = was.and_then(|id| cases.iter().position(|c| c.id == id)) {
                pane.selected = offset + i;
            }
            pane.cases = cases;
            pane.loaded_at = offset;
        }
        if self.keep_selection_visible() {
            return vec![self.reload()];
        }
        Vec::new()
    }

    /// Clamp every selection to its pane and scroll so it shows. True if a window moved
    /// (so it must be loaded again).
    fn keep_selection_visible(&mut self) -> bool {
        let rows = self.geometry().rows;
        let mut moved = false;
        for stage in Stage::ALL {
            let len = self.pane_len(stage);
            let pane = self.pane_mut(stage);
            pane.selected = pane.selected.min(len.saturating_sub(1));
            let mut offset = pane.offset;
            if pane.selected < offset {
                offset = pane.selected;
            } else if pane.selected >= offset + rows {
                offset = pane.selected + 1 - rows;
            }
            // Do not leave empty rows at the bottom when cases vanished.
            offset = offset.min(len.saturating_sub(rows));
            if offset != pane.offset {
                pane.offset = offset;
                moved = true;
            }
        }
        moved
    }

    fn select(&mut self, index: usize) -> Vec<Effect> {
        let focus = self.focus;
        self.pane_mut(focus).selected = index;
        if self.keep_selection_visible() {
            vec![self.reload()]
        } else {
            Vec::new()
        }
    }

    fn on_found(
        &mut self,
        scanned: Option<String>,
        case: Case,
        position: Option<usize>,
    ) -> Vec<Effect> {
        self.overlay = None;
        if case.stage == Stage::Expected {
            self.show_expected = true;
        }
        self.focus = case.stage;
        let mut fx = Vec::new();
        match position {
            Some(p) => {
                let rows = self.geometry().rows;
                let pane = self.pane_mut(case.stage);
                pane.selected = p;
                if p < pane.offset || p >= pane.offset + rows {
                    pane.offset = p.saturating_sub(rows / 2);
                }
                self.say(format!("{}: {} in {}.", case.rma, case.model, case.stage.title()));
            }
            None => self.say(format!(
                "{} was shipped over {} days ago, so the Shipped pane does not list it; here are its details.",
                case.rma, self.settings.shipped_days
            )),
        }
        fx.push(self.reload());
        self.screen = Screen::Detail(Box::new(DetailState {
            id: case.id,
            detail: None,
            scroll: 0,
        }));
        fx.push(Effect::LoadDetail(case.id));
        let scanned_parcel = scanned
            .and_then(|s| TrackingNumber::parse(&s).ok())
            .is_some_and(|t| case.tracking_in.as_deref() == Some(t.as_str()));
        if case.stage == Stage::Expected && scanned_parcel && !self.settings.read_only {
            self.overlay = Some(Overlay::Choice(Choice {
                kind: ChoiceKind::ReceiveScanned,
                target: Target::of(&case),
                selected: 0,
            }));
        }
        fx
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Releases and repeats (sent by some terminals) would act twice.
        if key.kind != KeyEventKind::Press {
            return Vec::new();
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Vec::new();
        }
        match self.overlay.take() {
            Some(Overlay::Form(form)) => return self.form_key(*form, key),
            Some(Overlay::Choice(choice)) => return self.choice_key(choice, key),
            Some(Overlay::Search(search)) => return self.search_key(search, key),
            Some(Overlay::Help { scroll }) => return self.help_key(scroll, key),
            Some(Overlay::Report { report, scroll }) => {
                return self.report_key(report, scroll, key);
            }
            Some(Overlay::Outbox { messages, selected }) => {
                return self.outbox_key(messages, selected, key);
            }
            None => {}
        }
        let plain = !ctrl && !key.modifiers.contains(KeyModifiers::ALT);
        if let KeyCode::Char(c) = key.code
            && plain
            && (!self.scan.is_empty() || c.is_ascii_digit() || c.is_ascii_uppercase())
        {
            self.message = None;
            self.scan.push(c);
            return Vec::new();
        }
        if !self.scan.is_empty() {
            match key.code {
                KeyCode::Enter => {
                    let scanned = std::mem::take(&mut self.scan);
                    return vec![Effect::Find(scanned)];
                }
                KeyCode::Backspace => {
                    self.scan.pop();
                    return Vec::new();
                }
                KeyCode::Esc => {
                    self.scan.clear();
                    return Vec::new();
                }
                _ => self.scan.clear(),
            }
        }
        match self.settings.keymap.action_for(&key) {
            Some(action) => {
                self.message = None;
                self.perform(action)
            }
            None => Vec::new(),
        }
    }

    fn help_key(&mut self, scroll: u16, key: KeyEvent) -> Vec<Effect> {
        let scroll = match key.code {
            KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
            KeyCode::PageDown => scroll.saturating_add(10),
            KeyCode::PageUp => scroll.saturating_sub(10),
            _ => return Vec::new(),
        };
        self.overlay = Some(Overlay::Help { scroll });
        Vec::new()
    }

    /// Up and down pick a message, `s` sends every waiting one; Esc closes.
    fn outbox_key(
        &mut self,
        messages: Option<Vec<crate::paperwork::OutboxMessage>>,
        selected: usize,
        key: KeyEvent,
    ) -> Vec<Effect> {
        let last = messages.as_ref().map_or(0, |m| m.len().saturating_sub(1));
        let selected = match key.code {
            KeyCode::Down | KeyCode::Char('j') => (selected + 1).min(last),
            KeyCode::Up | KeyCode::Char('k') => selected.saturating_sub(1),
            KeyCode::Char('s') => {
                self.overlay = Some(Overlay::Outbox { messages, selected });
                if !self.writable() {
                    return Vec::new();
                }
                self.say("Sending the outbox…");
                return vec![Effect::SendOutbox, Effect::LoadOutbox];
            }
            KeyCode::Char('d') => {
                let picked = messages.as_ref().and_then(|m| m.get(selected));
                let Some(m) = picked.map(|m| (m.id, m.rma.clone())) else {
                    self.overlay = Some(Overlay::Outbox { messages, selected });
                    return Vec::new();
                };
                if !self.writable() {
                    self.overlay = Some(Overlay::Outbox { messages, selected });
                    return Vec::new();
                }
                return self.open_form(Form::drop_message(m.0, &m.1));
            }
            _ => return Vec::new(),
        };
        self.overlay = Some(Overlay::Outbox { messages, selected });
        Vec::new()
    }

    /// Up and down scroll the overdue list; any other key closes the report.
    fn report_key(
        &mut self,
        report: Option<Box<crate::report::Report>>,
        scroll: u16,
        key: KeyEvent,
    ) -> Vec<Effect> {
        // ←/→ move the report's 13 weeks back or forward, never past today.
        let shift = match key.code {
            KeyCode::Left | KeyCode::Char('h') => Some(false),
            KeyCode::Right | KeyCode::Char('l') => Some(true),
            _ => None,
        };
        if let Some(later) = shift {
            let Some(shown) = report.as_ref().map(|r| r.period) else {
                // Still loading: keep it open and wait.
                self.overlay = Some(Overlay::Report { report, scroll });
                return Vec::new();
            };
            let today = self.now.with_timezone(&self.settings.offset).date_naive();
            // Earlier: the 13 weeks that end the day before this report starts. Later:
            // 13 weeks on, or up to today.
            let to = if later {
                shown
                    .to
                    .checked_add_days(chrono::Days::new(13 * 7))
                    .filter(|d| *d < today)
            } else {
                Some(shown.from.pred_opt().unwrap_or(shown.from))
            };
            // The shown report stays until the other arrives (or is refused).
            self.overlay = Some(Overlay::Report { report, scroll: 0 });
            return vec![Effect::LoadReport { to }];
        }
        let scroll = match key.code {
            KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
            KeyCode::PageDown => scroll.saturating_add(10),
            KeyCode::PageUp => scroll.saturating_sub(10),
            _ => return Vec::new(),
        };
        self.overlay = Some(Overlay::Report { report, scroll });
        Vec::new()
    }

    fn choice_key(&mut self, mut choice: Choice, key: KeyEvent) -> Vec<Effect> {
        let options = choice.kind.options();
        let picked = match key.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Up | KeyCode::Char('k') => {
                choice.selected = choice.selected.saturating_sub(1);
                None
            }
            KeyCode::Down | KeyCode::Char('j') => {
                choice.selected = (choice.selected + 1).min(options.len().saturating_sub(1));
                None
            }
            KeyCode::Enter => options.get(choice.selected).map(|o| o.0),
            KeyCode::Char(c) => options.iter().find(|o| o.0 == c).map(|o| o.0),
            _ => None,
        };
        let Some(picked) = picked else {
            self.overlay = Some(Overlay::Choice(choice));
            return Vec::new();
        };
        let t = choice.target.clone();
        let apply = |change, done: String| {
            vec![Effect::Apply {
                target: t.clone(),
                change,
                done,
            }]
        };
        match (choice.kind, picked) {
            (ChoiceKind::AfterReceived, 's') => {
                self.overlay = Some(Overlay::Form(Box::new(Form::send(t.clone()))));
                Vec::new()
            }
            (ChoiceKind::AfterReceived, _) => {
                self.overlay = Some(Overlay::Choice(choice));
                apply(
                    Change::InspectPass {
                        in_house: true,
                        note: None,
                    },
                    format!("{} repaired in-house and inspected.", t.rma),
                )
            }
            (ChoiceKind::Inspect, 'p') => {
                self.overlay = Some(Overlay::Choice(choice));
                apply(
                    Change::InspectPass {
                        in_house: false,
                        note: None,
                    },
                    format!("{} passed inspection.", t.rma),
                )
            }
            (ChoiceKind::Inspect, _) => {
                self.overlay = Some(Overlay::Form(Box::new(Form::inspect_fail(t.clone()))));
                Vec::new()
            }
            (ChoiceKind::ReceiveScanned, 'y') => {
                self.overlay = Some(Overlay::Choice(choice));
                apply(
                    Change::Receive { tracking_in: None },
                    format!("{} received.", t.rma),
                )
            }
            (ChoiceKind::ReceiveScanned, _) => Vec::new(),
            (ChoiceKind::Undo { from, .. }, 'y') => {
                self.overlay = Some(Overlay::Choice(choice));
                apply(
                    Change::Move {
                        to: from,
                        undo: true,
                    },
                    format!("Undone: {} is back in {}.", t.rma, from.title()),
                )
            }
            (ChoiceKind::Undo { .. }, _) => {
                self.say("Nothing was changed.");
                Vec::new()
            }
        }
    }

    fn form_key(&mut self, mut form: Form, key: KeyEvent) -> Vec<Effect> {
        if key.code == KeyCode::Esc {
            self.say("Nothing was changed.");
            return Vec::new();
        }
        let mut fx = Vec::new();
        if form.handle(&key) {
            match form.submit(self.now) {
                Ok(effect) => fx.push(effect),
                Err(problem) => form.error = Some(problem),
            }
        }
        if let Some((imei, part)) = form.wants_assessment() {
            fx.push(Effect::Assess {
                imei,
                part,
                on: self.now.with_timezone(&self.settings.offset).date_naive(),
            });
        }
        self.overlay = Some(Overlay::Form(Box::new(form)));
        fx
    }

    fn search_key(&mut self, mut search: SearchState, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Esc => return Vec::new(),
            KeyCode::Enter => {
                return match search.results.get(search.selected) {
                    Some(case) => vec![Effect::Locate(case.id)],
                    None => {
                        self.overlay = Some(Overlay::Search(search));
                        Vec::new()
                    }
                };
            }
            KeyCode::Up => search.selected = search.selected.saturating_sub(1),
            KeyCode::Down => {
                search.selected = (search.selected + 1).min(search.results.len().saturating_sub(1));
            }
            _ => {
                if search.input.handle(&key, false) {
                    let q = search.input.text().to_string();
                    self.overlay = Some(Overlay::Search(search));
                    return vec![Effect::Search(q)];
                }
            }
        }
        self.overlay = Some(Overlay::Search(search));
        Vec::new()
    }

    /// The case a command needs, or a sentence saying to pick one.
    fn target(&mut self) -> Option<Case> {
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
        if let Some(version) = self.outdated {
            self.complain(outdated_sentence(version));
            return false;
        }
        if self.settings.read_only {
            self.complain(StoreError::ReadOnly.to_string());
        }
        !self.settings.read_only
    }

    fn open_form(&mut self, form: Form) -> Vec<Effect> {
        self.overlay = Some(Overlay::Form(Box::new(form)));
        Vec::new()
    }

    pub fn perform(&mut self, action: Action) -> Vec<Effect> {
        if let Screen::Detail(d) = &mut self.screen {
            let scroll = &mut d.scroll;
            match action {
                Action::CaseDown => *scroll = scroll.saturating_add(1),
                Action::CaseUp => *scroll = scroll.saturating_sub(1),
                Action::PageDown => *scroll = scroll.saturating_add(10),
                Action::PageUp => *scroll = scroll.saturating_sub(10),
                Action::First => *scroll = 0,
                Action::Back | Action::Details => {
                    self.screen = Screen::Board;
                }
                Action::PaneLeft | Action::PaneRight | Action::Last | Action::ToggleExpected => {}
                _ => return self.command(action),
            }
            return Vec::new();
        }
        let len = self.pane_len(self.focus);
        let at = self.pane(self.focus).selected;
        let page = self.geometry().rows.max(1);
        match action {
            Action::PaneLeft | Action::PaneRight => {
                let stages = self.visible_stages();
                let i = stages.iter().position(|&s| s == self.focus).unwrap_or(0);
                let n = stages.len();
                let next = if action == Action::PaneLeft {
                    i.checked_sub(1).unwrap_or(n - 1)
                } else {
                    (i + 1) % n
                };
                self.focus = stages.get(next).copied().unwrap_or(Stage::Received);
                Vec::new()
            }
            Action::CaseUp => self.select(at.saturating_sub(1)),
            Action::CaseDown => self.select((at + 1).min(len.saturating_sub(1))),
            Action::PageUp => self.select(at.saturating_sub(page)),
            Action::PageDown => self.select((at + page).min(len.saturating_sub(1))),
            Action::First => self.select(0),
            Action::Last => self.select(len.saturating_sub(1)),
            Action::Details => match self.target() {
                Some(case) => {
                    self.screen = Screen::Detail(Box::new(DetailState {
                        id: case.id,
                        detail: None,
                        scroll: 0,
                    }));
                    vec![Effect::LoadDetail(case.id)]
                }
                None => Vec::new(),
            },
            Action::Back => Vec::new(),
            Action::ToggleExpected => {
                self.show_expected = !self.show_expected;
                if !self.show_expected && self.focus == Stage::Expected {
                    self.focus = Stage::Received;
                }
                self.keep_selection_visible();
                vec![self.reload()]
            }
            _ => self.command(action),
        }
    }

    /// Commands that work the same on the board and in the detail view.
    fn command(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Action::Quit => {
                self.quit = true;
                Vec::new()
            }
            Action::Search => {
                self.overlay = Some(Overlay::Search(SearchState::default()));
                Vec::new()
            }
            Action::Report => {
                self.overlay = Some(Overlay::Report {
                    report: None,
                    scroll: 0,
                });
                vec![Effect::LoadReport { to: None }]
            }
            Action::Outbox => {
                self.overlay = Some(Overlay::Outbox {
                    messages: None,
                    selected: 0,
                });
                vec![Effect::LoadOutbox]
            }
            Action::Undo if self.writable() => vec![Effect::OfferUndo],
            Action::NewCase if self.writable() => self.open_form(Form::new_case()),
            Action::MoveForward
            | Action::MoveBack
            | Action::AddNote
            | Action::Edit
            | Action::Void
                if self.writable() =>
            {
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
        let choose = |kind| {
            Some(Overlay::Choice(Choice {
                kind,
                target: t.clone(),
                selected: 0,
            }))
        };
        match action {
            Action::MoveForward => match case.stage {
                Stage::Expected => vec![Effect::Apply {
                    change: Change::Receive { tracking_in: None },
                    done: format!("{} received.", t.rma),
                    target: t,
                }],
                Stage::Received => {
                    self.overlay = choose(ChoiceKind::AfterReceived);
                    Vec::new()
                }
                Stage::AtManufacturer => {
                    self.overlay = choose(ChoiceKind::Inspect);
                    Vec::new()
                }
                Stage::Inspected => self.open_form(Form::ship(t)),
                Stage::Shipped => {
                    self.complain(format!("{} is shipped: that is the last stage.", case.rma));
                    Vec::new()
                }
            },
            Action::MoveBack => match case.stage.previous() {
                Some(to) => vec![Effect::Apply {
                    change: Change::Move { to, undo: false },
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
            Action::AddNote => self.open_form(Form::note(t)),
            Action::Edit => self.open_form(Form::edit(
                t,
                &case.fault,
                case.tracking_in.as_deref().unwrap_or(""),
                case.manufacturer_ref.as_deref().unwrap_or(""),
            )),
            Action::Void => self.open_form(Form::void(t)),
            _ => Vec::new(),
        }
    }
}

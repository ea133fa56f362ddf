//! What the app and the runtime say to each other: the app asks for store work as
//! [`Effect`]s, and everything that happens (a key, a tick, an answer from the store)
//! comes back to it as a [`Msg`]. Plain data, so either side can be tested alone.

use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::KeyEvent;

use super::action::Action;
use crate::domain::case::{Case, CaseDetail, Change};
use crate::domain::warranty::{Assessment, Part};
use crate::domain::{Imei, Stage};
use crate::store::{NewCase, PaneQuery};

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
    /// Stop waiting for another connection's write lock: the write under way saves
    /// nothing.
    StopWaiting,
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

impl Effect {
    /// What a write the user asked for saves, for "saving …": `None` for reads and the
    /// board's own heartbeat.
    pub fn saves(&self) -> Option<String> {
        match self {
            Effect::Apply { target, .. } => Some(target.rma.clone()),
            Effect::OpenCase(_) => Some("the new case".into()),
            Effect::AddNote { target, .. } => Some(format!("the note on {}", target.rma)),
            Effect::SendOutbox => Some("the outbox".into()),
            Effect::DropMessage { id, .. } => Some(format!("message {id}")),
            _ => None,
        }
    }
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
    /// The write under way waits for another connection's write lock (true), or no
    /// longer does (false).
    Waiting(bool),
    /// The outbox was sent: how it went (Ok) or what went wrong (Err).
    OutboxSent(Result<String, String>),
}

/// Whether the message line reports something done or something wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
}

/// A sentence for the message line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub kind: MessageKind,
}

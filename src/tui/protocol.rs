//! What the app and the runtime say to each other: the app asks for store work as
//! [`Effect`]s, and everything that happens (a key, a tick, an answer from the store)
//! comes back to it as a [`Msg`]. Plain data, so either side can be tested alone.

use chrono::{DateTime, NaiveDate, Utc};
use crossterm::event::KeyEvent;

use super::action::Action;
use crate::domain::case::{BeforeFail, Case, CaseDetail, Change};
use crate::domain::warranty::{Assessment, Part};
use crate::domain::{Imei, Stage};
use crate::store::{NewCase, PaneQuery, ResellerOnBoard};

/// What the board asks the store to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Counts and each pane's visible window.
    Reload(Reload),
    /// Load a case's detail (notes, history, sale) by its row id, for the detail view.
    LoadDetail(i64),
    /// Resolve a scanned or typed key (RMA, IMEI, tracking number) and show that case.
    Find(String),
    /// Show a case picked from the search results.
    Locate(i64),
    /// Apply a staff action to a case.
    Apply {
        /// The case, as the user saw it.
        target: Target,
        /// The action.
        change: Change,
        /// Said to the user when it worked.
        done: String,
    },
    /// Apply one staff action to several cases (the marked cards), all or nothing.
    ApplyMany {
        /// The cases, as the user saw them.
        targets: Vec<Target>,
        /// The action, the same for each.
        change: Change,
        /// Said to the user when it worked.
        done: String,
    },
    /// Apply each its own staff action to several cases, all or nothing (the undo of a
    /// move of several cases: each goes back to where it was).
    ApplySteps {
        /// The cases, as the user saw them, each with its action.
        steps: Vec<(Target, Change)>,
        /// Said to the user when it worked.
        done: String,
    },
    /// The current state of the marked cases (by row id), to unmark those that left
    /// their pane.
    LoadMarked(Vec<i64>),
    /// Whose a device is that was scanned while unpacking a parcel it is not expected in.
    ParcelStray(Imei),
    /// The resellers with cases on the board (shipped after this instant, or not shipped),
    /// for the reseller filter.
    LoadResellers(DateTime<Utc>),
    /// Show only this reseller's cases on every pane (`None`: every reseller's). Done by
    /// the app itself.
    FilterReseller(Option<ResellerOnBoard>),
    /// How many inspected cases are ready to ship to each reseller.
    LoadReady,
    /// Whether the marked cases (by row id) may go out as one parcel, before the S10
    /// number is asked for.
    CheckParcel(Vec<i64>),
    /// Every inspected case of this reseller (customer number), to mark them.
    MarkReady(String),
    /// Open a new case from the new-case form.
    OpenCase(Box<NewCase>),
    /// Open a case for every line of a reseller's request file (`open --batch`), all or
    /// nothing.
    OpenBatch(std::path::PathBuf),
    /// Add a repair note to a case.
    AddNote {
        /// The case, as the user saw it.
        target: Target,
        /// The note as typed.
        text: String,
    },
    /// Find the user's own last move, to offer its undo.
    OfferUndo,
    /// The warranty verdict for the new-case form, before anything is saved.
    Assess {
        /// The device.
        imei: Imei,
        /// The part reported faulty.
        part: Part,
        /// The claim date.
        on: NaiveDate,
    },
    /// Search RMA, IMEI, tracking numbers, customer and notes for this text.
    Search(String),
    /// The workshop report for the 13 weeks up to `to` (today when `None`).
    LoadReport {
        /// The last day of the report's window; `None` for today.
        to: Option<NaiveDate>,
    },
    /// The customer messages not yet sent.
    LoadOutbox,
    /// Send every waiting message through the configured mail command.
    SendOutbox,
    /// Take a waiting message out for good, with the reason.
    DropMessage {
        /// The message's row id in the outbox.
        id: i64,
        /// Why staff drop it, kept with the message.
        reason: String,
    },
    /// Tell the store this board is still open (for the count of people at work) and ask
    /// that count.
    Heartbeat,
    /// Stop waiting for another connection's write lock: the write under way saves
    /// nothing.
    StopWaiting,
    /// See whether another terminal wrote (cheap).
    CheckForChanges,
    /// Load a request (a customer's mail) with its devices' verdicts, for the mail view.
    LoadRequest(i64),
    /// Answer a request, as `rmaboard answer` does.
    AnswerRequest(Box<AnswerJob>),
}

/// An answer to a request asked from the board.
#[derive(Debug, Clone)]
pub struct AnswerJob {
    /// The request's number.
    pub id: i64,
    /// Open cases, refuse or ask.
    pub reply: crate::store::Reply,
    /// The request's first answer when the user looked (`None`: unanswered); one given
    /// meanwhile elsewhere refuses this one.
    pub seen: Option<crate::domain::intake::Answered>,
}

/// What the panes need from the store: the counts and one window of cases per pane.
#[derive(Debug, Clone)]
pub struct Reload {
    /// One window of cases for each pane to load: every pane, or only the panes a
    /// scroll moved (the others keep theirs until the store changes).
    pub windows: Vec<PaneQuery>,
    /// Whether the whole board is read again: the open requests too, and after it the
    /// marked cases and the "ready to ship" list. A scroll only moves its pane's window.
    pub whole: bool,
    /// Shipments before this are left out of the Shipped pane.
    pub shipped_cutoff: DateTime<Utc>,
    /// The board's clock, for the late counts.
    pub now: DateTime<Utc>,
    /// Only this reseller's cases (customer number); `None` for everyone's.
    pub customer: Option<String>,
}

/// The case a write is about, as the user saw it (the version guards against lost updates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The case's row id.
    pub id: i64,
    /// The case's version when the user saw it; a write on an older one is refused.
    pub version: i64,
    /// The RMA number, for the messages.
    pub rma: String,
}

impl Effect {
    /// What a write the user asked for saves, for "saving …": `None` for reads and the
    /// board's own heartbeat.
    pub fn saves(&self) -> Option<String> {
        match self {
            Effect::Apply { target, .. } => Some(target.rma.clone()),
            Effect::ApplyMany { targets, .. } => {
                Some(format!("the {} marked cases", targets.len()))
            }
            Effect::ApplySteps { steps, .. } => Some(format!("the {} cases", steps.len())),
            Effect::OpenCase(_) => Some("the new case".into()),
            Effect::OpenBatch(_) => Some("the request file's cases".into()),
            Effect::AddNote { target, .. } => Some(format!("the note on {}", target.rma)),
            Effect::SendOutbox => Some("the outbox".into()),
            Effect::DropMessage { id, .. } => Some(format!("message {id}")),
            Effect::AnswerRequest(job) => Some(format!("the answer to request {}", job.id)),
            _ => None,
        }
    }
}

impl Target {
    /// The target for a case as shown on screen.
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
    /// Cases and late cases per pane; `None` while they are still being counted (they
    /// follow as [`Msg::Counted`]), so the board keeps what it had.
    pub counts: Option<crate::workshop::Counts>,
    /// (stage, offset, cases) for each window asked for.
    pub windows: Vec<(Stage, usize, Vec<Case>)>,
    /// The open requests from customers' mail, oldest first; `None` when a scroll read
    /// only its pane's window.
    pub requests: Option<Vec<crate::domain::intake::Request>>,
}

/// Everything that happens to the board: keys, ticks and answers from the store.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press typed by a person (the event loop tells scans apart by their speed; a
    /// key with no timing, as in tests, is a person's).
    Key(KeyEvent),
    /// A barcode scanner's burst: characters that came faster than anyone types.
    Scan(Scan),
    /// Run a board action as if its key had been pressed.
    Act(Action),
    /// The clock moved on: ages and late flags are redrawn.
    Tick(DateTime<Utc>),
    /// The terminal has a new size (columns, rows).
    Resize(u16, u16),
    /// The panes' counts and windows, after a reload.
    Loaded(Box<BoardData>),
    /// The counts over the whole store, counted apart from the windows (they take
    /// milliseconds at shop scale, so the windows are shown first).
    Counted {
        /// The reseller filter they were counted for (customer number); `None` for
        /// everyone's.
        customer: Option<String>,
        /// The counts.
        counts: crate::workshop::Counts,
    },
    /// A case's detail, for the detail view.
    DetailLoaded(Box<CaseDetail>),
    /// A scanned or typed IMEI the shop sold that has no case yet.
    SoldWithoutCase(Imei),
    /// A scanned inbound tracking number under which several cases are expected: a
    /// parcel to unpack.
    ParcelFound {
        /// The tracking number, as the store has it.
        tracking: String,
        /// The cases expected in it, in case order.
        cases: Vec<Case>,
    },
    /// What a device scanned into a parcel it is not expected in is, in a sentence.
    ParcelStray(String),
    /// A case found by a scanned or typed key, or picked from search.
    Found {
        /// What was scanned, when the case was found by a scan.
        scanned: Option<String>,
        /// The case.
        case: Box<Case>,
        /// Its place in its pane; `None` when the Shipped pane does not show it.
        position: Option<usize>,
    },
    /// The user's own last move, offered for undoing.
    UndoOffer {
        /// The case the move was made on.
        case: Box<Case>,
        /// The stage the move started from.
        from: Stage,
        /// The stage the move reached.
        to: Stage,
        /// For a failed inspection, where the case was before it.
        failed: Option<BeforeFail>,
        /// What the move cleared or replaced, which the undo brings back.
        before: crate::domain::BeforeMove,
        /// The other cases the same command moved, each with the change that takes it
        /// back: they are undone together.
        together: Vec<(Target, Change)>,
    },
    /// A write worked.
    Applied {
        /// The case as it is now.
        case: Box<Case>,
        /// The sentence to say.
        done: String,
        /// A new case: show it.
        locate: bool,
    },
    /// A move on several cases worked: every one of them moved.
    AppliedMany {
        /// The cases' row ids.
        ids: Vec<i64>,
        /// The sentence to say, naming every case.
        done: String,
    },
    /// The marked cases as they are now (those that no longer exist are left out).
    MarkedLoaded(Vec<Case>),
    /// Whether the marked cases may go out as one parcel.
    ParcelChecked {
        /// The cases' row ids, as asked.
        ids: Vec<i64>,
        /// Why not, in a sentence; `None` when they may.
        problem: Option<String>,
    },
    /// The resellers with cases on the board, for the reseller filter.
    ResellersLoaded(Vec<ResellerOnBoard>),
    /// Inspected cases per reseller, the most first.
    ReadyLoaded(Vec<ResellerOnBoard>),
    /// Every inspected case of a reseller, to mark.
    ReadyCases {
        /// The reseller's customer number.
        customer: String,
        /// Its inspected cases.
        cases: Vec<Case>,
    },
    /// A write was refused; the sentence says why.
    Refused {
        /// The sentence to show.
        error: String,
        /// Someone else changed the case first: show its current state rather than the form
        /// again.
        conflict: bool,
    },
    /// The verdict asked for by the new-case form.
    Assessed {
        /// The device.
        imei: Imei,
        /// The part reported faulty.
        part: Part,
        /// The verdict, or why none could be given.
        result: Result<Assessment, String>,
        /// The device's case not yet shipped, if any: "RMA-… (in received)".
        open_case: Option<String>,
    },
    /// The cases that match a search.
    SearchResults {
        /// The text searched for, so an answer for an older query can be ignored.
        query: String,
        /// The cases that match.
        cases: Vec<Case>,
    },
    /// How many people have a board open on this database.
    People(u64),
    /// The workshop report asked for.
    ReportLoaded(Box<crate::report::Report>),
    /// The customer messages not yet sent.
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
    /// A request with its devices' verdicts, for the mail view.
    RequestLoaded(Box<MailView>),
    /// A request was answered.
    Answered {
        /// The request's number.
        id: i64,
        /// The sentence to say: the RMA numbers opened, the refusal, the question.
        done: String,
    },
}

/// What the mail view shows of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailView {
    /// The request as stored.
    pub request: crate::domain::intake::Request,
    /// Each device it names, with its verdict on the mail's day.
    pub devices: Vec<crate::workshop::RequestDevice>,
}

/// A number a barcode scanner typed, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The characters scanned, without the key that ended them.
    pub text: String,
    /// The key that ended the scan; `None` when the burst stopped without one.
    pub end: Option<ScanEnd>,
}

/// The key a scanner sends after the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanEnd {
    /// Enter, CR-LF or a line feed.
    Enter,
    /// Tab.
    Tab,
}

impl ScanEnd {
    /// The key as a form reads it.
    pub fn key(self) -> KeyEvent {
        let code = match self {
            ScanEnd::Enter => crossterm::event::KeyCode::Enter,
            ScanEnd::Tab => crossterm::event::KeyCode::Tab,
        };
        KeyEvent::new(code, crossterm::event::KeyModifiers::NONE)
    }
}

/// Whether the message line reports something done or something wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Something worked.
    Info,
    /// Something went wrong or was refused.
    Error,
}

/// A sentence for the message line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The sentence.
    pub text: String,
    /// Done or wrong, which sets its colour.
    pub kind: MessageKind,
}

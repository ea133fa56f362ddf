//! The workshop's verbs for every front end. A [`Workshop`] owns one connection to the
//! store, who is working, the clock, the paths resolved once (database, config folder,
//! bills folder), the paperwork settings and the mail channel. The command line and the
//! board only translate to and from it, so "ship a parcel" happens here once: the move
//! and its bill in one transaction in the store, then the bill's PDF in the bills folder.

pub mod backup;
pub mod delivery;
pub mod intake;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use thiserror::Error;

use crate::config::Config;
use crate::domain::case::{Case, Change};
use crate::domain::mailbox::Mailbox;
use crate::domain::{Clocks, EventKind, Stage};
use crate::paperwork::{self, Bill, OutboxMessage};
use crate::report::{Period, Report};
use crate::store::{
    ChangedSince, MoveOptions, NewCase, OpenSummary, OwnMove, Reseller, Step, Store, StoreError,
};

pub use delivery::{Channel, Report as SendReport};
pub use intake::{InboxReport, RequestDevice, open_reply};

/// "Now", as the workshop sees it: the wall clock, or a fixed time in tests and for
/// `--at`.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn wall_clock() -> Clock {
    Arc::new(Utc::now)
}

/// A board is "at work" while it sent a heartbeat this recently.
pub const AT_WORK_SECS: i64 = 45;

/// Everything resolved once from the command line, the environment and the config
/// file: where the database is, who is working, which config folder applies.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The settings in effect.
    pub config: Config,
    /// The database file.
    pub db: PathBuf,
    /// The staff member's login, recorded as the author of every change.
    pub user: String,
    /// The folder of `config.toml`, `keys.toml` and `templates/`; `None` reads none.
    pub config_dir: Option<PathBuf>,
}

impl Setup {
    /// A setup that reads no config folder (tests, the benchmark).
    pub fn new(db: impl Into<PathBuf>, user: &str, config: Config) -> Setup {
        Setup {
            config,
            db: db.into(),
            user: user.to_string(),
            config_dir: None,
        }
    }

    /// Message templates that replace the built-in ones.
    pub fn templates_dir(&self) -> Option<PathBuf> {
        self.config_dir.as_ref().map(|d| d.join("templates"))
    }

    /// Where bills are written on shipping: `[paperwork] bills_dir`, else `bills`
    /// beside the database.
    pub fn bills_dir(&self) -> PathBuf {
        self.config.bills_dir(&self.db)
    }
}

/// A workshop verb that failed: the store refused or failed, or the paperwork could not
/// leave (no mail command).
#[derive(Debug, Error)]
pub enum WorkshopError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The outbox could not be sent; the sentence says why.
    #[error("{0}")]
    Mail(String),
}

impl WorkshopError {
    /// Someone else changed the case first.
    pub fn is_conflict(&self) -> bool {
        matches!(self, WorkshopError::Store(e) if e.is_conflict())
    }
}

/// A reseller's request file opened whole.
#[derive(Debug, Clone)]
pub struct BatchOpened {
    /// One case per line, in file order.
    pub opened: Vec<Case>,
    /// Header columns that were not used.
    pub ignored_columns: Vec<String>,
}

/// Why a reseller's request file opened nothing.
#[derive(Debug)]
pub enum BatchRefused {
    /// The file could not be read, or holds no requests: the sentence says why.
    File(String),
    /// Its bad rows, each with its line number.
    Rows {
        /// The bad rows.
        rows: Vec<crate::store::RowProblem>,
        /// Header columns that are not used.
        ignored_columns: Vec<String>,
    },
    /// The store refused or failed.
    Store(StoreError),
}

impl std::fmt::Display for BatchRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchRefused::File(sentence) => write!(f, "{sentence}"),
            BatchRefused::Rows { rows, .. } => {
                let n = rows.len();
                write!(
                    f,
                    "{}, so nothing was opened: fix {}, then open the whole file again",
                    crate::domain::text::count(n as u64, "bad row"),
                    if n == 1 { "it" } else { "them" }
                )?;
                for p in rows {
                    write!(f, "\nline {}: {}", p.line, p.message)?;
                }
                Ok(())
            }
            BatchRefused::Store(e) => write!(f, "{e}"),
        }
    }
}

/// Why the user's own last move cannot be undone.
#[derive(Debug, Error)]
pub enum UndoRefused {
    /// Someone changed the case after the move; the sentence says who and how.
    #[error("{0}")]
    ChangedSince(String),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a change after a move did to a case, for a sentence: "ben {failed its
/// inspection}", "ben {corrected its manufacturer reference}".
fn done_by(change: &ChangedSince) -> String {
    match change.kind {
        EventKind::Edit if !change.fields.is_empty() => {
            let fields: Vec<&str> = change.fields.iter().map(|f| f.describe()).collect();
            format!("corrected its {}", fields.join(" and "))
        }
        ref kind => done_by_kind(kind).to_string(),
    }
}

/// What an event kind did to a case, for a sentence: "ben {failed its inspection}".
fn done_by_kind(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Receive => "received it",
        EventKind::Send => "sent it to the manufacturer",
        EventKind::InspectPass => "passed its inspection",
        EventKind::InspectFail => "failed its inspection",
        EventKind::Void => "recorded it as void",
        EventKind::Ship => "shipped it",
        EventKind::Undo => "undid a move on it",
        EventKind::Open | EventKind::Move | EventKind::Edit | EventKind::Other(_) => "moved it",
    }
}

/// What a move of several cases did, after "Your last move": "took RMA-…, RMA-… to
/// Shipped", "failed the inspection of RMA-…, RMA-…"; cases that reached different
/// stages are named by where each went: "took RMA-… to Received and RMA-… to Inspected".
pub fn describe_group(group: &[(OwnMove, Case)]) -> String {
    let mut took: Vec<(Stage, Vec<String>)> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for (m, c) in group {
        let rma = c.rma.to_string();
        if m.failed.is_some() {
            failed.push(rma);
            continue;
        }
        match took.iter_mut().find(|(stage, _)| *stage == m.to) {
            Some((_, rmas)) => rmas.push(rma),
            None => took.push((m.to, vec![rma])),
        }
    }
    let mut took: Vec<String> = took
        .into_iter()
        .map(|(stage, rmas)| format!("{} to {}", rmas.join(", "), stage.title()))
        .collect();
    let mut parts = Vec::new();
    if let Some(last) = took.pop() {
        parts.push(match took.is_empty() {
            true => format!("took {last}"),
            false => format!("took {} and {last}", took.join(", ")),
        });
    }
    if !failed.is_empty() {
        parts.push(format!("failed the inspection of {}", failed.join(", ")));
    }
    parts.join(" and ")
}

/// What a move did: the case before and after, and for a ship in a new parcel, what
/// became of its bill's PDF.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The case as it was just before, under the write lock.
    pub before: Case,
    /// The case as it is now.
    pub case: Case,
    /// The bill issued by a ship in a new parcel, and whether its PDF was written; `None`
    /// otherwise.
    pub bill: Option<BillFile>,
}

/// What a move of several cases did: each case before and after, and the PDFs of the
/// bills of the parcels it shipped.
#[derive(Debug, Clone)]
pub struct MovedMany {
    /// Each case as it was just before (under the write lock) and as it is now, in the
    /// order given.
    pub moved: Vec<(Case, Case)>,
    /// The bills issued for the parcels shipped, each with what became of its PDF.
    pub bills: Vec<BillFile>,
}

/// The PDF of a bill just issued: written, or why not (the ship stands either way).
#[derive(Debug, Clone)]
pub enum BillFile {
    /// The PDF is in the bills folder.
    Written {
        /// The bill as issued.
        bill: Bill,
        /// The PDF file written.
        path: PathBuf,
        /// What the person printing it should know: a character no font has (printed
        /// as `?`), a configured font that could not be read.
        warnings: Vec<String>,
    },
    /// The PDF could not be written; the bill is stored and can be printed again.
    NotWritten {
        /// The bill as issued.
        bill: Bill,
        /// The bills folder it was meant for.
        dir: PathBuf,
        /// Why it could not be written.
        reason: String,
    },
}

impl BillFile {
    /// The bill as issued, written or not.
    pub fn bill(&self) -> &Bill {
        match self {
            BillFile::Written { bill, .. } | BillFile::NotWritten { bill, .. } => bill,
        }
    }
}

/// The board's counts over the whole store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases per stage, in [`Stage::ALL`] order.
    pub counts: [u64; 5],
    /// Late cases per stage.
    pub late: [u64; 5],
    /// Shipped cases older than the Shipped pane's window.
    pub shipped_older: u64,
    /// Boards with a recent heartbeat.
    pub people: u64,
}

/// One staff member's workshop: the store, who is working, the clock, paths and paperwork
/// settings.
pub struct Workshop {
    store: Store,
    setup: Setup,
    clock: Clock,
    paperwork: paperwork::Settings,
    /// Said to the user when the configured paperwork could not be used (the built-in
    /// settings are used instead).
    paperwork_problem: Option<String>,
}

impl Workshop {
    /// Open (creating and migrating it if needed) the database of `setup`.
    pub fn open(setup: Setup, clock: Clock) -> Result<Workshop, StoreError> {
        let store = Store::open(&setup.db)?;
        Ok(Workshop::with_store(store, setup, clock))
    }

    /// A workshop on a store already open (a look-only one, say).
    pub fn with_store(store: Store, setup: Setup, clock: Clock) -> Workshop {
        let (paperwork, paperwork_problem) =
            match paperwork::Settings::from_config(&setup.config, setup.templates_dir().as_deref())
            {
                Ok(s) => (s, None),
                Err(e) => (paperwork::Settings::default(), Some(e.to_string())),
            };
        Workshop {
            store,
            setup,
            clock,
            paperwork,
            paperwork_problem,
        }
    }

    /// A second workshop on the same database with its own connection, for a worker
    /// thread.
    pub fn reopen(&self) -> Result<Workshop, StoreError> {
        let store = if self.store.is_read_only() {
            Store::open_read_only(self.store.path())?
        } else {
            Store::open(self.store.path())?
        };
        Ok(Workshop {
            store,
            setup: self.setup.clone(),
            clock: self.clock.clone(),
            paperwork: self.paperwork.clone(),
            paperwork_problem: self.paperwork_problem.clone(),
        })
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for writes that need no workshop rule.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// What was resolved at start: database, user, config folder.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The settings in effect.
    pub fn config(&self) -> &Config {
        &self.setup.config
    }

    /// How long a case may stay in each stage before it is late.
    pub fn clocks(&self) -> &Clocks {
        &self.setup.config.clocks
    }

    /// The staff member's login.
    pub fn user(&self) -> &str {
        &self.setup.user
    }

    /// The workshop's "now": the wall clock, or the time given with `--at`.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The workshop's clock, to share with a worker.
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// The paperwork settings in effect (the built-in ones when the configured ones cannot
    /// be used).
    pub fn paperwork(&self) -> &paperwork::Settings {
        &self.paperwork
    }

    /// Why the configured paperwork (templates, customs) is not in use, if it is not.
    pub fn paperwork_problem(&self) -> Option<&str> {
        self.paperwork_problem.as_deref()
    }

    /// The case a key names: RMA number, IMEI (its case not yet shipped) or tracking
    /// number.
    pub fn find(&self, key: &str) -> Result<Case, StoreError> {
        self.store.find(key)
    }

    /// Open a case; its RMA instructions wait in the outbox.
    pub fn open_case(&mut self, new: NewCase) -> Result<Case, StoreError> {
        let at = self.now();
        self.store
            .open_case(new, &self.setup.user, at, &self.paperwork)
    }

    /// Apply a change to the case as the user saw it (`version`). A ship in a new parcel
    /// issues the bill with the move, then writes its PDF to the bills folder.
    pub fn apply(&mut self, id: i64, version: i64, change: Change) -> Result<Moved, StoreError> {
        let at = self.now();
        let done = self
            .store
            .apply(id, version, change, &self.setup.user, at, &self.paperwork)?;
        let bill = done.bill.map(|bill| self.write_bill(bill));
        Ok(Moved {
            before: done.before,
            case: done.case,
            bill,
        })
    }

    /// Apply changes to several cases as the user saw them, in one transaction: any
    /// refusal (or a case changed meanwhile) saves nothing and names every refused case.
    /// Cases shipped under one S10 number go out as one parcel (one customer, one
    /// address, one bill, one shipping notice); the bills' PDFs are then written to the
    /// bills folder.
    pub fn apply_many(
        &mut self,
        steps: Vec<Step>,
        options: MoveOptions,
    ) -> Result<MovedMany, StoreError> {
        let at = self.now();
        let done = self
            .store
            .apply_many(steps, options, &self.setup.user, at, &self.paperwork)?;
        let bills = done
            .bills
            .into_iter()
            .map(|bill| self.write_bill(bill))
            .collect();
        Ok(MovedMany {
            moved: done.moved,
            bills,
        })
    }

    /// Open a case for every request of a reseller's batch (each with its line in the
    /// file, or what is wrong with that row): all or nothing. The RMA instructions wait
    /// in the outbox, one message per reseller.
    pub fn open_batch(
        &mut self,
        rows: Vec<(u64, Result<NewCase, String>)>,
    ) -> Result<OpenSummary, StoreError> {
        let at = self.now();
        self.store
            .open_batch(rows, &self.setup.user, at, &self.paperwork)
    }

    /// Open a case for every line of a reseller's request file, as `open --batch` does:
    /// read with the sales import's CSV rules, then all or nothing. The sentence for a
    /// file that cannot be read, or the `line N:` problems of its bad rows (nothing is
    /// opened then).
    pub fn open_batch_file(&mut self, file: &std::path::Path) -> Result<BatchOpened, BatchRefused> {
        let latest = Utc::now() + Duration::days(1);
        let requests = crate::import::read_requests(file, self.now(), latest)
            .map_err(|e| BatchRefused::File(e.to_string()))?;
        if requests.rows.is_empty() {
            return Err(BatchRefused::File(format!(
                "{} has no requests under its header line, so nothing was opened: one line per device (imei, fault)",
                file.display()
            )));
        }
        let done = self
            .open_batch(requests.rows)
            .map_err(BatchRefused::Store)?;
        if !done.rejected.is_empty() {
            return Err(BatchRefused::Rows {
                rows: done.rejected,
                ignored_columns: requests.ignored_columns,
            });
        }
        Ok(BatchOpened {
            opened: done.opened,
            ignored_columns: requests.ignored_columns,
        })
    }

    /// Every reseller of the sales registry with its open, late and lately shipped cases.
    pub fn resellers(&self) -> Result<Vec<Reseller>, StoreError> {
        self.store.resellers(self.clocks(), self.now())
    }

    /// The user's own last move that may be undone, as it was done: every case one
    /// command moved together (marked cards, several keys, a parcel), or the one case of a
    /// single move, each with the case as it is now; with `case`, the last move that case
    /// was part of. Empty when there is none; `Err` with a sentence naming the case and
    /// who did what when someone changed any of them since (undoing would throw that
    /// away).
    pub fn own_last_moves(&self, case: Option<i64>) -> Result<Vec<(OwnMove, Case)>, UndoRefused> {
        let user = self.user();
        let moves = self.store.last_own_moves(user, case)?;
        let mut group = Vec::with_capacity(moves.len());
        for last in moves {
            let case = self.store.case_by_id(last.case_id)?;
            group.push((last, case));
        }
        let Some((changed, case, since)) = group
            .iter()
            .find_map(|(m, c)| m.changed_since.as_ref().map(|since| (m, c, since)))
        else {
            return Ok(group);
        };
        let who = if since.by == user {
            "you".to_string()
        } else {
            crate::domain::text::clean_line(&since.by)
        };
        let sentence = match group.as_slice() {
            [_] => format!(
                "Your last move {}, but {who} {} since (it is now in {}): undoing would throw that away, so nothing was changed.",
                changed.describe(&case.rma),
                done_by(since),
                case.stage.title()
            ),
            _ => format!(
                "Your last move {} together, but {} was changed since: {who} {} (it is now in {}). Undoing would throw that away, so nothing was changed.",
                describe_group(&group),
                case.rma,
                done_by(since),
                case.stage.title()
            ),
        };
        Err(UndoRefused::ChangedSince(sentence))
    }

    /// Add a note to a case.
    pub fn add_note(&mut self, id: i64, text: &str) -> Result<Case, StoreError> {
        let at = self.now();
        self.store.add_note(id, text, &self.setup.user, at)
    }

    /// Write a bill's PDF into the bills folder, named by its number and RMA. A file of
    /// that name is never replaced: it may be the one that went with a parcel.
    fn write_bill(&self, bill: Bill) -> BillFile {
        let dir = self.setup.bills_dir();
        let path = self.bill_path(&bill);
        match delivery::write_pdf(&bill, &path, false, &self.paperwork.fonts, self.now()) {
            Ok(warnings) => BillFile::Written {
                bill,
                path,
                warnings,
            },
            Err(reason) => BillFile::NotWritten { bill, dir, reason },
        }
    }

    /// Where a bill's PDF belongs in the bills folder.
    pub fn bill_path(&self, bill: &Bill) -> PathBuf {
        self.setup.bills_dir().join(bill.file_name())
    }

    /// Write the PDF of a bill whose file is missing from the bills folder (its ship
    /// was interrupted before the file was written, or the file was lost); `None` when
    /// the file is there.
    pub fn write_missing_bill(&self, bill: Bill) -> Option<BillFile> {
        if self.bill_path(&bill).exists() {
            return None;
        }
        Some(self.write_bill(bill))
    }

    /// Write a bill's PDF to `path` (a reprint), replacing a file there; the font
    /// warnings.
    pub fn write_bill_to(
        &self,
        bill: &Bill,
        path: &std::path::Path,
    ) -> Result<Vec<String>, String> {
        delivery::write_pdf(bill, path, true, &self.paperwork.fonts, self.now())
    }

    /// The latest bill of a case, if it was ever shipped.
    pub fn latest_bill(&self, case: &Case) -> Result<Option<Bill>, StoreError> {
        self.store.latest_bill(case.id)
    }

    /// Send every waiting message once: as `.eml` files into `eml` when given, else
    /// through `[mail] command`.
    pub fn send_outbox(&mut self, eml: Option<PathBuf>) -> Result<SendReport, WorkshopError> {
        let channel = match eml {
            Some(dir) => Channel::Eml(dir),
            None => {
                Channel::command(&self.setup.config.mail.command).map_err(WorkshopError::Mail)?
            }
        };
        let from = sender(self.setup.config.mail_from()).map_err(WorkshopError::Mail)?;
        let timeout = std::time::Duration::from_secs(self.setup.config.mail.timeout_secs.max(1));
        let clock = self.clock.clone();
        let now = move || clock();
        Ok(delivery::send_pending(
            &mut self.store,
            &channel,
            &from,
            &self.setup.user,
            timeout,
            &now,
        )?)
    }

    /// Messages, oldest first: those waiting, or all.
    pub fn outbox(&self, all: bool) -> Result<Vec<OutboxMessage>, StoreError> {
        self.store.outbox(all)
    }

    /// Take a waiting message out for good, with the reason.
    pub fn drop_message(&mut self, id: i64, reason: &str) -> Result<(), StoreError> {
        let at = self.now();
        self.store.drop_message(id, reason, &self.setup.user, at)
    }

    /// Put a message stuck in `sending` back to waiting.
    pub fn release_message(&mut self, id: i64) -> Result<(), StoreError> {
        self.store.release_message(id)
    }

    /// The board's counts: per stage, late on their clocks, shipped before the window
    /// starting at `shipped_cutoff`, and the boards at work.
    pub fn counts(&self, shipped_cutoff: DateTime<Utc>) -> Result<Counts, StoreError> {
        let now = self.now();
        let s = &self.store;
        let mut late = [0u64; 5];
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            late[i] = s.late_count(stage, self.clocks(), now)?;
        }
        Ok(Counts {
            counts: s.stage_counts()?,
            late,
            shipped_older: s.shipped_before(shipped_cutoff)?,
            people: self.people_working()?,
        })
    }

    /// Boards with a heartbeat in the last [`AT_WORK_SECS`].
    pub fn people_working(&self) -> Result<u64, StoreError> {
        self.store
            .people_working(self.now() - Duration::seconds(AT_WORK_SECS))
    }

    /// The workshop report for `period`, its days read in `tz`; the same numbers on
    /// every front end.
    pub fn report<Tz: TimeZone>(
        &self,
        period: Period,
        tz: Tz,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Report, StoreError> {
        self.store
            .report(period, tz, self.clocks(), self.now(), progress)
    }
}

/// The From of customer mail, checked before any message is taken for sending.
fn sender(configured: &str) -> Result<Mailbox, String> {
    if configured.trim().is_empty() {
        return Err(
            "no sender address is set: set [mail] from or [shop] email in config.toml".into(),
        );
    }
    Mailbox::parse(configured).map_err(|e| {
        format!(
            "the sender address in config.toml ([mail] from, else [shop] email) is not usable: {e}"
        )
    })
}

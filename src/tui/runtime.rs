//! Carries out the app's effects through the [`Workshop`] and feeds the answers back.
//!
//! Reads that answer within a frame (pane windows, details, lookups) run on the UI
//! thread's connection. Writes, the outbox send and the report go to a worker thread with
//! its own connection ([`Executor::Worker`]), so the board keeps drawing and answering
//! keys while a write waits for a colleague's lock. Reads that take longer than a frame
//! at shop scale (the counts over every case, search, the resellers' lists) go to a
//! reader thread with a third connection, which never waits for a lock: the frame after
//! a key shows what is known, and the answer follows as a message. The board's
//! heartbeat, a short write that never waits either, goes there too, so the UI thread
//! never waits for a commit. A scroll reads only the window of the pane that moved. At start the windows
//! are drawn first and the counts follow. Tests use the synchronous
//! [`Executor::Inline`], where the same work runs at once on the board's own connection.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use ratatui::Frame;

use super::app::{App, Settings};
use super::hints;
use super::keymap::KeyMap;
use super::protocol::{AnswerJob, BoardData, Effect, MailView, Msg, Reload, Target};
use super::theme::Theme;
use super::views;
use crate::domain::case::Change;
use crate::domain::text::clean_line;
use crate::domain::time::Zone;
use crate::domain::{Case, Imei, TrackingNumber};
use crate::store::{MoveOptions, Step, StoreError, WriteGate};
use crate::workshop::{BillFile, Counts, Workshop};

/// A guard against effects that keep asking for more.
const MAX_STEPS: usize = 64;
/// Search results shown at most.
const SEARCH_LIMIT: usize = 50;
/// Inspected cases of one reseller marked at most by one key (a parcel's worth).
const MARK_READY_LIMIT: usize = 500;

/// The running board: the app's state, the workshop it works on, and where its writes run.
pub struct Board {
    /// The app: what is on screen and what the keys do.
    pub app: App,
    /// The styles it is drawn with.
    pub theme: Theme,
    ws: Workshop,
    executor: Executor,
    session: String,
    last_version: Option<i64>,
    /// Counts over the whole store cost milliseconds at shop scale; scrolling reloads
    /// windows often, so they are kept until anyone writes or the minute changes.
    counts: Option<(CountsKey, Counts)>,
    /// Bumped whenever the cached counts are dropped: a count asked for before that is
    /// shown when it comes but not kept.
    counts_gen: u64,
    /// The count the reader is working on, so a second reload does not ask again.
    counting: Option<(CountsKey, u64, Option<String>)>,
    /// The reader thread, when the board has a worker.
    reader: Option<Reader>,
    /// What waits until the first frame is on screen (the first heartbeat, a write).
    later: Vec<Effect>,
    /// Until the first frame is on screen, counts are not asked for yet: this reload's
    /// are asked after it (and after the first heartbeat, so the board counts itself
    /// among the people at work).
    count_later: Option<Reload>,
    /// Before the first frame: counts wait.
    first_frame: bool,
}

/// A read for the reader thread.
enum Read {
    /// The counts of a reload.
    Counts {
        key: CountsKey,
        generation: u64,
        reload: Reload,
    },
    /// A read effect whose answer is a message (search, the resellers' lists).
    Effect(Effect),
    /// The board's heartbeat (a short write that never waits for a lock), then the
    /// count of people at work: on the reader, so the UI thread never waits for its
    /// commit, and before any count asked after it.
    Heartbeat {
        session: String,
        user: String,
        at: DateTime<Utc>,
    },
}

/// What the reader thread answers.
enum ReadAnswer {
    Counts {
        key: CountsKey,
        generation: u64,
        customer: Option<String>,
        counts: Result<Counts, String>,
    },
    Msg(Msg),
}

/// The thread that runs the reads too slow for a frame, on its own connection.
struct Reader {
    jobs: Option<Sender<Read>>,
    done: Receiver<ReadAnswer>,
    /// Reads sent and not yet answered.
    busy: usize,
    thread: Option<JoinHandle<()>>,
}

impl Reader {
    fn start(mut own: Workshop) -> Result<Reader, StoreError> {
        let (jobs, inbox) = mpsc::channel::<Read>();
        let (outbox, done) = mpsc::channel::<ReadAnswer>();
        let thread = std::thread::Builder::new()
            .name("rmaboard-reader".into())
            .spawn(move || {
                while let Ok(first) = inbox.recv() {
                    let mut batch = vec![first];
                    batch.extend(inbox.try_iter());
                    // Keys typed faster than the store answers: only the newest search
                    // is shown, and the newest "ready to ship" count (asked after each
                    // scroll) is as true as the older ones, so those are not run.
                    let newest = |ready: bool| {
                        batch.iter().rposition(|j| match j {
                            Read::Effect(Effect::Search(_)) => !ready,
                            Read::Effect(Effect::LoadReady) => ready,
                            _ => false,
                        })
                    };
                    let (search, ready) = (newest(false), newest(true));
                    for (i, job) in batch.into_iter().enumerate() {
                        let answer = match job {
                            Read::Effect(Effect::Search(_)) if Some(i) != search => {
                                ReadAnswer::Msg(Msg::Idle)
                            }
                            Read::Effect(Effect::LoadReady) if Some(i) != ready => {
                                ReadAnswer::Msg(Msg::Idle)
                            }
                            job => std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                                || read(&mut own, job),
                            ))
                            .unwrap_or_else(|_| {
                                ReadAnswer::Msg(Msg::Error(
                                    "An internal error stopped a read: quit and start the board again.".into(),
                                ))
                            }),
                        };
                        if outbox.send(answer).is_err() {
                            return;
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Refused(format!("could not start the board's reader: {e}")))?;
        Ok(Reader {
            jobs: Some(jobs),
            done,
            busy: 0,
            thread: Some(thread),
        })
    }

    fn send(&mut self, job: Read) -> bool {
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if sent {
            self.busy += 1;
        }
        sent
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A read on the reader's connection.
fn read(ws: &mut Workshop, job: Read) -> ReadAnswer {
    match job {
        Read::Counts {
            key,
            generation,
            reload,
        } => ReadAnswer::Counts {
            key,
            generation,
            counts: count(ws, &reload).map_err(|e| e.to_string()),
            customer: reload.customer,
        },
        Read::Effect(effect) => ReadAnswer::Msg(read_effect(ws.store(), effect)),
        Read::Heartbeat { session, user, at } => {
            ReadAnswer::Msg(heartbeat(ws, &session, &user, at).unwrap_or(Msg::Idle))
        }
    }
}

/// Say "still here" for `session` and count the boards at work, without waiting: when
/// a colleague holds the database, this heartbeat is skipped (the count only lags), and
/// it never queues in front of a save.
fn heartbeat(ws: &mut Workshop, session: &str, user: &str, at: DateTime<Utc>) -> Option<Msg> {
    let store = ws.store_mut();
    if store.set_busy_timeout(std::time::Duration::ZERO).is_ok() {
        let _ = store.heartbeat(session, user, at);
    }
    let _ = store.set_busy_timeout(std::time::Duration::from_secs(
        crate::store::BUSY_TIMEOUT_SECS,
    ));
    ws.people_working().ok().map(Msg::People)
}

/// The reads that may run on either connection: their answer as a message.
fn read_effect(store: &crate::store::Store, effect: Effect) -> Msg {
    let failed = |e: StoreError| Msg::Error(e.to_string());
    match effect {
        Effect::Search(query) => match store.search(&query, SEARCH_LIMIT) {
            Ok(cases) => Msg::SearchResults { query, cases },
            Err(e) => failed(e),
        },
        Effect::LoadResellers(after) => match store.resellers_on_board(after) {
            Ok(list) => Msg::ResellersLoaded(list),
            Err(e) => failed(e),
        },
        Effect::LoadReady => match store.ready_to_ship() {
            Ok(list) => Msg::ReadyLoaded(list),
            Err(e) => failed(e),
        },
        _ => Msg::Idle,
    }
}

/// The counts a reload shows: over every case, or over one reseller's.
fn count(ws: &Workshop, r: &Reload) -> Result<Counts, StoreError> {
    match &r.customer {
        Some(customer) => {
            let c = ws
                .store()
                .reseller_counts(customer, ws.clocks(), r.now, r.shipped_cutoff)?;
            Ok(Counts {
                counts: c.counts,
                late: c.late,
                shipped_older: c.shipped_older,
                people: ws.people_working()?,
            })
        }
        None => ws.counts(r.shipped_cutoff),
    }
}

/// Where the board's writes and long jobs run.
pub enum Executor {
    /// At once, on the board's own connection: the board waits (tests).
    Inline,
    /// On a worker thread with its own connection: the board never waits.
    Worker(Worker),
}

/// A job for the worker: the effect, and the board's time zone.
struct Job {
    effect: Effect,
    zone: Zone,
}

/// The worker thread that runs the board's writes and long jobs on its own connection.
pub struct Worker {
    jobs: Option<Sender<Job>>,
    done: Receiver<Msg>,
    gate: Arc<WriteGate>,
    /// Jobs sent and not yet answered.
    busy: usize,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// A worker on its own connection to the workshop's database.
    pub fn start(ws: &Workshop, keys: KeyMap) -> Result<Worker, StoreError> {
        let mut own = ws.reopen()?;
        let gate = Arc::new(WriteGate::default());
        own.store_mut().wait_through(gate.clone())?;
        let worker_gate = gate.clone();
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, done) = mpsc::channel::<Msg>();
        let thread = std::thread::Builder::new()
            .name("rmaboard-worker".into())
            .spawn(move || {
                for job in inbox {
                    worker_gate.reset();
                    let gate = &worker_gate;
                    let refuse = |e: StoreError| match e {
                        StoreError::Busy(_) if gate.is_cancelled() => Msg::Refused {
                            error: "You stopped waiting for the database: nothing was saved."
                                .into(),
                            conflict: false,
                        },
                        e => refused(e, &keys),
                    };
                    // A panic must not leave the board waiting for an answer forever.
                    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        background(&mut own, job.effect, job.zone, &refuse)
                    }))
                    .unwrap_or_else(|_| {
                        Some(Msg::Refused {
                            error: "An internal error stopped this save, so nothing was saved: quit, start the board again and retry.".into(),
                            conflict: false,
                        })
                    });
                    worker_gate.reset();
                    // Every job is answered, so the board knows when the worker is idle.
                    if outbox.send(answer.unwrap_or(Msg::Idle)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| StoreError::Refused(format!("could not start the board's worker: {e}")))?;
        Ok(Worker {
            jobs: Some(jobs),
            done,
            gate,
            busy: 0,
            thread: Some(thread),
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the worker once it has finished what it was doing.
        self.gate.cancel();
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What the cached counts depend on: other connections' commits, the minute (late
/// clocks and the shipped window move with time), the shipped cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CountsKey {
    data_version: i64,
    minute: i64,
    shipped_cutoff: i64,
}

impl Board {
    /// A board on `ws` that runs everything at once on its connection (tests).
    pub fn new(ws: Workshop, keymap: KeyMap, zone: impl Into<Zone>, size: (u16, u16)) -> Board {
        let now = ws.now();
        let config = ws.config();
        let settings = Settings {
            user: ws.user().to_string(),
            db: ws.store().path().display().to_string(),
            read_only: ws.store().is_read_only(),
            clocks: config.clocks,
            shipped_days: config.board.shipped_days,
            show_expected: config.board.show_expected,
            show_requests: config.board.show_requests,
            attachments_dir: ws.attachments_dir().display().to_string(),
            preview_max_bytes: config.paperwork.preview_max_mb.saturating_mul(1024 * 1024),
            keymap,
            zone: zone.into(),
        };
        let session = format!(
            "{}:{}:{}",
            ws.user(),
            std::process::id(),
            now.timestamp_nanos_opt().unwrap_or_default()
        );
        Board {
            app: App::new(settings, now, size),
            theme: Theme::from_env(),
            last_version: ws.store().data_version().ok(),
            ws,
            executor: Executor::Inline,
            session,
            counts: None,
            counts_gen: 0,
            counting: None,
            reader: None,
            later: Vec::new(),
            count_later: None,
            first_frame: false,
        }
    }

    /// Run writes and long jobs on a worker thread, and the slow reads on a reader
    /// thread, from now on.
    pub fn with_worker(mut self) -> Result<Board, StoreError> {
        let keys = self.app.settings.keymap.clone();
        self.executor = Executor::Worker(Worker::start(&self.ws, keys)?);
        self.reader = Some(Reader::start(self.ws.reopen()?)?);
        Ok(self)
    }

    /// Load what the first screen shows (call once before the first draw). With a
    /// worker, the counts follow from the reader and the first heartbeat (a write) waits
    /// for the next [`Board::pump`], after the first frame.
    pub fn start(&mut self) {
        let mut fx = self.app.start();
        if self.reader.is_some() {
            let (now, rest): (Vec<Effect>, Vec<Effect>) = fx
                .into_iter()
                .partition(|e| !matches!(e, Effect::Heartbeat));
            self.later = rest;
            fx = now;
            self.first_frame = true;
        }
        self.run(fx);
        if let Some(problem) = self.ws.paperwork_problem().map(str::to_string) {
            self.send(Msg::Error(problem));
        } else if let Some(empty) = self.empty_database() {
            self.send(Msg::Info(empty));
        }
    }

    /// A sentence when the database holds no sales and no cases: a new shop, or the wrong
    /// file (a command over SSH that missed the shop's settings opens a private one).
    fn empty_database(&self) -> Option<String> {
        let store = self.ws.store();
        store.holds_nothing().ok()?.then(|| {
            format!(
                "{} holds no sales, no cases: import the sales registry with `rmaboard import FILE`, or try `rmaboard demo`; if the shop's database is elsewhere, set db in /etc/rmaboard/config.toml (see `rmaboard config`).",
                store.path().display()
            )
        })
    }

    /// Hand the app a message and carry out the effects it asks for.
    pub fn send(&mut self, msg: Msg) {
        let fx = self.app.update(msg);
        self.run(fx);
    }

    /// Feed the worker's answers to the app. True when there were any, or the save under
    /// way started or stopped waiting: the screen needs drawing.
    pub fn pump(&mut self) -> bool {
        let later = std::mem::take(&mut self.later);
        let mut any = !later.is_empty();
        self.run(later);
        if std::mem::take(&mut self.first_frame)
            && let Some(r) = self.count_later.take()
        {
            any = true;
            if let Err(e) = self.counts_key(&r).and_then(|key| self.count(&r, key)) {
                self.send(Msg::Error(e.to_string()));
            }
        }
        any |= self.pump_reader();
        let Executor::Worker(w) = &mut self.executor else {
            return any;
        };
        let mut answers = Vec::new();
        while let Ok(msg) = w.done.try_recv() {
            w.busy = w.busy.saturating_sub(1);
            answers.push(msg);
        }
        any |= !answers.is_empty();
        for msg in answers {
            // The worker's commits are another connection's: recount.
            self.forget_counts();
            self.send(msg);
        }
        // What the status line says of the save under way follows the worker on every
        // pass, whichever job was waiting when the save was asked for.
        let waiting = self.waiting_for_lock();
        if self
            .app
            .saving
            .as_ref()
            .is_some_and(|s| s.waiting != waiting)
        {
            self.send(Msg::Waiting(waiting));
            return true;
        }
        any
    }

    /// The reader's answers; true when there were any.
    fn pump_reader(&mut self) -> bool {
        let Some(reader) = &mut self.reader else {
            return false;
        };
        let mut answers = Vec::new();
        while let Ok(answer) = reader.done.try_recv() {
            reader.busy = reader.busy.saturating_sub(1);
            answers.push(answer);
        }
        let any = !answers.is_empty();
        for answer in answers {
            match answer {
                ReadAnswer::Msg(msg) => self.send(msg),
                ReadAnswer::Counts {
                    key,
                    generation,
                    customer,
                    counts,
                } => {
                    if self
                        .counting
                        .as_ref()
                        .is_some_and(|(k, g, c)| *k == key && *g == generation && *c == customer)
                    {
                        self.counting = None;
                    }
                    match counts {
                        Ok(counts) => {
                            if customer.is_none() && generation == self.counts_gen {
                                self.counts = Some((key, counts));
                            }
                            self.send(Msg::Counted { customer, counts });
                        }
                        Err(e) => self.send(Msg::Error(e)),
                    }
                }
            }
        }
        any
    }

    /// Drop the cached counts: someone wrote.
    fn forget_counts(&mut self) {
        self.counts = None;
        self.counts_gen += 1;
    }

    /// The worker's or the reader's answers may take a while: true while some are still
    /// to come (or the work held back for after the first frame is not done yet).
    pub fn waiting(&self) -> bool {
        matches!(&self.executor, Executor::Worker(w) if w.busy > 0) || self.reading()
    }

    /// True while the reader's answers are still to come (or the work held back for
    /// after the first frame is not done yet).
    pub fn reading(&self) -> bool {
        self.reader.as_ref().is_some_and(|r| r.busy > 0)
            || !self.later.is_empty()
            || self.first_frame
    }

    /// True while the worker's write is waiting for another connection's lock.
    pub fn waiting_for_lock(&self) -> bool {
        matches!(&self.executor, Executor::Worker(w) if w.busy > 0 && w.gate.is_waiting())
    }

    /// Give up the write waiting for the database: it fails, and nothing is saved.
    pub fn cancel_wait(&self) {
        if let Executor::Worker(w) = &self.executor {
            w.gate.cancel();
        }
    }

    /// Draw the whole screen.
    pub fn draw(&self, frame: &mut Frame) {
        views::draw(frame, &self.app, &self.theme);
    }

    /// The workshop the board works on.
    pub fn workshop(&self) -> &Workshop {
        &self.ws
    }

    /// The board's own connection, for reading.
    pub fn store(&self) -> &crate::store::Store {
        self.ws.store()
    }

    /// The workshop's "now".
    pub fn now(&self) -> DateTime<Utc> {
        self.ws.now()
    }

    /// Leave the "people working" count at once rather than after the timeout.
    pub fn finish(&mut self) {
        // Reads under way are of no use any more.
        self.reader = None;
        // Let the worker finish what it has (a write under way is not cut off).
        if let Executor::Worker(w) = &mut self.executor {
            w.jobs = None;
            if let Some(t) = w.thread.take() {
                let _ = t.join();
            }
        }
        if !self.ws.store().is_read_only() {
            let _ = self.ws.store_mut().end_session(&self.session);
        }
    }

    fn run(&mut self, fx: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = fx.into();
        let mut steps = 0;
        while let Some(effect) = queue.pop_front() {
            steps += 1;
            if steps > MAX_STEPS {
                break;
            }
            if let Some(msg) = self.perform(effect) {
                queue.extend(self.app.update(msg));
            }
        }
    }

    /// A write or a long job: at once (inline), or handed to the worker, whose answer
    /// comes back through [`Board::pump`].
    fn submit(&mut self, effect: Effect) -> Option<Msg> {
        // Our own writes do not change data_version for our connection: recount.
        self.forget_counts();
        let zone = self.app.settings.zone;
        match &mut self.executor {
            Executor::Inline => {
                let keys = &self.app.settings.keymap;
                background(&mut self.ws, effect, zone, &|e| refused(e, keys))
            }
            Executor::Worker(w) => {
                let job = Job { effect, zone };
                match w.jobs.as_ref().map(|j| j.send(job).is_ok()) {
                    Some(true) => {
                        w.busy += 1;
                        None
                    }
                    _ => Some(Msg::Error("The board's worker stopped: quit and start the board again; nothing more can be saved from this one.".into())),
                }
            }
        }
    }

    fn perform(&mut self, effect: Effect) -> Option<Msg> {
        let failed = |e: StoreError| Msg::Error(e.to_string());
        match effect {
            // Writes and long jobs: never on the UI thread's time.
            job @ (Effect::Apply { .. }
            | Effect::ApplyMany { .. }
            | Effect::ApplySteps { .. }
            | Effect::OpenCase(_)
            | Effect::OpenBatch(_)
            | Effect::AddNote { .. }
            | Effect::SendOutbox
            | Effect::DropMessage { .. }
            | Effect::AnswerRequest(_)
            | Effect::LoadReport { .. }) => self.submit(job),
            Effect::LoadRequest(id) => Some(self.mail_view(id).unwrap_or_else(failed)),
            Effect::Heartbeat => self.heartbeat(),
            Effect::Reload(r) => Some(self.load(&r).unwrap_or_else(failed)),
            // Reads slower than a frame: on the reader when there is one.
            read @ (Effect::LoadResellers(_) | Effect::LoadReady | Effect::Search(_)) => {
                let sent = self
                    .reader
                    .as_mut()
                    .is_some_and(|r| r.send(Read::Effect(read.clone())));
                (!sent).then(|| read_effect(self.ws.store(), read))
            }
            Effect::MarkReady(customer) => {
                let q = crate::store::PaneQuery {
                    stage: crate::domain::Stage::Inspected,
                    shipped_after: None,
                    offset: 0,
                    limit: MARK_READY_LIMIT,
                };
                Some(match self.ws.store().reseller_pane(q, &customer) {
                    Ok(cases) => Msg::ReadyCases { customer, cases },
                    Err(e) => failed(e),
                })
            }
            // The app carries it out itself.
            Effect::FilterReseller(_) => None,
            Effect::CheckParcel(ids) => Some(match self.ws.store().parcel_problem(&ids) {
                Ok(problem) => Msg::ParcelChecked { ids, problem },
                Err(e) => failed(e),
            }),
            Effect::LoadMarked(ids) => Some(match self.ws.store().cases_by_ids(&ids) {
                Ok(cases) => Msg::MarkedLoaded(cases),
                Err(e) => failed(e),
            }),
            Effect::LoadDetail(id) => Some(match self.ws.store().detail(id) {
                Ok(d) => Msg::DetailLoaded(Box::new(d)),
                Err(e) => failed(e),
            }),
            Effect::Find(key) => Some(match self.parcel(&key) {
                Ok(Some((tracking, cases))) => Msg::ParcelFound { tracking, cases },
                Err(e) => failed(e),
                Ok(None) => match self.ws.find(&key) {
                    Ok(case) => self.found(Some(key), case),
                    Err(e) => match self.sold_without_case(&key, &e) {
                        Some(imei) => Msg::SoldWithoutCase(imei),
                        None => Msg::Error(hints::sentence(&e, &self.app.settings.keymap)),
                    },
                },
            }),
            Effect::ParcelStray(imei) => Some(self.stray(&imei)),
            Effect::Locate(id) => Some(match self.ws.store().case_by_id(id) {
                Ok(case) => self.found(None, case),
                Err(e) => failed(e),
            }),
            Effect::OfferUndo => Some(offer_undo(&self.ws)),
            Effect::StopWaiting => {
                self.cancel_wait();
                None
            }
            Effect::Assess { imei, part, on } => Some(Msg::Assessed {
                result: self
                    .ws
                    .store()
                    .assess(&imei, on, part)
                    .map_err(|e| e.to_string()),
                // A lookup that fails only loses the early warning; saving still checks.
                open_case: self
                    .ws
                    .store()
                    .open_case_of(&imei)
                    .ok()
                    .flatten()
                    .map(|c| format!("{} (in {})", c.rma, c.stage.title())),
                imei,
                part,
            }),
            Effect::LoadOutbox => Some(match self.ws.outbox(false) {
                Ok(list) => Msg::OutboxLoaded(list),
                Err(e) => failed(e),
            }),
            Effect::CheckForChanges => {
                let now = self.ws.store().data_version().ok();
                let changed = now.is_some() && now != self.last_version;
                self.last_version = now;
                if !changed {
                    return None;
                }
                // Cheap, and only after a change: a newer rmaboard may have migrated.
                match self.ws.store().schema_version() {
                    Ok(v) if v > crate::store::SCHEMA_VERSION && self.app.outdated.is_none() => {
                        Some(Msg::Outdated(v))
                    }
                    _ => Some(Msg::ExternalChange),
                }
            }
        }
    }

    /// Say "still here" and count the boards at work: on the reader's connection when
    /// there is one (the count of people follows as a message), else at once on the
    /// board's own.
    fn heartbeat(&mut self) -> Option<Msg> {
        let (session, user, at) = (
            self.session.clone(),
            self.ws.user().to_string(),
            self.ws.now(),
        );
        if let Some(reader) = &mut self.reader
            && reader.send(Read::Heartbeat {
                session: session.clone(),
                user: user.clone(),
                at,
            })
        {
            // The reader's commit changes data_version for this connection: the next
            // reload recounts by itself.
            return None;
        }
        // Our own write does not change data_version for our connection: recount.
        self.forget_counts();
        heartbeat(&mut self.ws, &session, &user, at)
    }

    fn counts_key(&self, r: &Reload) -> Result<CountsKey, StoreError> {
        Ok(CountsKey {
            data_version: self.ws.store().data_version()?,
            minute: r.now.timestamp() / 60,
            shipped_cutoff: r.shipped_cutoff.timestamp(),
        })
    }

    fn load(&mut self, r: &Reload) -> Result<Msg, StoreError> {
        let key = self.counts_key(r)?;
        let counts = match (&r.customer, self.counts) {
            (None, Some((k, c))) if k == key => Some(c),
            // Asked after the first frame, for the last reload before it.
            _ if self.first_frame => {
                self.count_later = Some(r.clone());
                None
            }
            _ => self.count(r, key)?,
        };
        let s = self.ws.store();
        let windows = r
            .windows
            .iter()
            .map(|q| {
                let cases = match &r.customer {
                    Some(customer) => s.reseller_pane(*q, customer)?,
                    None => s.pane(*q)?,
                };
                Ok((q.stage, q.offset, cases))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let requests = if r.whole {
            Some(s.requests(true)?)
        } else {
            None
        };
        Ok(Msg::Loaded(Box::new(BoardData {
            counts,
            windows,
            requests,
        })))
    }

    /// The counts of reload `r`: at once without a reader, else asked of the reader
    /// (`None`: they follow as [`Msg::Counted`]).
    fn count(&mut self, r: &Reload, key: CountsKey) -> Result<Option<Counts>, StoreError> {
        let generation = self.counts_gen;
        let Some(reader) = &mut self.reader else {
            let c = count(&self.ws, r)?;
            if r.customer.is_none() {
                self.counts = Some((key, c));
            }
            return Ok(Some(c));
        };
        let asking = (key, generation, r.customer.clone());
        if self.counting.as_ref() == Some(&asking) {
            return Ok(None);
        }
        let job = Read::Counts {
            key,
            generation,
            reload: r.clone(),
        };
        if reader.send(job) {
            self.counting = Some(asking);
            Ok(None)
        } else {
            let c = count(&self.ws, r)?;
            Ok(Some(c))
        }
    }

    fn found(&self, scanned: Option<String>, case: Case) -> Msg {
        let cutoff = self.app.shipped_cutoff();
        // Within the reseller's panes when the board shows only theirs (a case of
        // another reseller lifts the filter).
        let customer = self
            .app
            .reseller
            .as_ref()
            .filter(|r| r.customer_number == case.customer_number)
            .map(|r| r.customer_number.as_str());
        let position = self.ws.store().pane_position(&case, cutoff, customer);
        match position {
            Ok(position) => Msg::Found {
                scanned,
                case: Box::new(case),
                position,
            },
            Err(e) => Msg::Error(e.to_string()),
        }
    }
}

/// A write or a long job, on whichever connection runs it.
fn background(
    ws: &mut Workshop,
    effect: Effect,
    zone: Zone,
    refused: &dyn Fn(StoreError) -> Msg,
) -> Option<Msg> {
    match effect {
        Effect::Apply {
            target,
            change,
            done,
        } => Some(match ws.apply(target.id, target.version, change) {
            Ok(moved) => Msg::Applied {
                done: match &moved.bill {
                    Some(bill) => format!("{done} {}", say_bill(&moved.case, bill)),
                    None => done,
                },
                case: Box::new(moved.case),
                locate: false,
            },
            Err(e) => refused(e),
        }),
        Effect::ApplyMany {
            targets,
            change,
            done,
        } => {
            let steps = targets.into_iter().map(|t| (t, change.clone())).collect();
            Some(apply_many(ws, steps, done, refused))
        }
        Effect::ApplySteps { steps, done } => Some(apply_many(ws, steps, done, refused)),
        Effect::OpenCase(new) => Some(match ws.open_case(*new) {
            Ok(case) => Msg::Applied {
                done: format!(
                    "{} opened for IMEI {} ({}): it waits in Expected.",
                    case.rma, case.imei, case.verdict
                ),
                case: Box::new(case),
                locate: true,
            },
            Err(e) => refused(e),
        }),
        Effect::OpenBatch(file) => Some(open_batch(ws, &file, refused)),
        Effect::AddNote { target, text } => Some(match ws.add_note(target.id, &text) {
            Ok(case) => Msg::Applied {
                case: Box::new(case),
                done: format!("Note added to {}.", target.rma),
                locate: false,
            },
            Err(e) => refused(e),
        }),
        Effect::SendOutbox => Some(Msg::OutboxSent(match ws.send_outbox(None) {
            Ok(r) if r.all_sent() && !r.need_person.is_empty() => Ok(format!(
                "{} sent; {} with no address left for you to drop.",
                crate::domain::text::count(r.sent.len() as u64, "message"),
                r.need_person.len()
            )),
            Ok(r) if r.all_sent() => Ok(format!(
                "{} sent.",
                crate::domain::text::count(r.sent.len() as u64, "message")
            )),
            // Each failure's reason is shown with its message in the outbox.
            Ok(r) => Err(format!(
                "{} sent, {} not sent: see why in the outbox.",
                r.sent.len(),
                r.failed.len() + r.unsure.len()
            )),
            Err(e) => Err(e.to_string()),
        })),
        Effect::DropMessage { id, reason } => Some(match ws.drop_message(id, &reason) {
            Ok(()) => Msg::Dropped(id),
            Err(e) => refused(e),
        }),
        Effect::LoadReport { to } => Some(report(ws, to, zone)),
        Effect::AnswerRequest(job) => Some(answer_request(ws, *job, refused)),
        // Reads answer at once on the board's own connection.
        _ => None,
    }
}

/// Where the bill of a case just shipped went, for the status line.
impl Board {
    /// The parcel `key` names when it is an inbound tracking number under which several
    /// cases are still expected.
    fn parcel(&self, key: &str) -> Result<Option<(String, Vec<Case>)>, StoreError> {
        let Ok(tracking) = TrackingNumber::parse(key) else {
            return Ok(None);
        };
        let cases = self.ws.store().expected_in_parcel(&tracking)?;
        Ok((cases.len() > 1).then(|| (tracking.as_str().to_string(), cases)))
    }

    /// A request with each device's verdict on the mail's day where the board is: the
    /// same verdicts `rmaboard request` prints.
    fn mail_view(&self, id: i64) -> Result<Msg, StoreError> {
        let request = self.ws.store().request(id)?;
        let day = self.app.settings.zone.date(request.received_at);
        let devices = self.ws.request_devices(&request, day)?;
        Ok(Msg::RequestLoaded(Box::new(MailView { request, devices })))
    }

    /// What a device scanned into a parcel it is not expected in is.
    fn stray(&self, imei: &Imei) -> Msg {
        let store = self.ws.store();
        let said = match (store.open_case_of(imei), store.sale(imei)) {
            (Ok(Some(case)), _) => format!(
                "IMEI {imei} is not expected in this parcel: it is {} ({}, in {}).",
                case.rma,
                case.model,
                case.stage.title()
            ),
            (Ok(None), Ok(Some(_))) => format!(
                "IMEI {imei} is not expected in this parcel and has no case, though the shop sold it: after the parcel, scan it on the board or press {} to open one.",
                self.app
                    .settings
                    .keymap
                    .first_key(crate::tui::action::Action::NewCase)
            ),
            (Ok(None), Ok(None)) => format!(
                "IMEI {imei} is not expected in this parcel, and the shop did not sell it: it is not one of ours."
            ),
            (Err(e), _) | (_, Err(e)) => format!("IMEI {imei} could not be looked up: {e}"),
        };
        Msg::ParcelStray(said)
    }

    /// The IMEI `key` names when no case was found for it but the shop sold it.
    fn sold_without_case(&self, key: &str, e: &StoreError) -> Option<Imei> {
        if !matches!(e, StoreError::NotFound(_)) {
            return None;
        }
        let imei = Imei::parse(key).ok()?;
        matches!(self.ws.store().sale(&imei), Ok(Some(_))).then_some(imei)
    }
}

fn say_bill(case: &Case, bill: &BillFile) -> String {
    match bill {
        BillFile::Written {
            bill,
            path,
            warnings,
        } => {
            let mut said = format!("Bill {} written to {}.", bill.label(), path.display());
            for w in warnings {
                said.push_str(&format!(" Warning: {}.", clean_line(w)));
            }
            said
        }
        BillFile::NotWritten { reason, .. } => format!(
            "Its bill could not be written ({}): print it with `rmaboard bill {} --out FILE`.",
            clean_line(reason),
            case.rma
        ),
    }
}

/// One move on the marked cards (or the undo of a move of several cases), all or
/// nothing, through the same verb as the command line's moves on several keys: a ship is
/// one parcel, with one bill.
fn apply_many(
    ws: &mut Workshop,
    steps: Vec<(Target, Change)>,
    done: String,
    refused: &dyn Fn(StoreError) -> Msg,
) -> Msg {
    let steps = steps
        .into_iter()
        .map(|(t, change)| Step {
            id: t.id,
            version: t.version,
            change,
        })
        .collect();
    match ws.apply_many(steps, MoveOptions::default()) {
        Ok(many) => {
            let mut said = vec![done];
            if let Some((_, case)) = many.moved.first() {
                for bill in &many.bills {
                    said.push(say_bill(case, bill));
                }
            }
            Msg::AppliedMany {
                ids: many.moved.iter().map(|(_, case)| case.id).collect(),
                done: said.join(" "),
            }
        }
        // Each refused case is named in the store's sentence; busy, read-only...: worded
        // as for one case.
        Err(e) => refused(e),
    }
}

/// A reseller's request file, opened whole as `open --batch` opens it, or the form back
/// with why not (every bad row with its line).
fn open_batch(
    ws: &mut Workshop,
    file: &std::path::Path,
    refused: &dyn Fn(StoreError) -> Msg,
) -> Msg {
    let name = file
        .file_name()
        .map(|n| clean_line(&n.to_string_lossy()))
        .unwrap_or_default();
    match ws.open_batch_file(file) {
        Ok(done) => {
            let rmas: Vec<String> = done.opened.iter().map(|c| c.rma.to_string()).collect();
            let mut said = format!(
                "{} opened from {name} ({}): they wait in Expected, and the RMA instructions in the outbox, one message per reseller.",
                crate::domain::text::count(rmas.len() as u64, "case"),
                rmas.join(", ")
            );
            if !done.ignored_columns.is_empty() {
                said.push_str(&format!(
                    " Columns not used: {}.",
                    clean_line(&crate::import::describe_ignored(&done.ignored_columns))
                ));
            }
            match done.opened.into_iter().next() {
                // The sentence names every case: it is not replaced by one case's.
                Some(first) => Msg::Applied {
                    case: Box::new(first),
                    done: said,
                    locate: false,
                },
                None => Msg::Error(said),
            }
        }
        Err(crate::workshop::BatchRefused::Store(e)) => refused(e),
        // The form shows the rows the screen holds: the command line lists them all.
        Err(e @ crate::workshop::BatchRefused::Rows { .. }) => Msg::Refused {
            error: format!(
                "{e}\n`rmaboard open --batch {}` lists them all.",
                crate::domain::text::shell_word(&file.display().to_string())
            ),
            conflict: false,
        },
        Err(e) => Msg::Refused {
            error: e.to_string(),
            conflict: false,
        },
    }
}

/// The same report as `rmaboard report`, in the board's time zone.
fn report(ws: &Workshop, to: Option<chrono::NaiveDate>, zone: Zone) -> Msg {
    let today = zone.date(ws.now());
    if let Some(to) = to {
        match ws.store().first_case_opened() {
            Ok(Some(first)) => {
                let first = zone.date(first);
                if to < first {
                    return Msg::Error(format!(
                        "The first case was opened on {first}: there is nothing earlier to report."
                    ));
                }
            }
            Ok(None) => {}
            Err(e) => return Msg::Error(e.to_string()),
        }
    }
    let period = match crate::report::Period::new(None, to, today, &zone) {
        Ok(p) => p,
        Err(e) => return Msg::Error(e.to_string()),
    };
    match ws.report(period, zone, &mut |_, _| {}) {
        Ok(report) => Msg::ReportLoaded(Box::new(report)),
        Err(e) => Msg::Error(e.to_string()),
    }
}

/// The user's own last move, as it was done: a move of several cases is offered whole.
fn offer_undo(ws: &Workshop) -> Msg {
    match ws.own_last_moves(None) {
        Ok(group) => {
            let mut group = group.into_iter();
            let Some((last, case)) = group.next() else {
                return Msg::Error("You have no move of your own left to undo.".to_string());
            };
            Msg::UndoOffer {
                case: Box::new(case),
                from: last.from,
                to: last.to,
                failed: last.failed,
                before: last.before,
                together: group.map(|(m, c)| (Target::of(&c), m.undo())).collect(),
            }
        }
        Err(e) => Msg::Error(e.to_string()),
    }
}

fn refused(e: StoreError, keys: &KeyMap) -> Msg {
    Msg::Refused {
        conflict: e.is_conflict(),
        error: hints::sentence(&e, keys),
    }
}

/// Answer a request through the same verb as `rmaboard answer`, and say what was done:
/// the RMA numbers opened, the refusal, or the question, and where the message waits.
fn answer_request(ws: &mut Workshop, job: AnswerJob, refused: &dyn Fn(StoreError) -> Msg) -> Msg {
    let AnswerJob { id, reply, seen } = job;
    let what = match &reply {
        crate::store::Reply::Open { .. } => "the RMA instructions",
        crate::store::Reply::Refuse(_) => "the refusal",
        crate::store::Reply::Ask(_) => "the question",
    };
    let wait = match &reply {
        crate::store::Reply::Open { .. } => "wait",
        _ => "waits",
    };
    match ws.answer_seen(id, reply, seen) {
        Ok((request, opened)) => {
            let to = clean_line(request.from_address.as_deref().unwrap_or("the sender"));
            let answer = request.answered.as_ref().map(|a| &a.answer);
            let head = if !opened.is_empty() {
                let rmas: Vec<String> = opened.iter().map(|c| c.rma.to_string()).collect();
                format!("Request {id}: opened {}.", rmas.join(", "))
            } else {
                match answer {
                    Some(crate::domain::intake::Answer::Refused(r)) => {
                        format!("Request {id} refused ({}).", r.as_str())
                    }
                    _ => format!("Request {id}: question asked; it stays open, answered in time."),
                }
            };
            Msg::Answered {
                id,
                done: format!(
                    "{head} {} to {to} {wait} in the outbox.",
                    crate::domain::text::capitalized(what)
                ),
            }
        }
        Err(e) => refused(e),
    }
}

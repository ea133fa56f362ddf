//! Carries out the app's effects against the store and feeds the answers back. The same
//! loop runs under the terminal and in tests (headless), so flows are tested as they run.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use ratatui::Frame;

use super::app::{App, BoardData, Effect, Msg, Reload, Settings};
use super::hints;
use super::keymap::KeyMap;
use super::theme::Theme;
use super::views;
use crate::config::Config;
use crate::domain::{EventKind, Stage};
use crate::store::{Store, StoreError};

/// A board is "at work" while it sent a heartbeat this recently.
const AT_WORK_SECS: i64 = 45;
/// A guard against effects that keep asking for more.
const MAX_STEPS: usize = 64;
/// Search results shown at most.
const SEARCH_LIMIT: usize = 50;

pub type Clock = Box<dyn Fn() -> DateTime<Utc>>;

pub struct Board {
    pub app: App,
    pub theme: Theme,
    store: Store,
    session: String,
    last_version: Option<i64>,
    clock: Clock,
    /// Counts over the whole store cost milliseconds at shop scale; scrolling reloads
    /// windows often, so they are kept until anyone writes or the minute changes.
    counts: Option<(CountsKey, Counts)>,
    /// Where a ship on the board writes its bill.
    bills_dir: std::path::PathBuf,
    /// The mail command and sender for the outbox (`[mail]` in the config).
    mail: (String, String),
    /// Said once the board is up, when the paperwork settings could not be used.
    paperwork_problem: Option<String>,
}

/// What the cached counts depend on: other connections' commits, the minute (late
/// clocks and the shipped window move with time), the shipped cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CountsKey {
    data_version: i64,
    minute: i64,
    shipped_cutoff: i64,
}

#[derive(Debug, Clone, Copy)]
struct Counts {
    counts: [u64; 5],
    late: [u64; 5],
    shipped_older: u64,
    people: u64,
}

impl Board {
    pub fn new(
        mut store: Store,
        config: &Config,
        user: &str,
        keymap: KeyMap,
        clock: Clock,
        offset: FixedOffset,
        size: (u16, u16),
    ) -> Board {
        let now = clock();
        // Bills and messages drawn by moves on the board follow the shop's configuration.
        let paperwork_problem = crate::paperwork::Settings::from_config(
            config,
            crate::config::templates_dir().as_deref(),
        )
        .map_err(|e| e.to_string())
        .and_then(|s| match store.is_read_only() {
            true => Ok(()),
            false => store.set_paperwork(&s).map_err(|e| e.to_string()),
        })
        .err();
        let bills_dir = crate::paperwork::bills_dir(config, store.path());
        let mail = (config.mail.command.clone(), config.mail_from().to_string());
        let settings = Settings {
            user: user.to_string(),
            db: store.path().display().to_string(),
            read_only: store.is_read_only(),
            clocks: config.clocks,
            shipped_days: config.board.shipped_days,
            show_expected: config.board.show_expected,
            keymap,
            offset,
        };
        let session = format!(
            "{user}:{}:{}",
            std::process::id(),
            now.timestamp_nanos_opt().unwrap_or_default()
        );
        Board {
            app: App::new(settings, now, size),
            theme: Theme::from_env(),
            last_version: store.data_version().ok(),
            store,
            session,
            clock,
            counts: None,
            bills_dir,
            mail,
            paperwork_problem,
        }
    }

    /// Load the board (call once before the first draw).
    pub fn start(&mut self) {
        let fx = self.app.start();
        self.run(fx);
        if let Some(problem) = self.paperwork_problem.take() {
            self.send(Msg::Error(problem));
        }
    }

    pub fn send(&mut self, msg: Msg) {
        let fx = self.app.update(msg);
        self.run(fx);
    }

    pub fn draw(&self, frame: &mut Frame) {
        views::draw(frame, &self.app, &self.theme);
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Leave the "people working" count at once rather than after the timeout.
    pub fn finish(&mut self) {
        if !self.store.is_read_only() {
            let _ = self.store.end_session(&self.session);
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

    fn perform(&mut self, effect: Effect) -> Option<Msg> {
        if matches!(
            effect,
            Effect::Apply { .. } | Effect::OpenCase(_) | Effect::AddNote { .. } | Effect::Heartbeat
        ) {
            // Our own writes do not change data_version for us: forget the counts.
            self.counts = None;
        }
        let user = self.app.settings.user.clone();
        let at = self.now();
        let failed = |e: StoreError| Msg::Error(e.to_string());
        match effect {
            Effect::Reload(r) => Some(self.load(&r).unwrap_or_else(failed)),
            Effect::LoadDetail(id) => Some(match self.store.detail(id) {
                Ok(d) => Msg::DetailLoaded(Box::new(d)),
                Err(e) => failed(e),
            }),
            Effect::Find(key) => Some(match self.store.find(&key) {
                Ok(case) => self.found(Some(key), case),
                Err(e) => Msg::Error(hints::sentence(&e, &self.app.settings.keymap)),
            }),
            Effect::Locate(id) => Some(match self.store.case_by_id(id) {
                Ok(case) => self.found(None, case),
                Err(e) => failed(e),
            }),
            Effect::Apply {
                target,
                change,
                done,
            } => Some(
                match self
                    .store
                    .apply(target.id, target.version, change, &user, at)
                {
                    Ok(case) => Msg::Applied {
                        done: self.with_bill(&case, done, at),
                        case: Box::new(case),
                        locate: false,
                    },
                    Err(e) => refused(e, &self.app.settings.keymap),
                },
            ),
            Effect::OpenCase(new) => Some(match self.store.open_case(*new, &user, at) {
                Ok(case) => Msg::Applied {
                    done: format!(
                        "{} opened for IMEI {} ({}): it waits in Expected.",
                        case.rma, case.imei, case.verdict
                    ),
                    case: Box::new(case),
                    locate: true,
                },
                Err(e) => refused(e, &self.app.settings.keymap),
            }),
            Effect::AddNote { target, text } => {
                Some(match self.store.add_note(target.id, &text, &user, at) {
                    Ok(case) => Msg::Applied {
                        case: Box::new(case),
                        done: format!("Note added to {}.", target.rma),
                        locate: false,
                    },
                    Err(e) => refused(e, &self.app.settings.keymap),
                })
            }
            Effect::OfferUndo => Some(self.offer_undo(&user)),
            Effect::Assess { imei, part, on } => Some(Msg::Assessed {
                result: self
                    .store
                    .assess(&imei, on, part)
                    .map_err(|e| e.to_string()),
                // A lookup that fails only loses the early warning; saving still checks.
                open_case: self
                    .store
                    .open_case_of(&imei)
                    .ok()
                    .flatten()
                    .map(|c| format!("{} (in {})", c.rma, c.stage.title())),
                imei,
                part,
            }),
            Effect::Search(query) => Some(match self.store.search(&query, SEARCH_LIMIT) {
                Ok(cases) => Msg::SearchResults { query, cases },
                Err(e) => failed(e),
            }),
            Effect::LoadReport { to } => Some(self.report(to, at)),
            Effect::LoadOutbox => Some(match self.store.outbox(false) {
                Ok(list) => Msg::OutboxLoaded(list),
                Err(e) => failed(e),
            }),
            Effect::SendOutbox => Some(self.send_outbox(&user)),
            Effect::DropMessage { id, reason } => {
                Some(match self.store.drop_message(id, &reason, &user, at) {
                    Ok(()) => Msg::Dropped(id),
                    Err(e) => refused(e, &self.app.settings.keymap),
                })
            }
            Effect::Heartbeat => {
                // A missed heartbeat only makes the count lag; not worth a message.
                let _ = self.store.heartbeat(&self.session, &user, at);
                self.store
                    .people_working(at - Duration::seconds(AT_WORK_SECS))
                    .ok()
                    .map(Msg::People)
            }
            Effect::CheckForChanges => {
                let now = self.store.data_version().ok();
                let changed = now.is_some() && now != self.last_version;
                self.last_version = now;
                if !changed {
                    return None;
                }
                // Cheap, and only after a change: a newer rmaboard may have migrated.
                match self.store.schema_version() {
                    Ok(v) if v > crate::store::SCHEMA_VERSION && self.app.outdated.is_none() => {
                        Some(Msg::Outdated(v))
                    }
                    _ => Some(Msg::ExternalChange),
                }
            }
        }
    }

    fn load(&mut self, r: &Reload) -> Result<Msg, StoreError> {
        let key = CountsKey {
            data_version: self.store.data_version()?,
            minute: r.now.timestamp() / 60,
            shipped_cutoff: r.shipped_cutoff.timestamp(),
        };
        let c = match self.counts {
            Some((k, c)) if k == key => c,
            _ => {
                let c = self.count(r)?;
                self.counts = Some((key, c));
                c
            }
        };
        let s = &self.store;
        let windows = r
            .windows
            .iter()
            .map(|q| Ok((q.stage, q.offset, s.pane(*q)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Msg::Loaded(Box::new(BoardData {
            counts: c.counts,
            late: c.late,
            shipped_older: c.shipped_older,
            windows,
            people: c.people,
        })))
    }

    fn count(&self, r: &Reload) -> Result<Counts, StoreError> {
        let s = &self.store;
        let mut late = [0u64; 5];
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            late[i] = s.late_count(stage, &self.app.settings.clocks, r.now)?;
        }
        Ok(Counts {
            counts: s.stage_counts()?,
            late,
            shipped_older: s.shipped_before(r.shipped_cutoff)?,
            people: s.people_working(r.now - Duration::seconds(AT_WORK_SECS))?,
        })
    }

    /// After a move that shipped (its bill was issued at `at`): write the bill's PDF and
    /// say where it went.
    fn with_bill(&self, case: &crate::domain::Case, done: String, at: DateTime<Utc>) -> String {
        if case.stage != Stage::Shipped {
            return done;
        }
        let bill = match self.store.latest_bill(case.id) {
            Ok(Some(bill)) if bill.issued_at.timestamp() == at.timestamp() => bill,
            _ => return done,
        };
        let path = self.bills_dir.join(bill.file_name());
        match crate::paperwork::pdf::write(&bill, &path) {
            Ok(()) => format!(
                "{done} Bill {} written to {}.",
                bill.label(),
                path.display()
            ),
            Err(e) => format!(
                "{done} Its bill could not be written ({e}): print it with `rmaboard bill {} --out FILE`.",
                case.rma
            ),
        }
    }

    /// Send every waiting message, as `rmaboard outbox send` does.
    fn send_outbox(&mut self, user: &str) -> Msg {
        use crate::paperwork::send::{Channel, send_pending};
        let channel = match Channel::command(&self.mail.0) {
            Ok(c) => c,
            Err(e) => return Msg::Error(e),
        };
        let clock = &self.clock;
        let now = || clock();
        match send_pending(&mut self.store, &channel, &self.mail.1, user, &now) {
            Ok(r) if r.failed.is_empty() => Msg::Info(format!("{} message(s) sent.", r.sent.len())),
            // Each failure's reason is shown with its message in the outbox.
            Ok(r) => Msg::Error(format!(
                "{} sent, {} not sent: see why in the outbox.",
                r.sent.len(),
                r.failed.len()
            )),
            Err(e) => Msg::Error(e.to_string()),
        }
    }

    /// The same report as `rmaboard report`, in the board's time zone.
    fn report(&self, to: Option<chrono::NaiveDate>, now: DateTime<Utc>) -> Msg {
        let offset = self.app.settings.offset;
        let today = now.with_timezone(&offset).date_naive();
        if let Some(to) = to {
            match self.store.first_case_opened() {
                Ok(Some(first)) => {
                    let first = first.with_timezone(&offset).date_naive();
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
        let period = match crate::report::Period::new(None, to, today, &offset) {
            Ok(p) => p,
            Err(e) => return Msg::Error(e.to_string()),
        };
        match self.store.report(
            period,
            offset,
            &self.app.settings.clocks,
            now,
            &mut |_, _| {},
        ) {
            Ok(report) => Msg::ReportLoaded(Box::new(report)),
            Err(e) => Msg::Error(e.to_string()),
        }
    }

    fn found(&self, scanned: Option<String>, case: crate::domain::Case) -> Msg {
        let cutoff = self.app.shipped_cutoff();
        match self.store.pane_position(&case, cutoff) {
            Ok(position) => Msg::Found {
                scanned,
                case: Box::new(case),
                position,
            },
            Err(e) => Msg::Error(e.to_string()),
        }
    }

    fn offer_undo(&mut self, user: &str) -> Msg {
        let last = match self.store.last_own_move(user) {
            Ok(Some(last)) => last,
            Ok(None) => {
                return Msg::Error("You have no move of your own left to undo.".to_string());
            }
            Err(e) => return Msg::Error(e.to_string()),
        };
        let case = match self.store.case_by_id(last.case_id) {
            Ok(case) => case,
            Err(e) => return Msg::Error(e.to_string()),
        };
        // Undo puts back where the case was; anything done to it since would be lost.
        if let Some((by, kind)) = &last.changed_since {
            let who = if by == user {
                "you".to_string()
            } else {
                crate::domain::text::clean_line(by)
            };
            return Msg::Error(format!(
                "Your last move took {} to {}, but {who} {} since (it is now in {}): undoing would throw that away, so nothing was changed.",
                case.rma,
                last.to.title(),
                done_by_kind(kind),
                case.stage.title()
            ));
        }
        Msg::UndoOffer {
            case: Box::new(case),
            from: last.from,
            to: last.to,
        }
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

fn refused(e: StoreError, keys: &KeyMap) -> Msg {
    Msg::Refused {
        conflict: e.is_conflict(),
        error: hints::sentence(&e, keys),
    }
}

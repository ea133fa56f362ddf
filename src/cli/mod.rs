//! Running the staff commands. Every failure is one sentence on stderr and a non-zero
//! exit: 1 for a refusal or a failure, 2 for a malformed command line (clap), 3 when
//! someone else changed the case first.

mod args;
#[cfg(feature = "bench")]
mod bench;
mod conventions;
mod hints;
mod intake;
mod output;
mod paperwork;
mod report;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Parser;

#[cfg(feature = "bench")]
pub use args::BenchCommand;
pub(crate) use args::ExportFormat;
pub use args::{Cli, Command, SalesCommand};
use output::{AssessmentJson, CaseJson};

use crate::config::{Config, config_dir, staff_name};
use crate::domain::case::{Case, Change};
use crate::domain::time::{local_date, parse_date, parse_time};
use crate::domain::{Imei, Part, S10, Stage, TrackingNumber};
use crate::files;
use crate::store::{ListFilter, MoveOptions, NewCase, Step, Store, StoreError};
use crate::workshop::{
    BatchRefused, Clock, Setup, UndoRefused, Workshop, WorkshopError, wall_clock,
};

/// A failure to report: the sentence and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// The sentence for stderr: what went wrong and what to do.
    pub message: String,
    /// The exit code: 1 for a refusal or a failure, 3 when someone else changed the case first.
    pub code: u8,
    /// Said before the sentence, one line each: why each case or row of a command on
    /// several was refused.
    pub details: Vec<String>,
}

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
            details: Vec::new(),
        }
    }

    /// An invalid value for a named option.
    fn field(field: &str, e: impl std::fmt::Display) -> Failure {
        Failure::new(format!("{field}: {e}"))
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        let code = if e.is_conflict() { 3 } else { 1 };
        match e {
            StoreError::Several { refused, total } => Failure {
                message: several_refused(refused.len(), total, code == 3),
                code,
                details: refused.iter().map(hints::sentence).collect(),
            },
            e => Failure {
                code,
                message: hints::sentence(&e),
                details: Vec::new(),
            },
        }
    }
}

/// The closing sentence of a command on several cases that was refused.
fn several_refused(refused: usize, total: usize, all_changed: bool) -> String {
    let were = if refused == 1 { "was" } else { "were" };
    if all_changed {
        format!(
            "{refused} of {total} cases {were} changed by someone else since (see above), so nothing was saved: look again and retry"
        )
    } else {
        format!(
            "{refused} of {total} cases {were} refused (see above), so nothing was saved: deal with {}, or leave {} out, and run the command again",
            if refused == 1 { "it" } else { "them" },
            if refused == 1 { "it" } else { "them" }
        )
    }
}

impl From<WorkshopError> for Failure {
    fn from(e: WorkshopError) -> Failure {
        match e {
            WorkshopError::Store(e) => e.into(),
            other => Failure::new(other.to_string()),
        }
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Failure {
        Failure::new(e.to_string())
    }
}

type Outcome = Result<(), Failure>;

/// Parse the command line and run it.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout and usage errors (exit 2) to stderr.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            for detail in &f.details {
                eprintln!("rmaboard: {}", crate::domain::text::clean_line(detail));
            }
            let msg = crate::domain::text::clean_line(&f.message);
            eprintln!("rmaboard: {msg}");
            ExitCode::from(f.code)
        }
    }
}

struct Context {
    config: Config,
    /// The folder of the config file, keys.toml and templates/, looked up once.
    config_dir: Option<PathBuf>,
    db: Option<PathBuf>,
    user: String,
    at: Option<DateTime<Utc>>,
    /// `--at` as typed, to quote it when it is refused.
    at_typed: Option<String>,
}

impl Context {
    fn path(&self) -> Result<PathBuf, Failure> {
        Ok(self.config.database_path(self.db.as_deref())?)
    }

    fn setup(&self) -> Result<Setup, Failure> {
        Ok(self.setup_on(self.path()?))
    }

    fn setup_on(&self, db: PathBuf) -> Setup {
        Setup {
            config: self.config.clone(),
            db,
            user: self.user.clone(),
            config_dir: self.config_dir.clone(),
        }
    }

    /// `--at`, else the wall clock.
    fn clock(&self) -> Clock {
        match self.at {
            Some(at) => std::sync::Arc::new(move || at),
            None => wall_clock(),
        }
    }

    /// The workshop on the configured database. A writable one refuses to work with
    /// paperwork settings it cannot use: a bill or a message would be worded wrong.
    fn workshop(&self) -> Result<Workshop, Failure> {
        self.workshop_on(self.setup()?)
    }

    fn workshop_on(&self, setup: Setup) -> Result<Workshop, Failure> {
        let ws = Workshop::open(setup, self.clock())?;
        if let Some((at, typed)) = self.at.zip(self.at_typed.as_deref()) {
            after_first_sale(&ws, "--at", typed, at)?;
        }
        if let Some(w) = ws.store().location_warning() {
            eprintln!("rmaboard: warning: {w}");
        }
        if let Some(problem) = ws.paperwork_problem()
            && !ws.store().is_read_only()
        {
            return Err(Failure::new(problem));
        }
        Ok(ws)
    }

    fn now(&self) -> DateTime<Utc> {
        self.at.unwrap_or_else(Utc::now)
    }
}

/// A time typed on the command line: well formed, and not more than a day ahead of this
/// computer's clock (a typo in the year, not something that happened).
fn typed_time(field: &str, typed: &str) -> Result<DateTime<Utc>, Failure> {
    let at = parse_time(typed).map_err(|e| Failure::field(field, e))?;
    let now = Utc::now();
    if at > now + chrono::Duration::days(1) {
        return Err(Failure::new(format!(
            "{field} {:?} is more than a day after now ({}): give the time it really happened",
            crate::domain::text::clean_line(typed),
            crate::domain::time::local_minutes(now)
        )));
    }
    Ok(at)
}

/// Nothing happens in the workshop before the shop's first sale: an earlier typed time is a
/// typo in the year.
fn after_first_sale(
    ws: &Workshop,
    field: &str,
    typed: &str,
    at: DateTime<Utc>,
) -> Result<(), Failure> {
    use chrono::Datelike;
    if let Some(first) = ws.store().first_sale_year()?
        && local_date(at).year() < first
    {
        return Err(Failure::new(format!(
            "{field} {:?} is before the shop's first sale (in {first}): give the time it really happened",
            crate::domain::text::clean_line(typed)
        )));
    }
    Ok(())
}

/// Run a parsed command line; a failure carries its sentence and exit code.
pub fn run(cli: Cli) -> Outcome {
    // These work without a usable config file: `config` is how one finds out what is
    // wrong with it.
    match &cli.command {
        Some(Command::Config { json }) => {
            return conventions::config(cli.db.as_deref(), cli.user.as_deref(), *json);
        }
        Some(Command::Completions { shell }) => return conventions::completions(*shell),
        Some(Command::Man { dir }) => return conventions::man(dir.as_deref()),
        _ => {}
    }
    let config = Config::load()?;
    let at = cli
        .at
        .as_deref()
        .map(|t| typed_time("--at", t))
        .transpose()?;
    let cx = Context {
        config,
        config_dir: config_dir(),
        db: cli.db,
        user: staff_name(cli.user.as_deref()),
        at,
        at_typed: cli.at.clone(),
    };
    match cli.command {
        None if cli.demo => demo(&cx, false),
        None => board(cx.workshop()?),
        Some(Command::Demo { no_board }) => demo(&cx, no_board),
        Some(Command::Config { .. } | Command::Completions { .. } | Command::Man { .. }) => Ok(()),
        Some(Command::Init) => {
            let ws = cx.workshop()?;
            println!("{}", ws.store().path().display());
            Ok(())
        }
        Some(Command::Sales(SalesCommand::Import { file, skip_invalid })) => {
            import(&cx, &file, skip_invalid)
        }
        Some(Command::Warranty(w)) => {
            let imei = Imei::parse(&w.imei).map_err(|e| Failure::field("IMEI", e))?;
            let on = match &w.on {
                Some(d) => parse_date(d).map_err(|e| Failure::field("--on", e))?,
                None => local_date(cx.now()),
            };
            let ws = cx.workshop()?;
            let a = ws.store().assess(&imei, on, w.part.into())?;
            if w.json {
                print_json(&AssessmentJson::new(imei.as_str(), &a))
            } else {
                println!("{imei}: {} - {}", a.verdict, a.reason);
                if let (Some(s), Some(e)) = (a.starts_on, a.ends_on) {
                    println!("guarantee {s} to {e}");
                }
                Ok(())
            }
        }
        Some(Command::Open(args::OpenArgs {
            batch: Some(file),
            json,
            ..
        })) => open_batch(&cx, &file, json),
        Some(Command::Open(o)) => {
            let imei = Imei::parse(o.imei.as_deref().unwrap_or_default())
                .map_err(|e| Failure::field("--imei", e))?;
            let claimed_at = o
                .claimed_at
                .as_deref()
                .map(|t| typed_time("--claimed-at", t).map(|at| (at, t)))
                .transpose()?;
            let tracking_in = o
                .tracking_in
                .as_deref()
                .map(TrackingNumber::parse)
                .transpose()
                .map_err(|e| Failure::field("--tracking-in", e))?;
            let mut ws = cx.workshop()?;
            if let Some((at, typed)) = claimed_at {
                after_first_sale(&ws, "--claimed-at", typed, at)?;
            }
            let claimed_at = claimed_at.map_or_else(|| cx.now(), |(at, _)| at);
            let case = ws.open_case(NewCase {
                imei,
                fault: o.fault.unwrap_or_default(),
                part: Part::from(o.part),
                claimed_at,
                tracking_in,
                override_reason: o.override_reason,
            })?;
            if o.json {
                print_json(&CaseJson::new(
                    &ws.store().detail(case.id)?,
                    &ws.attachments_dir(),
                ))
            } else {
                println!("{}", case.rma);
                Ok(())
            }
        }
        Some(Command::Resellers { json }) => resellers(&cx, json),
        Some(Command::Receive { keys, tracking_in }) => {
            let tracking_in = tracking_in
                .as_deref()
                .map(TrackingNumber::parse)
                .transpose()
                .map_err(|e| Failure::field("--tracking-in", e))?;
            act(
                &cx,
                &keys,
                Change::Receive { tracking_in },
                MoveOptions::default(),
            )
        }
        Some(Command::Send {
            keys,
            manufacturer_ref,
        }) => act(
            &cx,
            &keys,
            Change::Send { manufacturer_ref },
            MoveOptions::default(),
        ),
        Some(Command::Inspect(i)) => {
            let change = if i.fail {
                Change::InspectFail {
                    note: i.note.clone().unwrap_or_default(),
                }
            } else {
                // A note given with --pass is kept as an ordinary note, written with the
                // inspection: both or neither.
                let note = i
                    .note
                    .as_deref()
                    .map(|note| {
                        crate::domain::text::required_text(
                            "note",
                            note,
                            crate::domain::text::MAX_NOTE,
                        )
                        .map_err(|e| Failure::field("--note", e))
                    })
                    .transpose()?;
                Change::InspectPass {
                    in_house: i.in_house,
                    note,
                }
            };
            act(&cx, &i.keys, change, MoveOptions::default())
        }
        Some(Command::Void { keys, reason, note }) => act(
            &cx,
            &keys,
            Change::Void {
                reason: reason.into(),
                note,
            },
            MoveOptions::default(),
        ),
        Some(Command::Ship {
            keys,
            tracking,
            reuse_tracking,
        }) => {
            let tracking = S10::parse(&tracking).map_err(|e| Failure::field("--tracking", e))?;
            if let Some(warning) = tracking.untracked_warning() {
                eprintln!("rmaboard: warning: {warning}");
            }
            act(
                &cx,
                &keys,
                Change::Ship { tracking },
                MoveOptions { reuse_tracking },
            )
        }
        Some(Command::Move { keys, to }) => act(
            &cx,
            &keys,
            Change::Move {
                to: Stage::from(to),
            },
            MoveOptions::default(),
        ),
        Some(Command::Undo { key }) => undo(&cx, &key),
        Some(Command::Note { key, text }) => add_note(&cx, &key, &text),
        Some(Command::Show { key, json }) => {
            let ws = cx.workshop()?;
            let store = ws.store();
            let case = store.find(&key)?;
            let detail = store.detail(case.id)?;
            let dir = ws.attachments_dir();
            if json {
                print_json(&CaseJson::new(&detail, &dir))
            } else {
                let attachments = output::human_attachments(&detail.attachments, &dir);
                print!("{}", output::human_detail(&detail, &attachments));
                Ok(())
            }
        }
        Some(Command::List {
            stage,
            customer,
            overdue,
            json,
        }) => {
            let ws = cx.workshop()?;
            let store = ws.store();
            let dir = ws.attachments_dir();
            let filter = ListFilter {
                stage: stage.map(Stage::from),
                customer: known_customer(store, customer)?,
                overdue: overdue.then(|| (cx.config.clocks, cx.now())),
            };
            if json {
                let mut all = Vec::new();
                store.for_each_case(filter, &mut |c| {
                    all.push(CaseJson::new(&store.detail(c.id)?, &dir));
                    Ok(())
                })?;
                print_json(&all)
            } else {
                let mut out = io::stdout().lock();
                store.for_each_case(filter, &mut |c| {
                    let _ = writeln!(out, "{}", output::human_line(&c));
                    Ok(())
                })?;
                Ok(())
            }
        }
        Some(Command::Export {
            format,
            out,
            bom,
            customer,
        }) => export(&cx, format, out.as_deref(), bom, customer),
        Some(Command::Report { from, to, json }) => {
            report::run(&cx.workshop()?, from.as_deref(), to.as_deref(), json)
        }
        #[cfg(feature = "bench")]
        Some(Command::Bench(b)) => bench::run(&cx, b),
        Some(Command::Backup { file }) => {
            let ws = cx.workshop()?;
            let spinner = progress_bar(None, "backing up");
            let done = ws.backup(&file);
            spinner.finish_and_clear();
            let attachments = done?;
            println!("{}", file.display());
            say_attachments(&attachments, "copied to", "already kept in");
            Ok(())
        }
        Some(Command::Restore { file, yes }) => {
            if !yes {
                return Err(Failure::new(format!(
                    "restoring replaces everything in {} with {}: add --yes to confirm",
                    cx.path()?.display(),
                    file.display()
                )));
            }
            match file.try_exists() {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Failure::new(format!(
                        "the backup {} does not exist: check the path",
                        file.display()
                    )));
                }
                Err(e) => {
                    return Err(Failure::new(format!(
                        "could not look at the backup {} ({}): check the path and that you may read its folder",
                        file.display(),
                        e.kind()
                    )));
                }
            }
            let unreadable = set_aside_if_unreadable(&cx.path()?, cx.now())?;
            let mut ws = cx.workshop()?;
            let bills_dir = ws.setup().bills_dir();
            let spinner = progress_bar(None, "restoring");
            let done = ws.store_mut().restore(&file, &bills_dir);
            spinner.finish_and_clear();
            let mut carried = done?;
            if unreadable.is_some() {
                carried.replaced_unreadable = unreadable;
            }
            println!(
                "restored {} from {}",
                ws.store().path().display(),
                file.display()
            );
            say_carried(&carried, &bills_dir);
            say_attachments(
                &ws.restore_attachments(&file)?,
                "copied back to",
                "already in",
            );
            Ok(())
        }
        Some(Command::Bill(b)) => paperwork::bill(&cx, b),
        Some(Command::Outbox(o)) => paperwork::outbox(&cx, o),
        Some(Command::Inbox(i)) => intake::inbox(&cx, i),
        Some(Command::Requests { open, json }) => intake::requests(&cx, open, json),
        Some(Command::Answer(a)) => intake::answer(&cx, a),
        Some(Command::Request { request, json }) => intake::show(&cx, &request, json),
        Some(Command::Doctor) => {
            // Look only: checking a backup must not change it.
            let path = cx.path()?;
            match path.try_exists() {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Failure::new(format!(
                        "there is no database at {}: check --db or RMABOARD_DB",
                        path.display()
                    )));
                }
                // A folder we may not enter hides whether the file is there.
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                    return Err(StoreError::NoAccess { path }.into());
                }
                Err(e) => {
                    return Err(Failure::new(format!(
                        "could not look at the database {} ({}): check --db or RMABOARD_DB",
                        path.display(),
                        e.kind()
                    )));
                }
            }
            let store = Store::open_read_only(&path)?;
            let check = store.checkup()?;
            print!("{}", check.report());
            let files = paperwork::check_files(
                &store,
                &cx.config.bills_dir(&path),
                &cx.config.attachments_dir(&path),
            )?;
            print!("{}", files.report());
            if !check.healthy() {
                Err(Failure::new(
                    "the database has problems (see above): restore the latest backup (see README, Backups)",
                ))
            } else if !files.healthy() {
                Err(Failure::new(
                    "the database is sound but files around it need attention (see above): write each missing bill with `rmaboard bill RMA`, and delete the temporary files named",
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// Before a restore: a database that cannot be read at all (damaged, or its header
/// overwritten) is renamed aside with its `-wal` rather than refused, so the backup can
/// take its place; the numbers it had issued are then read from the bills folder. Says
/// why it could not be read, or `None` when it can be.
fn set_aside_if_unreadable(db: &Path, now: DateTime<Utc>) -> Result<Option<String>, Failure> {
    let why = match Store::open(db) {
        Ok(_) => return Ok(None),
        Err(e @ (StoreError::Corrupt(_) | StoreError::NotOurs { .. })) => e.to_string(),
        Err(e) => return Err(e.into()),
    };
    let mut aside = db.as_os_str().to_os_string();
    aside.push(format!(".unreadable-{}", now.format("%Y%m%dT%H%M%SZ")));
    let aside = PathBuf::from(aside);
    std::fs::rename(db, &aside).map_err(|e| {
        Failure::new(format!(
            "{} cannot be read ({why}) and could not be moved aside to restore in its place ({e}): move it away yourself and run restore again",
            db.display()
        ))
    })?;
    let wal = crate::store::wal_path(db);
    if wal.exists() {
        let _ = std::fs::rename(&wal, crate::store::wal_path(&aside));
    }
    let mut shm = db.as_os_str().to_os_string();
    shm.push("-shm");
    let _ = std::fs::remove_file(PathBuf::from(shm));
    eprintln!(
        "rmaboard: warning: {} cannot be read ({}); it was moved to {} and the backup takes its place",
        db.display(),
        crate::domain::text::clean_line(&why),
        aside.display()
    );
    Ok(Some(why))
}

/// Tell what a restore carried forward from the database it replaced.
/// What a backup or restore did with the attachments: a line when there are any, a
/// warning naming those found in neither folder.
fn say_attachments(done: &crate::workshop::backup::FilesCopied, copied: &str, present: &str) {
    use crate::domain::text::count;
    let folder = done.folder.display();
    match (done.copied, done.present) {
        (0, 0) => {}
        (0, p) => println!("{} {present} {folder}", count(p as u64, "attachment")),
        (c, 0) => println!("{} {copied} {folder}", count(c as u64, "attachment")),
        (c, p) => println!(
            "{} {copied} {folder}, {p} {present} it",
            count(c as u64, "attachment")
        ),
    }
    if !done.missing.is_empty() {
        eprintln!(
            "rmaboard: warning: {} named by the database {} in neither folder, so not copied: {} (`rmaboard doctor` checks the attachments folder)",
            count(done.missing.len() as u64, "attachment"),
            if done.missing.len() == 1 { "is" } else { "are" },
            crate::domain::text::clean_line(&done.missing.join(", "))
        );
    }
}

fn say_carried(carried: &crate::store::Carried, bills_dir: &Path) {
    if let Some(why) = &carried.replaced_unreadable {
        eprintln!(
            "rmaboard: warning: the replaced database could not be read ({}): the numbers were carried forward from the bill files in {} only; check `rmaboard outbox list` before sending",
            crate::domain::text::clean_line(why),
            bills_dir.display()
        );
    }
    for rma in &carried.rma {
        println!(
            "RMA numbers of {} continue after {rma}, as issued before the restore",
            rma.year
        );
    }
    if let Some(n) = carried.bill {
        println!("bill numbers continue after B-{n:06}, as issued before the restore");
    }
    if let Some(n) = carried.message {
        println!("message ids continue after {n}, as used before the restore");
    }
    if carried.messages_kept > 0 {
        println!(
            "{} sent, dropped or being sent before the restore keep that state and are not sent again",
            crate::domain::text::count(carried.messages_kept, "message")
        );
    }
}

/// Resolve the KEYs, then apply the change to each case on the version just read, all in
/// one transaction: if any case is refused, or anyone else wrote to one in between,
/// nothing is saved and each refused case is named.
fn act(cx: &Context, keys: &[String], change: Change, options: MoveOptions) -> Outcome {
    let mut ws = cx.workshop()?;
    let mut steps: Vec<Step> = Vec::with_capacity(keys.len());
    let mut named: Vec<(&str, crate::domain::RmaNumber)> = Vec::new();
    let mut refused = Vec::new();
    for key in keys {
        match ws.find(key) {
            Ok(seen) => {
                if let Some((first, _)) = named.iter().find(|(_, rma)| *rma == seen.rma) {
                    refused.push(StoreError::Refused(format!(
                        "{first} and {} both name {}; a case moves once per command: name it once",
                        crate::domain::text::clean_line(key),
                        seen.rma
                    )));
                    continue;
                }
                named.push((key, seen.rma));
                steps.push(Step {
                    id: seen.id,
                    version: seen.version,
                    change: change.clone(),
                });
            }
            Err(e) if e.is_refusal() => refused.push(e),
            Err(e) => return Err(e.into()),
        }
    }
    if !refused.is_empty() {
        return Err(match (keys.len(), refused.len()) {
            (1, 1) => refused.remove(0),
            (total, _) => StoreError::Several { refused, total },
        }
        .into());
    }
    let done = ws.apply_many(steps, options)?;
    for (before, after) in &done.moved {
        println!("{}", summary(before, after));
    }
    for bill in &done.bills {
        // Said of the parcel's first device, as its bill is named.
        let first = bill.bill().items.first().map(|i| i.case_id);
        let mut shipped = done.moved.iter().map(|(_, after)| after);
        if let Some(case) = shipped.find(|c| Some(c.id) == first) {
            paperwork::say_bill(case, bill);
        }
    }
    Ok(())
}

/// `open --batch FILE`: one case per line of a reseller's request file, all or nothing,
/// through the same workshop verb as the board's.
fn open_batch(cx: &Context, file: &Path, json: bool) -> Outcome {
    let warn_ignored = |columns: &[String]| {
        if !columns.is_empty() {
            eprintln!(
                "rmaboard: ignoring the column(s) {}",
                crate::import::describe_ignored(columns)
            );
        }
    };
    let mut ws = cx.workshop()?;
    let done = match ws.open_batch_file(file) {
        Ok(done) => done,
        Err(refused) => {
            if let BatchRefused::Rows {
                rows,
                ignored_columns,
            } = &refused
            {
                warn_ignored(ignored_columns);
                return Err(Failure {
                    message: refused
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .into(),
                    code: 1,
                    details: rows
                        .iter()
                        .map(|p| format!("line {}: {}", p.line, p.message))
                        .collect(),
                });
            }
            return Err(match refused {
                BatchRefused::Store(e) => e.into(),
                other => Failure::new(other.to_string()),
            });
        }
    };
    warn_ignored(&done.ignored_columns);
    if json {
        let all = done
            .opened
            .iter()
            .map(|c| ws.store().detail(c.id))
            .collect::<Result<Vec<_>, _>>()?;
        let dir = ws.attachments_dir();
        print_json(
            &all.iter()
                .map(|d| CaseJson::new(d, &dir))
                .collect::<Vec<_>>(),
        )
    } else {
        let mut out = io::stdout().lock();
        for case in &done.opened {
            let _ = writeln!(out, "{}", case.rma);
        }
        Ok(())
    }
}

/// `resellers`: every customer number of the sales registry with how its cases stand.
fn resellers(cx: &Context, json: bool) -> Outcome {
    let ws = cx.workshop()?;
    let all = ws.resellers()?;
    if json {
        return print_json(
            &all.iter()
                .map(output::ResellerJson::new)
                .collect::<Vec<_>>(),
        );
    }
    let mut out = io::stdout().lock();
    let _ = write!(out, "{}", output::resellers_table(&all));
    Ok(())
}

/// A `--customer` filter, refused with a sentence when the registry has no such number.
fn known_customer(store: &Store, customer: Option<String>) -> Result<Option<String>, Failure> {
    let Some(number) = customer else {
        return Ok(None);
    };
    let number = number.trim().to_string();
    if !store.is_customer(&number)? {
        return Err(Failure::new(format!(
            "the sales registry has no customer number {}: see `rmaboard resellers`",
            crate::domain::text::clean_line(&number)
        )));
    }
    Ok(Some(number))
}

fn summary(before: &Case, after: &Case) -> String {
    if before.stage == after.stage {
        format!("{}: {} (still {})", after.rma, describe(after), after.stage)
    } else {
        format!("{}: {} -> {}", after.rma, before.stage, after.stage)
    }
}

fn describe(c: &Case) -> String {
    match c.stage {
        Stage::AtManufacturer => format!("round {} at the manufacturer", c.rounds),
        _ => "updated".into(),
    }
}

/// Undo the user's own last move on a case, as the board's `u` does. A move of several
/// cases in one command (a parcel, say) is undone as it was done: all its cases, in one
/// transaction.
fn undo(cx: &Context, key: &str) -> Outcome {
    let mut ws = cx.workshop()?;
    let seen = ws.find(key)?;
    let group = match ws.own_last_moves(Some(seen.id)) {
        Ok(group) if group.is_empty() => {
            return Err(Failure::new(format!(
                "you have no move of your own on {} left to undo: nothing was changed",
                seen.rma
            )));
        }
        Ok(group) => group,
        Err(UndoRefused::ChangedSince(sentence)) => return Err(Failure::new(sentence)),
        Err(UndoRefused::Store(e)) => return Err(e.into()),
    };
    let steps = group
        .iter()
        .map(|(last, case)| Step {
            id: case.id,
            version: case.version,
            change: last.undo(),
        })
        .collect();
    let done = ws.apply_many(steps, MoveOptions::default())?;
    for (before, after) in &done.moved {
        println!("{}", summary(before, after));
    }
    for bill in &done.bills {
        let first = bill.bill().items.first().map(|i| i.case_id);
        if let Some((_, case)) = done.moved.iter().find(|(_, c)| Some(c.id) == first) {
            paperwork::say_bill(case, bill);
        }
    }
    Ok(())
}

fn add_note(cx: &Context, key: &str, text: &str) -> Outcome {
    let mut ws = cx.workshop()?;
    let case = ws.find(key)?;
    let case = ws.add_note(case.id, text)?;
    println!("{}: note added", case.rma);
    Ok(())
}

fn print_json<T: serde::Serialize>(value: &T) -> Outcome {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| Failure::new(format!("could not write the output: {e}")))?;
    let _ = writeln!(out);
    Ok(())
}

fn progress_bar(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let Some(n) = len else {
        // Work of unknown length (a backup is copied in one step): a spinner and the time.
        let spinner = indicatif::ProgressBar::new_spinner();
        if let Ok(style) =
            indicatif::ProgressStyle::with_template(&format!("{{spinner}} {what}… {{elapsed}}"))
        {
            spinner.set_style(style);
        }
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        return spinner;
    };
    let bar = indicatif::ProgressBar::new(n);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{what} {{bar:40}} {{percent:>3}}% {{msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn import(cx: &Context, file: &Path, skip_invalid: bool) -> Outcome {
    let mut ws = cx.workshop()?;
    let store = ws.store_mut();
    let bar = progress_bar(file.metadata().map(|m| m.len()).ok(), "importing");
    let summary = crate::import::import_file(
        store,
        file,
        local_date(cx.now()),
        skip_invalid,
        &mut |ignored| {
            if !ignored.is_empty() {
                eprintln!(
                    "rmaboard: ignoring the column(s) {}",
                    crate::import::describe_ignored(ignored)
                );
            }
        },
        &mut |read, _| bar.set_position(read),
    )
    .map_err(|e| Failure::new(e.to_string()))?;
    bar.finish_and_clear();
    for p in &summary.rejected {
        eprintln!(
            "line {}: {}",
            p.line,
            crate::domain::text::clean_line(&p.message)
        );
    }
    println!(
        "imported {}, unchanged {}, rejected {}",
        summary.imported,
        summary.unchanged,
        summary.rejected.len()
    );
    if summary.committed {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "{}, so nothing was imported: fix {}, or import the good rows with --skip-invalid",
            crate::domain::text::count(summary.rejected.len() as u64, "bad row"),
            if summary.rejected.len() == 1 {
                "it"
            } else {
                "them"
            }
        )))
    }
}

fn export(
    cx: &Context,
    format: ExportFormat,
    out: Option<&Path>,
    bom: bool,
    customer: Option<String>,
) -> Outcome {
    if bom && matches!(format, ExportFormat::Json) {
        return Err(Failure {
            message: "--bom is for CSV only (JSON is read as UTF-8 without one): drop --bom, or use --format csv".into(),
            code: 2,
            details: Vec::new(),
        });
    }
    let ws = cx.workshop()?;
    let store = ws.store();
    let filter = ListFilter {
        customer: known_customer(store, customer)?,
        ..ListFilter::default()
    };
    let dir = ws.attachments_dir();
    let write_err =
        |e: &dyn std::fmt::Display| Failure::new(format!("could not write the export: {e}"));
    // A file is written beside its target and renamed into place when complete: a
    // link planted at the target is replaced, never followed, and a failed export (a
    // full disk) leaves nothing behind.
    let mut file = match out {
        Some(p) => {
            files::remove_stale(files::folder_of(p), files::Kind::Export);
            Some(
                files::temp_beside(p, files::Kind::Export)
                    .map_err(|e| Failure::new(format!("could not create {}: {e}", p.display())))?,
            )
        }
        None => None,
    };
    let sink: Box<dyn Write + '_> = match file.as_mut() {
        Some(tmp) => Box::new(tmp.as_file_mut()),
        None => Box::new(io::stdout().lock()),
    };
    let mut sink = BufWriter::new(sink);
    let total: u64 = match &filter.customer {
        None => store.stage_counts()?.iter().sum(),
        Some(_) => 0,
    };
    let bar = progress_bar(out.filter(|_| total > 0).map(|_| total), "exporting");
    match format {
        ExportFormat::Csv => {
            if bom {
                sink.write_all("\u{feff}".as_bytes())
                    .map_err(|e| write_err(&e))?;
            }
            let mut w = csv::Writer::from_writer(&mut sink);
            w.write_record(output::CSV_HEADER)
                .map_err(|e| write_err(&e))?;
            let mut failed = None;
            store.for_each_case(filter.clone(), &mut |c| {
                let notes = store.notes(c.id)?.len();
                if let Err(e) = w.write_record(output::csv_row(&c, notes)) {
                    failed.get_or_insert(e);
                }
                bar.inc(1);
                Ok(())
            })?;
            if let Some(e) = failed {
                return Err(write_err(&e));
            }
            w.flush().map_err(|e| write_err(&e))?;
        }
        ExportFormat::Json => {
            // Streamed as an array so a large store need not fit in memory.
            let mut first = true;
            let mut failed: Option<String> = None;
            sink.write_all(b"[\n").map_err(|e| write_err(&e))?;
            store.for_each_case(filter.clone(), &mut |c| {
                let detail = store.detail(c.id)?;
                let sep: &[u8] = if first { b"" } else { b",\n" };
                first = false;
                let r = sink
                    .write_all(sep)
                    .map_err(|e| e.to_string())
                    .and_then(|()| {
                        serde_json::to_writer(&mut sink, &CaseJson::new(&detail, &dir))
                            .map_err(|e| e.to_string())
                    });
                if let Err(e) = r {
                    failed.get_or_insert(e);
                }
                bar.inc(1);
                Ok(())
            })?;
            if let Some(e) = failed {
                return Err(write_err(&e));
            }
            sink.write_all(b"\n]\n").map_err(|e| write_err(&e))?;
        }
    }
    bar.finish_and_clear();
    sink.flush().map_err(|e| write_err(&e))?;
    drop(sink);
    if let (Some(tmp), Some(p)) = (file, out) {
        files::persist(tmp, p, true)
            .map_err(|e| Failure::new(format!("could not write {}: {e}", p.display())))?;
    }
    Ok(())
}

fn board(ws: Workshop) -> Outcome {
    crate::tui::run(ws).map_err(|e| Failure::new(format!("{e:#}")))
}

fn demo(cx: &Context, no_board: bool) -> Outcome {
    let (path, _keep) = match &cx.db {
        Some(p) => (p.clone(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("rmaboard-demo-")
                .tempdir()
                .map_err(|e| Failure::new(format!("could not make a temporary folder: {e}")))?;
            (dir.path().join("demo.sqlite"), Some(dir))
        }
    };
    let mut setup = cx.setup_on(path.clone());
    setup.config = crate::demo::shop_config(setup.config);
    let mut ws = cx.workshop_on(setup)?;
    let settings = ws.paperwork().clone();
    let made = crate::demo::fill(ws.store_mut(), &settings, cx.now())?;
    let requests = crate::demo::fill_requests(&mut ws, cx.now())?;
    eprintln!(
        "rmaboard: demo database {} with {}, {} and {} from customers' mail",
        path.display(),
        crate::domain::text::count(made.sales as u64, "sale"),
        crate::domain::text::count(made.cases as u64, "case"),
        crate::domain::text::count(requests, "request")
    );
    if no_board {
        println!("{}", path.display());
        // Keep the temporary database when only filling it.
        if let Some(dir) = _keep {
            let _ = dir.keep();
        }
        return Ok(());
    }
    board(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(rma: &str) -> StoreError {
        StoreError::Conflict {
            rma: rma.into(),
            by: "ben".into(),
            at: "2026-05-04 09:00".into(),
            stage: "received".into(),
        }
    }

    /// A command on several cases says each refusal on its own line, then what became of
    /// the command; exit 3 only when retrying can help (every case was merely changed).
    #[test]
    fn several_refusals_are_one_line_each_with_the_right_exit_code() {
        let all_changed = Failure::from(StoreError::Several {
            refused: vec![changed("RMA-2026-00001"), changed("RMA-2026-00003")],
            total: 3,
        });
        assert_eq!(all_changed.code, 3);
        assert_eq!(all_changed.details.len(), 2);
        assert!(all_changed.details[1].starts_with("RMA-2026-00003 was changed by ben"));
        assert!(
            all_changed
                .message
                .starts_with("2 of 3 cases were changed by someone else"),
            "{}",
            all_changed.message
        );
        let mixed = Failure::from(StoreError::Several {
            refused: vec![
                changed("RMA-2026-00001"),
                StoreError::NotFound("RMA-2026-00099".into()),
            ],
            total: 2,
        });
        assert_eq!(mixed.code, 1);
        assert!(
            mixed.details[1].contains("`rmaboard list`"),
            "{:?}",
            mixed.details
        );
        assert!(
            mixed.message.contains("nothing was saved"),
            "{}",
            mixed.message
        );
    }
}

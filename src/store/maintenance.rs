//! Keeping the database healthy: online backups, restore, and the doctor's checks.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OptionalExtension, params};

use super::{BUSY_TIMEOUT_SECS, Result, Store, StoreError};
use crate::domain::{EventField, RmaNumber, Stage};
use crate::files::{self, Kind};
use crate::paperwork::Bill;

/// What `rmaboard doctor` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkup {
    /// The database file checked.
    pub path: PathBuf,
    /// Its schema version.
    pub schema_version: i64,
    /// What SQLite's integrity check said: `["ok"]` when sound.
    pub integrity: Vec<String>,
    /// Rows pointing at rows that do not exist.
    pub foreign_key_problems: u64,
    /// Cases whose latest stage event does not lead to their current stage.
    pub history_mismatches: Vec<String>,
    /// Devices with more than one case not yet shipped ("IMEI: RMA, RMA"), which this
    /// version refuses but an older database may hold.
    pub doubled_devices: Vec<String>,
    /// Sales in the registry.
    pub sales: u64,
    /// Cases per stage, in flow order.
    pub cases: [u64; 5],
    /// Repair notes.
    pub notes: u64,
    /// Events in the log.
    pub events: u64,
    /// The database file's size, in bytes.
    pub size_bytes: u64,
    /// The write-ahead log's size, in bytes.
    pub wal_bytes: u64,
    /// SQLite's journal mode (`wal` when all is well).
    pub journal_mode: String,
}

impl Checkup {
    /// Whether nothing needs fixing.
    pub fn healthy(&self) -> bool {
        self.integrity == ["ok"]
            && self.foreign_key_problems == 0
            && self.history_mismatches.is_empty()
            && self.doubled_devices.is_empty()
    }

    /// The checkup as lines for the terminal.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<23}{v}\n"));
        line("database", self.path.display().to_string());
        line("schema version", self.schema_version.to_string());
        line("journal", self.journal_mode.clone());
        line("size", format!("{} bytes", self.size_bytes));
        line("wal size", format!("{} bytes", self.wal_bytes));
        line("sales", self.sales.to_string());
        for (stage, n) in Stage::ALL.iter().zip(self.cases) {
            line(&format!("cases {stage}"), n.to_string());
        }
        line("notes", self.notes.to_string());
        line("events", self.events.to_string());
        line("integrity", self.integrity.join("; "));
        line(
            "foreign keys",
            match self.foreign_key_problems {
                0 => "ok".to_string(),
                n => format!("{n} broken references"),
            },
        );
        line(
            "history",
            if self.history_mismatches.is_empty() {
                "ok: every case's log leads to its stage".to_string()
            } else {
                format!(
                    "does not match the stage of {}",
                    self.history_mismatches.join(", ")
                )
            },
        );
        line(
            "open cases",
            if self.doubled_devices.is_empty() {
                "ok: no device has two cases not yet shipped".to_string()
            } else {
                format!(
                    "these devices have more than one case not yet shipped, so their IMEI names no single case (ship all but one of each): {}",
                    self.doubled_devices.join("; ")
                )
            },
        );
        out
    }
}

/// Sidecar files of a WAL database.
pub fn wal_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_os_string();
    s.push("-wal");
    PathBuf::from(s)
}

fn copy_all(from: &Connection, to: &mut Connection) -> Result<()> {
    let started = Instant::now();
    let backup = Backup::new(from, to)?;
    loop {
        // All pages in one step: in WAL mode this reads one consistent snapshot while
        // others keep writing, and never restarts.
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked => {
                if started.elapsed() > Duration::from_secs(BUSY_TIMEOUT_SECS) {
                    return Err(StoreError::Busy(BUSY_TIMEOUT_SECS));
                }
                thread::sleep(Duration::from_millis(50));
            }
            _ => thread::sleep(Duration::from_millis(50)),
        }
    }
}

impl Store {
    /// A consistent copy of the database at `to`, made while others keep working. The
    /// copy is written beside `to` and renamed into place, so `to` is never half-written.
    pub fn backup(&self, to: &Path) -> Result<()> {
        let io = |e: std::io::Error| StoreError::io_writing_backup(&e, to);
        // What earlier runs that were killed left here (the copy and its journal).
        files::remove_stale(files::folder_of(to), Kind::Backup);
        let tmp = files::temp_beside(to, Kind::Backup).map_err(io)?;
        (|| -> Result<()> {
            let mut dst = Connection::open(tmp.path())?;
            copy_all(&self.conn, &mut dst)?;
            // A backup is a single self-contained file.
            let _: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
            Ok(())
        })()
        .map_err(|e| e.writing_backup(to))?;
        files::persist(tmp, to, true).map_err(io)?;
        Ok(())
    }

    /// Replace the whole database with the backup at `from`, after checking the backup.
    /// Other users' boards see the change as any other write.
    ///
    /// What the replaced database had issued is carried forward, so nothing is issued or
    /// sent twice: the last RMA number of each year, bill number and message id (also
    /// read from the PDF names in `bills_dir`, which outlive any database), and the
    /// state of every message it had sent, dropped or was sending. The backup is
    /// brought up to date in a temporary copy beside the database first, so others see
    /// the restored state in one step.
    pub fn restore(&mut self, from: &Path, bills_dir: &Path) -> Result<Carried> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let src = Store::open_read_only(from).map_err(|e| e.of_backup(from))?;
        let check = src.checkup().map_err(|e| e.of_backup(from))?;
        if !check.healthy() {
            return Err(StoreError::BadBackup {
                path: from.to_path_buf(),
                reason: format!("it fails its checks: {}", check.integrity.join("; ")),
            });
        }
        let mut marks = Marks::from_bills_dir(bills_dir);
        let unreadable = match Marks::from_database(&self.conn) {
            Ok(m) => {
                marks.merge(m);
                None
            }
            Err(e) => Some(e.to_string()),
        };

        let io = |source| StoreError::Io {
            action: "restore",
            path: self.path.clone(),
            source,
        };
        let dir = files::folder_of(&self.path);
        files::remove_stale(dir, Kind::Restore);
        let tmp = tempfile::Builder::new()
            .prefix(Kind::Restore.prefix())
            .tempfile_in(dir)
            .map_err(io)?;
        let mut carried = {
            let mut staged = Store {
                conn: Connection::open(tmp.path())?,
                path: tmp.path().to_path_buf(),
                read_only: false,
                gate: None,
            };
            copy_all(&src.conn, &mut staged.conn)?;
            staged.migrate()?;
            let carried = marks.apply(&mut staged)?;
            copy_all(&staged.conn, &mut self.conn)?;
            carried
        };
        drop(tmp);
        carried.replaced_unreadable = unreadable;
        // Keep WAL for the live file whatever the backup's journal mode was.
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        Ok(carried)
    }

    /// Integrity, foreign keys, history and counts, without changing anything.
    pub fn checkup(&self) -> Result<Checkup> {
        let conn = &self.conn;
        let mut integrity = Vec::new();
        {
            let mut stmt = conn.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for r in rows {
                integrity.push(r?);
            }
        }
        let count = |sql: &str| -> Result<u64> {
            Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))?.max(0) as u64)
        };
        let foreign_key_problems = {
            let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
            let mut rows = stmt.query([])?;
            let mut n = 0u64;
            while rows.next()?.is_some() {
                n += 1;
            }
            n
        };
        let mut history_mismatches = Vec::new();
        {
            let mut stmt = conn.prepare(
                "SELECT c.rma FROM cases c
                 WHERE c.stage IS NOT (SELECT e.to_value FROM events e
                                       WHERE e.case_id = c.id AND e.field = ?1
                                       ORDER BY e.id DESC LIMIT 1)
                 ORDER BY c.id LIMIT 20",
            )?;
            let rows = stmt.query_map([EventField::Stage.as_str()], |r| r.get::<_, String>(0))?;
            for r in rows {
                history_mismatches.push(r?);
            }
        }
        let mut doubled_devices = Vec::new();
        {
            let mut stmt = conn.prepare(
                "SELECT imei, group_concat(rma, ', ') FROM
                   (SELECT imei, rma FROM cases WHERE stage <> 'shipped' ORDER BY id)
                 GROUP BY imei HAVING count(*) > 1 ORDER BY imei LIMIT 20",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "{}: {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            })?;
            for r in rows {
                doubled_devices.push(r?);
            }
        }
        let journal_mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let size_bytes = fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        let wal_bytes = fs::metadata(wal_path(&self.path))
            .map(|m| m.len())
            .unwrap_or(0);
        Ok(Checkup {
            path: self.path.clone(),
            schema_version: self.schema_version()?,
            integrity,
            foreign_key_problems,
            history_mismatches,
            doubled_devices,
            sales: count("SELECT count(*) FROM sales")?,
            cases: self.stage_counts()?,
            notes: count("SELECT count(*) FROM notes")?,
            events: count("SELECT count(*) FROM events")?,
            size_bytes,
            wal_bytes,
            journal_mode,
        })
    }
}

/// What a restore carried forward from the database it replaced (and the bills folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// The last RMA number issued in each year, where the backup had issued fewer.
    pub rma: Vec<RmaNumber>,
    /// The last bill number issued, where the backup had issued fewer.
    pub bill: Option<i64>,
    /// The last message id used, where the backup had used fewer.
    pub message: Option<i64>,
    /// Messages waiting in the backup that the replaced database had sent, dropped or
    /// was sending: they keep that state and are not sent again.
    pub messages_kept: u64,
    /// Why the replaced database could not be read (only the bills folder was).
    pub replaced_unreadable: Option<String>,
}

/// A message's state in the replaced database, to carry over to the same message in
/// the backup.
#[derive(Debug, Clone)]
struct MessageState {
    id: i64,
    case_id: i64,
    kind: String,
    created_at: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    claimed_by: Option<String>,
    claimed_at: Option<String>,
    sent_at: Option<String>,
    sent_via: Option<String>,
    dropped_by: Option<String>,
    dropped_at: Option<String>,
    drop_reason: Option<String>,
}

/// The highest numbers issued, and the messages that left, in a database or a folder.
#[derive(Debug, Default)]
struct Marks {
    rma: BTreeMap<i32, u32>,
    bill: i64,
    message: i64,
    messages: Vec<MessageState>,
}

impl Marks {
    /// The numbers in the names of the bill PDFs (`B-000042-RMA-2026-00042.pdf`).
    fn from_bills_dir(dir: &Path) -> Marks {
        let mut marks = Marks::default();
        let Ok(entries) = fs::read_dir(dir) else {
            return marks;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some((number, rma)) = Bill::parse_file_name(&name.to_string_lossy())
                .and_then(|(n, rma)| Some((n, RmaNumber::parse(rma).ok()?)))
            else {
                continue;
            };
            marks.bill = marks.bill.max(number);
            marks.note_rma(rma);
        }
        marks
    }

    fn from_database(conn: &Connection) -> Result<Marks> {
        let mut marks = Marks::default();
        {
            let mut stmt = conn.prepare("SELECT year, last_seq FROM rma_counters")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, u32>(1)?)))?;
            for r in rows {
                let (year, seq) = r?;
                marks.note_rma(RmaNumber::new(year, seq));
            }
        }
        marks.bill = conn.query_row(
            "SELECT max(coalesce((SELECT max(number) FROM bills), 0),
                        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'bills'), 0))",
            [],
            |r| r.get(0),
        )?;
        marks.message =
            conn.query_row("SELECT coalesce(max(id), 0) FROM outbox", [], |r| r.get(0))?;
        // An earlier restore's mark, if this database has one.
        let earlier: Option<i64> = conn
            .query_row(
                "SELECT value FROM high_water WHERE name = 'outbox'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap_or(None);
        marks.message = marks.message.max(earlier.unwrap_or(0));
        let mut stmt = conn.prepare(
            "SELECT id, case_id, kind, created_at, status, attempts, last_error, claimed_by,
                    claimed_at, sent_at, sent_via, dropped_by, dropped_at, drop_reason
             FROM outbox WHERE status <> 'pending'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(MessageState {
                id: r.get(0)?,
                case_id: r.get(1)?,
                kind: r.get(2)?,
                created_at: r.get(3)?,
                status: r.get(4)?,
                attempts: r.get(5)?,
                last_error: r.get(6)?,
                claimed_by: r.get(7)?,
                claimed_at: r.get(8)?,
                sent_at: r.get(9)?,
                sent_via: r.get(10)?,
                dropped_by: r.get(11)?,
                dropped_at: r.get(12)?,
                drop_reason: r.get(13)?,
            })
        })?;
        for r in rows {
            marks.messages.push(r?);
        }
        Ok(marks)
    }

    fn note_rma(&mut self, rma: RmaNumber) {
        let seq = self.rma.entry(rma.year).or_insert(0);
        *seq = (*seq).max(rma.seq);
    }

    fn merge(&mut self, other: Marks) {
        for (year, seq) in other.rma {
            self.note_rma(RmaNumber::new(year, seq));
        }
        self.bill = self.bill.max(other.bill);
        self.message = self.message.max(other.message);
        self.messages.extend(other.messages);
    }

    /// Raise the restored database's counters to these marks and give its messages the
    /// state they had; what was carried.
    fn apply(&self, store: &mut Store) -> Result<Carried> {
        let tx = store.write()?;
        let mut carried = Carried::default();
        for (&year, &seq) in &self.rma {
            let had: Option<u32> = tx
                .query_row(
                    "SELECT last_seq FROM rma_counters WHERE year = ?1",
                    [year],
                    |r| r.get(0),
                )
                .optional()?;
            if had.is_none_or(|had| had < seq) {
                tx.execute(
                    "INSERT INTO rma_counters (year, last_seq) VALUES (?1, ?2)
                     ON CONFLICT (year) DO UPDATE SET last_seq = excluded.last_seq",
                    params![year, seq],
                )?;
                carried.rma.push(RmaNumber::new(year, seq));
            }
        }
        let bills: i64 = tx.query_row(
            "SELECT max(coalesce((SELECT max(number) FROM bills), 0),
                        coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'bills'), 0))",
            [],
            |r| r.get(0),
        )?;
        if self.bill > bills {
            tx.execute("DELETE FROM sqlite_sequence WHERE name = 'bills'", [])?;
            tx.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('bills', ?1)",
                [self.bill],
            )?;
            carried.bill = Some(self.bill);
        }
        let messages: i64 = tx.query_row(
            "SELECT max(coalesce((SELECT max(id) FROM outbox), 0),
                        coalesce((SELECT value FROM high_water WHERE name = 'outbox'), 0))",
            [],
            |r| r.get(0),
        )?;
        if self.message > messages {
            tx.execute(
                "INSERT INTO high_water (name, value) VALUES ('outbox', ?1)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [self.message],
            )?;
            carried.message = Some(self.message);
        }
        for m in &self.messages {
            // The same message: same id, case, kind and moment it was drafted.
            carried.messages_kept += tx.execute(
                "UPDATE outbox SET status = ?5, attempts = ?6, last_error = ?7, claimed_by = ?8,
                    claimed_at = ?9, sent_at = ?10, sent_via = ?11, dropped_by = ?12,
                    dropped_at = ?13, drop_reason = ?14
                 WHERE id = ?1 AND case_id = ?2 AND kind = ?3 AND created_at = ?4
                   AND status IN ('pending', 'sending') AND status <> ?5",
                params![
                    m.id,
                    m.case_id,
                    m.kind,
                    m.created_at,
                    m.status,
                    m.attempts,
                    m.last_error,
                    m.claimed_by,
                    m.claimed_at,
                    m.sent_at,
                    m.sent_via,
                    m.dropped_by,
                    m.dropped_at,
                    m.drop_reason,
                ],
            )? as u64;
        }
        tx.commit()?;
        Ok(carried)
    }
}

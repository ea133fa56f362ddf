//! Keeping the database healthy: online backups, restore, and the doctor's checks.

use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::{BUSY_TIMEOUT_SECS, Result, Store, StoreError};
use crate::domain::{EventField, Stage};
use crate::files::{self, Kind};

/// What `rmaboard doctor` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkup {
    pub path: PathBuf,
    pub schema_version: i64,
    pub integrity: Vec<String>,
    pub foreign_key_problems: u64,
    /// Cases whose latest stage event does not lead to their current stage.
    pub history_mismatches: Vec<String>,
    /// Devices with more than one case not yet shipped ("IMEI: RMA, RMA"), which this
    /// version refuses but an older database may hold.
    pub doubled_devices: Vec<String>,
    pub sales: u64,
    pub cases: [u64; 5],
    pub notes: u64,
    pub events: u64,
    pub size_bytes: u64,
    pub wal_bytes: u64,
    pub journal_mode: String,
}

impl Checkup {
    pub fn healthy(&self) -> bool {
        self.integrity == ["ok"]
            && self.foreign_key_problems == 0
            && self.history_mismatches.is_empty()
            && self.doubled_devices.is_empty()
    }

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
        let io = |action, source| StoreError::Io {
            action,
            path: to.to_path_buf(),
            source,
        };
        // What earlier runs that were killed left here (the copy and its journal).
        files::remove_stale(files::folder_of(to), Kind::Backup);
        let tmp = files::temp_beside(to, Kind::Backup).map_err(|e| io("write the backup", e))?;
        {
            let mut dst = Connection::open(tmp.path())?;
            copy_all(&self.conn, &mut dst)?;
            // A backup is a single self-contained file.
            let _: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        }
        files::persist(tmp, to, true).map_err(|e| io("write the backup", e))?;
        Ok(())
    }

    /// Replace the whole database with the backup at `from`, after checking the backup.
    /// Other users' boards see the change as any other write.
    pub fn restore(&mut self, from: &Path) -> Result<()> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let src = Store::open_read_only(from)?;
        let check = src.checkup()?;
        if !check.healthy() {
            return Err(StoreError::Corrupt(format!(
                "the backup {} fails its checks: {}",
                from.display(),
                check.integrity.join("; ")
            )));
        }
        copy_all(&src.conn, &mut self.conn)?;
        // Keep WAL for the live file whatever the backup's journal mode was.
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        Ok(())
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

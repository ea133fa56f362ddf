//! SQLite storage: opening (pragmas), versioned migrations, and the queries the CLI and
//! the board use. Returns domain types.
//!
//! Several processes share one file: WAL journal, a busy timeout, and `BEGIN IMMEDIATE`
//! for every transaction that writes. Every write that changes a case checks the version
//! the writer read, so no update is lost.

mod board;
mod cases;
mod error;
mod filter;
mod maintenance;
mod many;
mod migrate;
mod paperwork;
mod report;
mod requests;
mod resellers;
mod rows;
mod sales;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use cases::{
    Applied, AppliedMany, ChangedSince, ListFilter, MoveOptions, NewCase, OpenSummary, OwnMove,
    PaneQuery, Step,
};
pub use error::{BUSY_TIMEOUT_SECS, StoreError};
pub use filter::{ResellerCounts, ResellerOnBoard};
pub use maintenance::{Carried, Checkup, wal_path};

pub use migrate::SCHEMA_VERSION;
pub use requests::{Confirmation, Confirmed, Reply, SaveAttachment};
pub use resellers::{Reseller, SHIPPED_DAYS};
pub use sales::{ImportSummary, RowProblem};

/// The store's result: a [`StoreError`] says what went wrong.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Shared between a connection that waits for the write lock and whoever watches it:
/// the watcher can see that it waits, and cancel the wait.
#[derive(Debug, Default)]
pub struct WriteGate {
    cancel: AtomicBool,
    waiting: AtomicBool,
}

impl WriteGate {
    /// Stop waiting: the write under way fails as busy, nothing is saved.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Ready for the next write.
    pub fn reset(&self) {
        self.cancel.store(false, Ordering::Relaxed);
        self.waiting.store(false, Ordering::Relaxed);
    }

    /// Whether the user asked to stop waiting.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// True while the connection waits for another's write lock.
    pub fn is_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed)
    }
}

/// Marks the file as ours (`PRAGMA application_id`, "RMAB").
const APPLICATION_ID: i64 = 0x524d_4142;

/// One connection to the shop's database, with the workshop's queries.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Told while a write waits for another connection's lock (see [`Store::wait_through`]).
    gate: Option<Arc<WriteGate>>,
}

impl Store {
    /// Open (creating it and its folder if needed) and migrate the database at `path`.
    /// Falls back to a read-only connection when the user may read but not write.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_as_is(path).map_err(|e| explained(path, e))
    }

    fn open_as_is(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_dir(dir).map_err(|source| StoreError::Io {
                action: "create the folder",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let existed = path.exists();
        if !existed {
            create_private(path)?;
        }
        let conn = match Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) {
            Ok(conn) => conn,
            Err(e) if existed => {
                // No write permission on the file: offer a look-only connection.
                return Self::open_read_only(path).map_err(|_| e.into());
            }
            Err(e) => {
                return Err(StoreError::Io {
                    action: "create the database",
                    path: path.to_path_buf(),
                    source: std::io::Error::other(e.to_string()),
                });
            }
        };
        // SQLite quietly opens a file it may not write read-only.
        let read_only = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only,
            gate: None,
        };
        if read_only {
            wait_when_busy(&mut store.conn)?;
            store.check_read_only_schema()?;
            share_sidecars(path);
            return Ok(store);
        }
        match store.configure().and_then(|()| store.migrate()) {
            Ok(()) => {
                share_sidecars(path);
                Ok(store)
            }
            Err(StoreError::ReadOnly) if existed => Self::open_read_only(path),
            Err(e) => Err(e),
        }
    }

    /// A look-only connection: for staff without write permission.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Self::open_read_only_as_is(path).map_err(|e| explained(path, e))
    }

    fn open_read_only_as_is(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        wait_when_busy(&mut conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: true,
            gate: None,
        };
        match store.check_read_only_schema() {
            Ok(()) => {}
            // In a folder we may not write, SQLite cannot make the -shm file it needs to
            // read a WAL database. With no WAL content pending, the file alone is the
            // whole truth and can be read as immutable.
            Err(StoreError::ReadOnly) if !has_pending_wal(path) => {
                let uri = format!("file:{}?immutable=1", uri_path(path));
                store.conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?;
                store.check_read_only_schema()?;
            }
            Err(e) => return Err(e),
        }
        share_sidecars(path);
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        wait_when_busy(&mut self.conn)?;
        // Only takes effect on a new, empty file: larger pages make the million-row
        // sales registry shallower (faster imports and lookups) at a small cost per move.
        self.conn.execute_batch("PRAGMA page_size = 8192")?;
        // WAL lets readers go on while one writes. synchronous=FULL: a commit that was
        // acknowledged survives a power cut too; writes here are small and human-paced.
        let mode = switch_to_wal(&self.conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "the journal could not be switched to WAL (it is {mode}); is the database on a network filesystem?"
            )));
        }
        self.conn.execute_batch(
            "PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this user may only read the database.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Changes whenever another connection commits: cheap to poll.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Start a write: `BEGIN IMMEDIATE` takes the write lock now, so the busy timeout
    /// applies (a deferred read-then-write would fail at once with SQLITE_BUSY).
    fn write(&mut self) -> Result<Transaction<'_>> {
        begin_write(&mut self.conn, self.read_only, self.gate.as_deref())
    }

    /// Wait for colleagues' writes as usual (up to [`BUSY_TIMEOUT_SECS`]), telling `gate`
    /// while waiting, and give up at once when the gate is cancelled: the write then
    /// fails as busy and saves nothing.
    pub fn wait_through(&mut self, gate: Arc<WriteGate>) -> Result<()> {
        self.gate = Some(gate.clone());
        let mut started = Instant::now();
        self.conn.busy_handler(Some(move |count: i32| {
            if count == 0 {
                started = Instant::now();
            }
            if gate.is_cancelled() || started.elapsed() >= Duration::from_secs(BUSY_TIMEOUT_SECS) {
                gate.waiting.store(false, Ordering::Relaxed);
                return false;
            }
            gate.waiting.store(true, Ordering::Relaxed);
            // SQLite's own backoff: short at first, then 100 ms at most.
            const PAUSES: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
            let pause = PAUSES[(count.max(0) as usize).min(PAUSES.len() - 1)];
            std::thread::sleep(Duration::from_millis(pause));
            true
        }))?;
        Ok(())
    }

    /// How long a write waits for another user's write before giving up.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<()> {
        self.conn.busy_timeout(timeout)?;
        Ok(())
    }

    /// Trade durability for speed while loading a fresh database in bulk (demo, bench):
    /// a power cut during the load may lose it, a crash of the process does not corrupt it.
    pub fn set_bulk_load(&mut self, on: bool) -> Result<()> {
        self.conn.execute_batch(if on {
            "PRAGMA synchronous = OFF"
        } else {
            "PRAGMA synchronous = FULL"
        })?;
        Ok(())
    }

    /// A warning to show when the database sits where SQLite's locking is unreliable.
    pub fn location_warning(&self) -> Option<String> {
        network_filesystem(&self.path).map(|fs| {
            format!(
                "the database is on a network filesystem ({fs}); SQLite's WAL locking is unreliable there and the file can be corrupted: keep it on a local disk of the shop server"
            )
        })
    }

    /// The raw connection, for read-only checks (doctor, tests).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// [`Store::write`] on the connection alone, so the caller may still read the store's
/// other fields while the transaction is open.
fn begin_write<'c>(
    conn: &'c mut Connection,
    read_only: bool,
    gate: Option<&WriteGate>,
) -> Result<Transaction<'c>> {
    if read_only {
        return Err(StoreError::ReadOnly);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // The lock is ours: whoever watches stops saying that we wait.
    if let Some(gate) = gate {
        gate.waiting.store(false, Ordering::Relaxed);
    }
    Ok(tx)
}

/// Create the database file readable and writable by its owner and group only: it holds
/// customer data. SQLite gives the -wal and -shm files the same mode.
fn create_private(path: &Path) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o660);
    match options.open(path) {
        Ok(_) => {
            restrict_mode(path);
            Ok(())
        }
        // Someone else created it in the meantime: fine.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(StoreError::FolderNotWritable {
                path: path.to_path_buf(),
            })
        }
        Err(source) => Err(StoreError::Io {
            action: "create the database",
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn has_pending_wal(path: &Path) -> bool {
    fs::metadata(maintenance::wal_path(path)).is_ok_and(|m| m.len() > 0)
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        match b {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
}

/// The -wal and -shm files belong to whoever opened the database first; when that was
/// us, hand them to the database's group with group write, so a colleague's writes are
/// not locked out by a file we created.
fn share_sidecars(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(db) = fs::metadata(path) else {
            return;
        };
        let me = crate::sys::effective_uid();
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_os_string();
            side.push(suffix);
            let side = PathBuf::from(side);
            if fs::metadata(&side).is_ok_and(|m| m.uid() == me) {
                let _ = std::os::unix::fs::chown(&side, None, Some(db.gid()));
                restrict_mode(&side);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Group read/write, nothing for others, whatever the umask said.
pub(crate) fn restrict_mode(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o660));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The kind of network filesystem holding `path`, if it is one.
#[cfg(target_os = "linux")]
fn network_filesystem(path: &Path) -> Option<&'static str> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    filesystem_kind(crate::sys::filesystem_magic(dir)?)
}

#[cfg(not(target_os = "linux"))]
fn network_filesystem(_path: &Path) -> Option<&'static str> {
    None
}

/// Network filesystems by their statfs magic number.
pub fn filesystem_kind(magic: u64) -> Option<&'static str> {
    match magic {
        0x6969 => Some("NFS"),
        0x517b => Some("SMB"),
        0xff53_4d42 => Some("CIFS"),
        0xfe53_4d42 => Some("SMB2"),
        0x5346_414f => Some("AFS"),
        0x0102_1997 => Some("9P"),
        0x6573_5546 => Some("FUSE, e.g. sshfs"),
        0x0027_e0eb => Some("CephFS"),
        0x4750_4653 => Some("GPFS"),
        0x0bd0_0bd0 => Some("Lustre"),
        _ => None,
    }
}

/// Wait for another user's write up to [`BUSY_TIMEOUT_SECS`]. SQLite's own handler
/// backs off from 1 ms to 100 ms sleeps; measured against a handler retrying every
/// millisecond (see BENCHMARKS.md), it gave a waiting move the better p99 under four
/// busy writers, because all the writers back off too.
fn wait_when_busy(conn: &mut Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(BUSY_TIMEOUT_SECS))?;
    Ok(())
}

/// `PRAGMA journal_mode = WAL`, waiting for others like every other statement does.
///
/// When several processes open a brand-new file at once, the switch needs the file to
/// itself and SQLite answers SQLITE_BUSY at once, without asking the busy handler. So
/// this retries, with short sleeps, as long as the busy timeout allows.
fn switch_to_wal(conn: &Connection) -> Result<String> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(mode) => return Ok(mode),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < Duration::from_secs(BUSY_TIMEOUT_SECS) =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Why a database could not be opened, said plainly when the file is not SQLite or cannot
/// be read at all ("file is not a database" says less). Looked at only once SQLite has
/// failed: reading the file through a handle of our own and closing it would release
/// every lock this process holds on it (POSIX locks belong to the process), and the
/// board's other connection would lose its own; another process closing last would then
/// delete the write-ahead log under it.
fn explained(path: &Path, e: StoreError) -> StoreError {
    // Reading the file by hand closes a handle on it, and closing any handle drops the
    // locks every connection of this process holds on the file. So only where SQLite
    // could not open or read it as a database, when no connection of ours holds locks
    // that matter; a busy, newer or older database is said as it is.
    let unreadable = match &e {
        StoreError::Io { .. } => true,
        StoreError::Corrupt(m) => m.contains("not a database"),
        StoreError::Sqlite(s) => matches!(
            s.sqlite_error_code(),
            Some(
                rusqlite::ErrorCode::NotADatabase
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::PermissionDenied
            )
        ),
        _ => false,
    };
    if !unreadable {
        return e;
    }
    match check_is_sqlite(path) {
        Err(nicer) => nicer,
        Ok(()) => e,
    }
}

/// Refuse files that are not SQLite with a plain sentence.
fn check_is_sqlite(path: &Path) -> Result<()> {
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(StoreError::NoAccess {
                path: path.to_path_buf(),
            });
        }
        Err(_) => return Ok(()),
    };
    let mut head = [0u8; 16];
    match f.read(&mut head) {
        Ok(0) => Ok(()),
        Ok(n) if n == 16 && &head == b"SQLite format 3\0" => Ok(()),
        Ok(_) => Err(StoreError::NotOurs {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(StoreError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
}

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;
use thiserror::Error;

use crate::domain::case::{AdmitError, CaseError};
use crate::domain::warranty::WarrantyError;

/// Everything the store can refuse or fail at, each as a sentence for staff.
///
/// The sentences name no command-line flag, command or key: where the way out depends on
/// the front end, [`StoreError::problem`] gives the first half and the command line or
/// the board adds its own second half.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file is not an rmaboard database.
    #[error("{}: check which database file is configured", self.problem())]
    NotOurs {
        /// The file opened.
        path: PathBuf,
    },
    /// A newer rmaboard upgraded the database: this one must not write to it.
    #[error(
        "{} was written by a newer rmaboard (schema version {found}; this one knows up to {known}): upgrade rmaboard before using it",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest schema version this rmaboard knows.
        known: i64,
    },
    /// The database has an older schema and this user may not write to upgrade it.
    #[error(
        "{}: ask someone who may write to it to start this version of rmaboard on it once",
        self.problem()
    )]
    NeedsUpgrade {
        /// The database file.
        path: PathBuf,
        /// Its schema version, older than this rmaboard's.
        found: i64,
    },
    /// The user may not read the database file.
    #[error(
        "you may not read the database {}: ask to be added to the staff group that owns it (see README, Shop server)",
        path.display()
    )]
    NoAccess {
        /// The database file.
        path: PathBuf,
    },
    /// The user may read the database but not write to it.
    #[error(
        "the database is read-only for you, so nothing was saved: ask for write access to it and its folder (see README, Shop server)"
    )]
    ReadOnly,
    /// Another connection held the write lock longer than the busy timeout (in seconds).
    #[error(
        "the database stayed busy with another user's write for over {0} seconds; nothing was saved: try again in a moment"
    )]
    Busy(u64),
    /// The file is damaged or a stored value cannot be read back; says what was found.
    #[error(
        "{}: have it checked and restore the latest backup (see README, Backups)",
        self.problem()
    )]
    Corrupt(String),
    /// No space left for the write.
    #[error(
        "the disk holding the database is full; nothing was saved: free some space and try again"
    )]
    DiskFull,
    /// A file or folder could not be created, read or found.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done, as a verb phrase ("create the folder").
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The database does not exist yet and its folder may not be written.
    #[error(
        "{}; use a database in a folder you may write to, or ask for write access to the folder",
        self.problem()
    )]
    FolderNotWritable {
        /// The database file that was to be created.
        path: PathBuf,
    },
    /// The file offered to restore from cannot be used; the live database was not touched.
    #[error("{}; the database was not changed: choose another backup", self.problem())]
    BadBackup {
        /// The backup file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A backup could not be written; `reason` ends with what to do about it.
    #[error("could not write the backup {}: {reason}; the database was not changed", path.display())]
    BackupNotWritten {
        /// The backup file that was to be written.
        path: PathBuf,
        /// Why not, and what to do.
        reason: String,
    },
    /// No case has this RMA number, IMEI or tracking number.
    #[error("{}: check the number", self.problem())]
    NotFound(String),
    /// Something the user gave cannot be used (a number that is no case and no valid
    /// IMEI, a database that already holds data for a demo); the sentence says why.
    #[error("{0}")]
    BadKey(String),
    /// The thing exists but is not in a state that allows the request.
    #[error("{0}")]
    Refused(String),
    /// A device has at most one case not yet shipped: a second is refused.
    #[error(
        "the device {imei} already has a case that is not shipped yet, {rma} (in {stage}); nothing was saved: add a note to that case, or ship it before opening another"
    )]
    AlreadyOpen {
        /// The device.
        imei: String,
        /// Its case not yet shipped.
        rma: String,
        /// The stage that case is in.
        stage: String,
    },
    /// Moving a shipped case back would give its device a second case not yet shipped.
    #[error(
        "{rma} cannot leave shipped: its device {imei} already has {open} (in {stage}), not shipped yet; nothing was saved: go on with {open} instead"
    )]
    ReopenWhileOpen {
        /// The shipped case that was to be moved back.
        rma: String,
        /// Its device.
        imei: String,
        /// The device's other case, not yet shipped.
        open: String,
        /// The stage that other case is in.
        stage: String,
    },
    /// An IMEI or tracking number that matches several cases.
    #[error("{key} matches several cases ({}): give the RMA number instead", rmas.join(", "))]
    Ambiguous {
        /// The key as given.
        key: String,
        /// The RMA numbers of the cases it matches.
        rmas: Vec<String>,
    },
    /// Someone else changed the case since the user looked at it (its version moved on).
    #[error(
        "{rma} was changed by {by} at {at} (it is now in {stage}) since you looked at it; nothing was saved: look at it again and retry"
    )]
    Conflict {
        /// The case.
        rma: String,
        /// Who changed it: their login.
        by: String,
        /// When, in local time.
        at: String,
        /// The stage it is in now.
        stage: String,
    },
    /// No message in the outbox has this number.
    #[error("{}: check the message number", self.problem())]
    NoSuchMessage(i64),
    /// No request has this number.
    #[error("there is no request {0}: `rmaboard requests` lists them with their numbers")]
    NoSuchRequest(i64),
    /// A message claimed by a sender that has not finished (or was killed mid-way).
    #[error(
        "{}: if that sender stopped mid-way, check that it did not reach the customer, release the message, then drop it",
        self.problem()
    )]
    MessageBeingSent {
        /// The message's number.
        id: i64,
        /// The login of the sender that claimed it; `None` if not recorded.
        by: Option<String>,
    },
    /// An outbound S10 number that an earlier parcel already carried.
    #[error("{}; nothing was shipped: give this parcel its own S10 number", self.problem())]
    TrackingUsed {
        /// The S10 number given.
        tracking: String,
        /// A case that went out under it before.
        rma: String,
        /// When that case was shipped, as a local date.
        on: String,
    },
    /// The devices cannot travel in one parcel (different customers or addresses).
    #[error(transparent)]
    Parcel(#[from] crate::domain::parcel::ParcelError),
    /// One command on several cases refused whole: each refusal, in the order the cases
    /// were given. Nothing was saved.
    #[error(
        "{} of {total} cases could not be moved, so nothing was saved: {}",
        refused.len(),
        refused.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(" ")
    )]
    Several {
        /// Why each refused case was refused (or the parcel, as a whole).
        refused: Vec<StoreError>,
        /// How many cases the command named.
        total: usize,
    },
    /// A refusal of one case among several, whose own sentence does not name the case.
    #[error("{rma}: {error}")]
    OfCase {
        /// The case's RMA number.
        rma: String,
        /// Why it was refused.
        error: Box<StoreError>,
    },
    /// The flow or the case's data refuses the action.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The warranty verdict refuses the new case.
    #[error(transparent)]
    Admit(#[from] AdmitError),
    /// A typed text is empty, too long or unusable.
    #[error(transparent)]
    Text(#[from] crate::domain::text::TextError),
    /// No verdict can be given for the claim.
    #[error(transparent)]
    Warranty(#[from] WarrantyError),
    /// Any other SQLite error, passed on as SQLite words it.
    #[error("the database answered with an error: {0}")]
    Sqlite(rusqlite::Error),
}

/// The folder a backup at `to` is written in.
pub(crate) fn backup_folder(to: &Path) -> &Path {
    to.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// How long a writer waits for another before giving up, in seconds.
pub const BUSY_TIMEOUT_SECS: u64 = 10;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Busy(BUSY_TIMEOUT_SECS)
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// A stored value could not be read back: the file was edited by hand or damaged.
    pub(crate) fn bad_value(column: &str, value: &str) -> StoreError {
        StoreError::Corrupt(format!(
            "column {column} holds {:?}, which rmaboard cannot read",
            crate::domain::text::clean_line(value)
                .chars()
                .take(40)
                .collect::<String>()
        ))
    }

    /// An error met while reading the backup at `path` to restore from it, said of that
    /// file: nothing in it is about the live database.
    pub(crate) fn of_backup(self, path: &Path) -> StoreError {
        let empty = std::fs::metadata(path).is_ok_and(|m| m.len() == 0);
        let reason = match self {
            _ if empty => "the file is empty".to_string(),
            StoreError::NotOurs { .. } => "it is not an rmaboard database".into(),
            StoreError::NeedsUpgrade { found: 0, .. } => "it holds no rmaboard tables".into(),
            StoreError::NeedsUpgrade { found, .. } => format!(
                "it was made by an older rmaboard (schema version {found}) and must be upgraded before it can be restored"
            ),
            StoreError::Corrupt(what) => format!("it is damaged ({what})"),
            StoreError::Sqlite(e) => format!("it could not be read ({e})"),
            StoreError::Io { source, .. } => format!("it could not be read ({})", source.kind()),
            other => return other,
        };
        StoreError::BadBackup {
            path: path.to_path_buf(),
            reason,
        }
    }

    /// An error met while writing a backup to `to`, said of that file and its disk rather
    /// than of the database's.
    pub(crate) fn writing_backup(self, to: &Path) -> StoreError {
        match self {
            StoreError::DiskFull => StoreError::BackupNotWritten {
                path: to.to_path_buf(),
                reason: format!(
                    "the disk holding {} is full: free some space there or choose another disk",
                    backup_folder(to).display()
                ),
            },
            StoreError::ReadOnly => StoreError::BackupNotWritten {
                path: to.to_path_buf(),
                reason: format!(
                    "{} may not be written: choose a folder you may write to",
                    backup_folder(to).display()
                ),
            },
            StoreError::Io { source, .. } => StoreError::io_writing_backup(&source, to),
            // The copy cannot be created or written (a folder SQLite may not use, a
            // special file): about the copy, not the database.
            StoreError::Sqlite(e) => StoreError::BackupNotWritten {
                path: to.to_path_buf(),
                reason: format!("SQLite could not write it ({e}): choose another place for it"),
            },
            other => other,
        }
    }

    /// An I/O error met while writing a backup to `to`; the temporary file's name, which
    /// the OS error carries, means nothing to the user and is left out.
    pub(crate) fn io_writing_backup(e: &std::io::Error, to: &Path) -> StoreError {
        use std::io::ErrorKind as K;
        let dir = backup_folder(to);
        let reason = match e.kind() {
            K::NotFound => format!(
                "the folder {} does not exist: create it first or choose another",
                dir.display()
            ),
            K::PermissionDenied | K::ReadOnlyFilesystem => format!(
                "you may not write to the folder {}: choose a folder you may write to",
                dir.display()
            ),
            K::StorageFull | K::QuotaExceeded => format!(
                "the disk holding {} is full: free some space there or choose another disk",
                dir.display()
            ),
            K::NotADirectory => format!(
                "{} is not a folder: choose a folder for the backup",
                dir.display()
            ),
            kind => format!("{kind}: choose another place for it"),
        };
        StoreError::BackupNotWritten {
            path: to.to_path_buf(),
            reason,
        }
    }

    /// What is wrong, without what to do about it: a front end that names its own way
    /// out (a flag, a command, a key) adds it to this. For errors whose way out is the
    /// same everywhere, the whole sentence.
    pub fn problem(&self) -> String {
        match self {
            StoreError::NotOurs { path } => format!(
                "{} is not an rmaboard database (it is not SQLite, or it holds other tables)",
                path.display()
            ),
            StoreError::NeedsUpgrade { path, found } => format!(
                "{} has schema version {found} and needs an upgrade, which takes write access",
                path.display()
            ),
            StoreError::Corrupt(what) => {
                format!("the database is damaged ({what}); nothing was saved")
            }
            StoreError::FolderNotWritable { path } => format!(
                "could not create the database {}: the folder is not writable for you",
                path.display()
            ),
            StoreError::BadBackup { path, reason } => {
                format!("the backup {} cannot be restored: {reason}", path.display())
            }
            StoreError::NotFound(key) => {
                format!("no case has the RMA number, IMEI or tracking number {key}")
            }
            StoreError::NoSuchMessage(id) => format!("there is no message {id} in the outbox"),
            StoreError::MessageBeingSent { id, by } => format!(
                "message {id} is being sent by {} right now",
                by.as_deref()
                    .map(crate::domain::text::clean_line)
                    .unwrap_or_else(|| "someone".into())
            ),
            StoreError::TrackingUsed { tracking, rma, on } => format!(
                "{tracking} was already used for an earlier parcel: {rma} was shipped with it on {on}"
            ),
            StoreError::OfCase { rma, error } => format!("{rma}: {}", error.problem()),
            StoreError::Case(e) => e.problem(),
            StoreError::Admit(AdmitError::Open(e)) => e.problem(),
            other => other.to_string(),
        }
    }

    /// This refusal of `rma`, named by it when its sentence does not say which case it is
    /// about.
    pub(crate) fn of_case(self, rma: &str) -> StoreError {
        if self.to_string().contains(rma) {
            self
        } else {
            StoreError::OfCase {
                rma: rma.to_string(),
                error: Box::new(self),
            }
        }
    }

    /// Whether this refuses the request as given (the rules, the data, a colleague's
    /// change), rather than a failure of the database or its surroundings: a command on
    /// several cases or rows names every refusal, but stops at the first failure.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound(_)
                | StoreError::BadKey(_)
                | StoreError::Refused(_)
                | StoreError::AlreadyOpen { .. }
                | StoreError::ReopenWhileOpen { .. }
                | StoreError::Ambiguous { .. }
                | StoreError::Conflict { .. }
                | StoreError::TrackingUsed { .. }
                | StoreError::Parcel(_)
                | StoreError::Several { .. }
                | StoreError::OfCase { .. }
                | StoreError::Case(_)
                | StoreError::Admit(_)
                | StoreError::Text(_)
                | StoreError::Warranty(_)
        )
    }

    /// Whether this is a refusal of the user's request (exit code 1) rather than a
    /// conflict (3) or a failure of the surroundings.
    pub fn is_conflict(&self) -> bool {
        match self {
            StoreError::Conflict { .. } => true,
            // Retrying helps only when every case was merely changed meanwhile.
            StoreError::Several { refused, .. } => refused.iter().all(StoreError::is_conflict),
            StoreError::OfCase { error, .. } => error.is_conflict(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::OpenError;
    use crate::domain::event::EventField;
    use crate::domain::{Imei, RmaNumber, Stage, Verdict};

    /// The store and the domain serve the command line and the board alike: their
    /// sentences name no flag, no command and no key (each front end adds its own).
    #[test]
    fn sentences_name_no_flag_or_command() {
        let rma = RmaNumber::new(2026, 7);
        let path = PathBuf::from("/srv/rmaboard/rma.sqlite");
        let errors = [
            StoreError::NotOurs { path: path.clone() },
            StoreError::NeedsUpgrade {
                path: path.clone(),
                found: 2,
            },
            StoreError::Corrupt("bad page".into()),
            StoreError::FolderNotWritable { path },
            StoreError::BadBackup {
                path: "/srv/backup/x.sqlite".into(),
                reason: "the file is empty".into(),
            },
            StoreError::NotFound("RMA-2026-00099".into()),
            StoreError::NoSuchMessage(3),
            StoreError::TrackingUsed {
                tracking: "RR123456785CN".into(),
                rma: "RMA-2026-00001".into(),
                on: "2026-05-04".into(),
            },
            StoreError::MessageBeingSent { id: 3, by: None },
            StoreError::Case(CaseError::Missing {
                rma,
                field: EventField::ManufacturerRef,
                to: Stage::AtManufacturer,
            }),
            StoreError::Case(CaseError::NotInspected { rma }),
            StoreError::Case(CaseError::BeforeStage {
                rma,
                stage: Stage::Received,
                since: "2026-05-04 09:00".into(),
            }),
            StoreError::Admit(AdmitError::Open(OpenError::Refused {
                imei: Imei::parse("490154203237518").unwrap(),
                verdict: Verdict::Expired,
                reason: "The guarantee ended on 2025-01-01.".into(),
            })),
        ];
        for e in &errors {
            let s = e.to_string();
            assert!(
                !s.contains("damaged") || matches!(e, StoreError::Corrupt(_)),
                "{s}"
            );
            assert!(!s.contains("--") && !s.contains('`'), "{s}");
            for command in ["init", "doctor", "list", "outbox"] {
                assert!(!s.contains(&format!("rmaboard {command}")), "{s}");
            }
            // The problem is the start of the sentence; the rest says what to do.
            let problem = e.problem();
            assert!(
                s.starts_with(&problem) && s.len() > problem.len() + 5,
                "{s}"
            );
        }
    }

    #[test]
    fn a_backup_that_cannot_be_written_is_blamed_on_its_own_disk() {
        let to = Path::new("/mnt/usb/rma.sqlite");
        let full = StoreError::DiskFull.writing_backup(to).to_string();
        assert_eq!(
            full,
            "could not write the backup /mnt/usb/rma.sqlite: the disk holding /mnt/usb is full: free some space there or choose another disk; the database was not changed"
        );
        let missing = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "No such file or directory at path /mnt/usb/.rmaboard-backup-Xy12",
        );
        let cannot = StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            None,
        ))
        .writing_backup(to)
        .to_string();
        assert!(
            cannot.starts_with(
                "could not write the backup /mnt/usb/rma.sqlite: SQLite could not write it"
            ),
            "{cannot}"
        );
        assert!(!cannot.contains("the database answered"), "{cannot}");
        let s = StoreError::io_writing_backup(&missing, to).to_string();
        assert!(s.contains("the folder /mnt/usb does not exist"), "{s}");
        assert!(!s.contains(".rmaboard-backup"), "{s}");
        // Said of the backup, never of the live database.
        let bad = StoreError::Corrupt("malformed".into()).of_backup(Path::new("/b/x.sqlite"));
        assert!(matches!(bad, StoreError::BadBackup { .. }), "{bad:?}");
        assert!(
            bad.to_string().starts_with(
                "the backup /b/x.sqlite cannot be restored: it is damaged (malformed)"
            )
        );
    }
}

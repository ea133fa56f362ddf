use std::path::PathBuf;

use rusqlite::ErrorCode;
use thiserror::Error;

use crate::domain::case::{AdmitError, CaseError};
use crate::domain::warranty::WarrantyError;

/// Everything the store can refuse or fail at, each as a sentence for staff.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "{} is not an rmaboard database (it is not SQLite, or it holds other tables): check --db or RMABOARD_DB",
        path.display()
    )]
    NotOurs { path: PathBuf },
    #[error(
        "{} was written by a newer rmaboard (schema version {found}; this one knows up to {known}): upgrade rmaboard before using it",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{} has schema version {found} and needs an upgrade, which takes write access: ask someone who may write to it to run `rmaboard init`",
        path.display()
    )]
    NeedsUpgrade { path: PathBuf, found: i64 },
    #[error(
        "you may not read the database {}: ask to be added to the staff group that owns it (see README, Shop server)",
        path.display()
    )]
    NoAccess { path: PathBuf },
    #[error(
        "the database is read-only for you, so nothing was saved: ask for write access to it and its folder (see README, Shop server)"
    )]
    ReadOnly,
    #[error(
        "the database stayed busy with another user's write for over {0} seconds; nothing was saved: try again in a moment"
    )]
    Busy(u64),
    #[error(
        "the database is damaged ({0}); nothing was saved: run `rmaboard doctor` and restore the latest backup (see README, Backups)"
    )]
    Corrupt(String),
    #[error(
        "the disk holding the database is full; nothing was saved: free some space and try again"
    )]
    DiskFull,
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no case has the RMA number, IMEI or tracking number {0}: check the number, or look with `rmaboard list`"
    )]
    NotFound(String),
    #[error("{0}")]
    BadKey(String),
    /// The thing exists but is not in a state that allows the request.
    #[error("{0}")]
    Refused(String),
    #[error(
        "the device {imei} already has a case that is not shipped yet, {rma} (in {stage}); nothing was saved: add a note to that case, or ship it before opening another"
    )]
    AlreadyOpen {
        imei: String,
        rma: String,
        stage: String,
    },
    #[error(
        "{rma} cannot leave shipped: its device {imei} already has {open} (in {stage}), not shipped yet; nothing was saved: go on with {open} instead"
    )]
    ReopenWhileOpen {
        rma: String,
        imei: String,
        open: String,
        stage: String,
    },
    #[error("{key} matches several cases ({}): give the RMA number instead", rmas.join(", "))]
    Ambiguous { key: String, rmas: Vec<String> },
    #[error(
        "{rma} was changed by {by} at {at} (it is now in {stage}) since you looked at it; nothing was saved: look at it again and retry"
    )]
    Conflict {
        rma: String,
        by: String,
        at: String,
        stage: String,
    },
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Admit(#[from] AdmitError),
    #[error(transparent)]
    Text(#[from] crate::domain::text::TextError),
    #[error(transparent)]
    Warranty(#[from] WarrantyError),
    #[error("the database answered with an error: {0}")]
    Sqlite(rusqlite::Error),
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

    /// Whether this is a refusal of the user's request (exit code 1) rather than a
    /// conflict (3) or a failure of the surroundings.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}

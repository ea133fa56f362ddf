//! What a backup holds besides the database: the photos and other files that came with
//! customers' mail. The database only names them; a backup that held the names without
//! the files would restore requests whose photos are gone.
//!
//! Every attachment's file name is made of its request and the hash of its bytes, and is
//! never rewritten, so one copy serves every backup in a folder: `rmaboard backup` copies
//! into `rmaboard-attachments/` beside the backup only the files not kept there yet, and
//! `rmaboard restore` copies back the ones missing beside the database.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::Workshop;
use crate::files::{self, Kind};
use crate::store::StoreError;

/// The folder beside a backup where the attachments are kept, shared by the backups
/// in that folder.
pub const KEPT_ATTACHMENTS: &str = "rmaboard-attachments";

/// What was copied of the attachments, and what could not be found to copy.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FilesCopied {
    /// Where they were copied to.
    pub folder: PathBuf,
    /// Copied now.
    pub copied: usize,
    /// There already (the same name holds the same bytes).
    pub present: usize,
    /// Named by the database but in neither folder.
    pub missing: Vec<String>,
}

impl Workshop {
    /// A consistent copy of the database at `to`, and the attachments it names kept in
    /// [`KEPT_ATTACHMENTS`] beside it.
    pub fn backup(&self, to: &Path) -> Result<FilesCopied, StoreError> {
        self.store.backup(to)?;
        let kept = files::folder_of(to).join(KEPT_ATTACHMENTS);
        copy_missing(
            &self.store.attachment_files()?,
            &self.attachments_dir(),
            &kept,
        )
    }

    /// After a restore from `backup`: copy back the attachments the restored database
    /// names that are missing from the attachments folder, from the folder kept beside
    /// the backup.
    pub fn restore_attachments(&self, backup: &Path) -> Result<FilesCopied, StoreError> {
        let kept = files::folder_of(backup).join(KEPT_ATTACHMENTS);
        copy_missing(
            &self.store.attachment_files()?,
            &kept,
            &self.attachments_dir(),
        )
    }
}

/// Copy each of `names` from `from` to `to` unless `to` has it already.
fn copy_missing(names: &[String], from: &Path, to: &Path) -> Result<FilesCopied, StoreError> {
    let mut done = FilesCopied {
        folder: to.to_path_buf(),
        ..FilesCopied::default()
    };
    if names.is_empty() {
        return Ok(done);
    }
    // A backup made into the attachments folder's own parent: nothing to copy.
    if let (Ok(a), Ok(b)) = (from.canonicalize(), to.canonicalize())
        && a == b
    {
        done.present = names.len();
        return Ok(done);
    }
    let io_err = |action: &'static str, path: &Path, source: io::Error| StoreError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    files::create_dir(to).map_err(|e| io_err("create the folder for attachments", to, e))?;
    // What a copy killed half-way left behind.
    files::remove_stale(to, Kind::Attachment);
    for name in names {
        // Only a plain file name, as rmaboard writes them: a name edited into the
        // database by hand must not lead the copy out of the folder.
        if Path::new(name).file_name() != Some(std::ffi::OsStr::new(name)) || name.starts_with('.')
        {
            done.missing.push(name.clone());
            continue;
        }
        let target = to.join(name);
        if target.exists() {
            done.present += 1;
            continue;
        }
        let source = from.join(name);
        let mut reader = match fs::File::open(&source) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                done.missing.push(name.clone());
                continue;
            }
            Err(e) => return Err(io_err("read the attachment", &source, e)),
        };
        let mut tmp = files::temp_beside(&target, Kind::Attachment)
            .map_err(|e| io_err("copy the attachment", &target, e))?;
        io::copy(&mut reader, &mut tmp).map_err(|e| io_err("copy the attachment", &source, e))?;
        match files::persist(tmp, &target, false) {
            Ok(()) => done.copied += 1,
            // Someone else copied it meanwhile: the same name holds the same bytes.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => done.present += 1,
            Err(e) => return Err(io_err("copy the attachment", &target, e)),
        }
    }
    Ok(done)
}

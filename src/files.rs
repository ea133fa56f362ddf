//! Files and folders rmaboard makes outside the database: bills, backups, exports,
//! `.eml` files. They carry customer data, so they follow the database's rules whatever
//! the umask: folders for the owner and the group only, files group read/write and
//! nothing for others. Each file is written beside its target under a recognisable
//! temporary name and renamed into place: a reader never sees half a file, a link
//! planted at the target is replaced rather than followed, and what a killed run leaves
//! behind can be found and removed by the next run.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Every temporary file rmaboard makes starts with this.
pub const TEMP_PREFIX: &str = ".rmaboard-";

/// A temporary file this much older than now is left over from an interrupted run:
/// nothing still working writes that slowly.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// The kinds of file written beside their target, each with its own temporary name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A bill's PDF in the bills folder.
    Bill,
    /// A backup copy of the database.
    Backup,
    /// An `export --out` file.
    Export,
    /// A message written by `outbox send --eml`.
    Eml,
    /// A backup brought up to date before it replaces the database.
    Restore,
    /// A photo or other file that came with a customer's mail.
    Attachment,
}

impl Kind {
    /// The start of this kind's temporary file names, by which leftovers are found.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Bill => ".rmaboard-bill-",
            Kind::Backup => ".rmaboard-backup-",
            Kind::Export => ".rmaboard-export-",
            Kind::Eml => ".rmaboard-eml-",
            Kind::Restore => ".rmaboard-restore-",
            Kind::Attachment => ".rmaboard-attachment-",
        }
    }
}

/// Create `dir` and any missing parents for the owner and the group only (0770; a
/// setgid parent's group and bit are inherited as usual). The folder itself gets 0770
/// whatever the umask: with the usual 022 mkdir leaves 0750, and a colleague of the
/// group could not write the next bill into it.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o770);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Keep the setgid bit a setgid parent passed on. Best effort: when a colleague
        // created the folder at the same moment, it is theirs to set.
        if let Ok(meta) = fs::metadata(dir) {
            let mode = (meta.permissions().mode() & 0o2000) | 0o770;
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode));
        }
    }
    Ok(())
}

/// Group read and write, nothing for others, whatever the umask said.
pub fn group_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o660))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// The folder a file at `path` goes into.
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A temporary file of `kind` beside `target`, for the owner only until it is complete.
pub fn temp_beside(target: &Path, kind: Kind) -> io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(kind.prefix())
        .tempfile_in(folder_of(target))
}

/// Make a temporary file complete: on disk, with the group's mode, then renamed to
/// `target` (replacing what is there, a link included, unless `replace` is false).
pub fn persist(tmp: tempfile::NamedTempFile, target: &Path, replace: bool) -> io::Result<()> {
    tmp.as_file().sync_all()?;
    group_only(tmp.path())?;
    if replace {
        tmp.persist(target).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(target).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Write `bytes` to `target` by way of a temporary file beside it.
pub fn write_beside(target: &Path, kind: Kind, bytes: &[u8], replace: bool) -> io::Result<()> {
    let mut tmp = temp_beside(target, kind)?;
    tmp.write_all(bytes)?;
    persist(tmp, target, replace)
}

/// Temporary files of `kind` (any kind with `None`) in `dir` older than
/// [`STALE_AFTER`]: left by runs that were killed. For bills, the unprefixed
/// `.tmpXXXXXX` names that older versions left in the bills folder count too.
pub fn stale_temporaries(dir: &Path, kind: Option<Kind>) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = match kind {
            Some(k) => name.starts_with(k.prefix()),
            None => name.starts_with(TEMP_PREFIX),
        };
        let old_bill_temp =
            kind == Some(Kind::Bill) && name.starts_with(".tmp") && name.len() == 10;
        if !(ours || old_bill_temp) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if age >= STALE_AFTER {
            found.push(entry.path());
        }
    }
    found.sort();
    found
}

/// Remove what [`stale_temporaries`] finds; how many were removed. Best effort: a file
/// that cannot be removed is left for `doctor` to name.
pub fn remove_stale(dir: &Path, kind: Kind) -> usize {
    stale_temporaries(dir, Some(kind))
        .iter()
        .filter(|p| fs::remove_file(p).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(path: &Path, secs: u64) {
        let f = fs::File::options().write(true).open(path).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn only_old_temporaries_of_the_kind_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        for n in [
            ".rmaboard-bill-old",
            ".rmaboard-bill-new",
            ".rmaboard-backup-old",
            ".rmaboard-backup-old-journal",
            ".tmpAbC123",
            "B-000001-RMA-2026-00001.pdf",
        ] {
            fs::write(p(n), "x").unwrap();
        }
        for n in [
            ".rmaboard-bill-old",
            ".rmaboard-backup-old",
            ".rmaboard-backup-old-journal",
            ".tmpAbC123",
            "B-000001-RMA-2026-00001.pdf",
        ] {
            age(&p(n), 2 * 3600);
        }
        assert_eq!(
            stale_temporaries(dir.path(), Some(Kind::Bill)),
            vec![p(".rmaboard-bill-old"), p(".tmpAbC123")]
        );
        assert_eq!(remove_stale(dir.path(), Kind::Backup), 2);
        assert!(!p(".rmaboard-backup-old-journal").exists());
        assert!(p(".rmaboard-bill-new").exists());
        assert!(p("B-000001-RMA-2026-00001.pdf").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let target = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_beside(&target, Kind::Export, b"new", true).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert!(!fs::symlink_metadata(&target).unwrap().is_symlink());
    }
}

//! Where things live and the settings staff can change.
//!
//! Database path: `--db PATH`, else `RMABOARD_DB`, else `db` in the config file, else the
//! platform data directory. Staff identity: `--user NAME`, else `RMABOARD_USER`, else the
//! login name. The config file is `config.toml` in the platform config directory (or
//! `RMABOARD_CONFIG`).

use std::fs;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::Deserialize;
use thiserror::Error;

use crate::domain::Clocks;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The shared database, for a shop server where everyone uses one file.
    pub db: Option<PathBuf>,
    pub clocks: Clocks,
    pub board: BoardConfig,
    /// Printed on the customs bill and quoted in customer messages.
    pub shop: ShopConfig,
    /// What the customs bill declares, with exceptions per destination country.
    pub customs: CustomsConfig,
    pub mail: MailConfig,
    pub paperwork: PaperworkConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoardConfig {
    /// The Shipped pane shows shipments of the last this many days.
    pub shipped_days: u32,
    /// Start with the Expected pane shown.
    pub show_expected: bool,
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            shipped_days: 14,
            show_expected: true,
        }
    }
}

/// `[shop]`: who sends the parcels and answers the mail.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopConfig {
    pub name: String,
    /// One entry per printed line.
    pub address: Vec<String>,
    /// Where customers write to support (quoted in the RMA instructions).
    pub email: String,
}

impl Default for ShopConfig {
    fn default() -> Self {
        ShopConfig {
            name: "CECT-SHOP".into(),
            address: Vec::new(),
            email: String::new(),
        }
    }
}

/// `[customs]`: the declaration on the repair bill. Some customs offices want the repair
/// value rather than EUR 0.00, so `[customs.country.XX]` overrides it per destination
/// (matched against the sales registry's country, ignoring case).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsConfig {
    /// Declared value, e.g. "0.00".
    pub value: String,
    pub currency: String,
    pub wording: String,
    pub country: std::collections::BTreeMap<String, CustomsOverride>,
}

impl Default for CustomsConfig {
    fn default() -> Self {
        CustomsConfig {
            value: "0.00".into(),
            currency: "EUR".into(),
            wording: "Warranty repair \u{2014} returned goods, no commercial value".into(),
            country: Default::default(),
        }
    }
}

/// `[customs.country.XX]`: what differs for one destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsOverride {
    pub value: Option<String>,
    pub currency: Option<String>,
    pub wording: Option<String>,
}

/// `[mail]`: how the outbox is sent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// A sendmail-compatible command reading the whole message on standard input.
    /// Split at spaces; no shell is involved.
    pub command: String,
    /// The From header; empty means the shop's email.
    pub from: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            command: "/usr/sbin/sendmail -t -i".into(),
            from: String::new(),
        }
    }
}

/// `[paperwork]`: where documents are written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaperworkConfig {
    /// Folder for the bills written on shipping; default: `bills` beside the database.
    pub bills_dir: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("could not read the config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {} is not valid: {message}; fix it or move it away", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "no home or data directory is known for this user: give the database with --db PATH or RMABOARD_DB"
    )]
    NoDataDir,
}

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "rmaboard")
}

/// The folder for `config.toml` and `keys.toml`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RMABOARD_CONFIG") {
        return Path::new(&p).parent().map(Path::to_path_buf);
    }
    dirs().map(|d| d.config_dir().to_path_buf())
}

fn config_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RMABOARD_CONFIG") {
        return Some(PathBuf::from(p));
    }
    dirs().map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// The user's config file, or the defaults when there is none.
    pub fn load() -> Result<Config, ConfigError> {
        match config_file() {
            Some(path) if path.exists() => Config::from_file(&path),
            _ => Ok(Config::default()),
        }
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: crate::domain::text::clean_line(e.message()),
        })
    }

    /// The database to use: the command line, then `RMABOARD_DB`, then the config file,
    /// then the platform data directory.
    pub fn database_path(&self, flag: Option<&Path>) -> Result<PathBuf, ConfigError> {
        if let Some(p) = flag {
            return Ok(p.to_path_buf());
        }
        if let Some(p) = std::env::var_os("RMABOARD_DB").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        if let Some(p) = &self.db {
            return Ok(p.clone());
        }
        dirs()
            .map(|d| d.data_dir().join("rmaboard.sqlite"))
            .ok_or(ConfigError::NoDataDir)
    }
}

/// Who is working: `--user`, then `RMABOARD_USER`, then the login name.
pub fn staff_name(flag: Option<&str>) -> String {
    let from_env = |k: &str| std::env::var(k).ok().filter(|s| !s.trim().is_empty());
    let raw = flag
        .filter(|f| !f.trim().is_empty())
        .map(str::to_string)
        .or_else(|| from_env("RMABOARD_USER"))
        .or_else(|| from_env("USER"))
        .or_else(|| from_env("LOGNAME"))
        .or_else(|| from_env("USERNAME"))
        .or_else(crate::sys::login_name)
        .unwrap_or_else(|| "unknown".into());
    let clean: String = crate::domain::text::clean_line(&raw)
        .chars()
        .take(40)
        .collect();
    if clean.is_empty() {
        "unknown".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(
            &path,
            "[clocks]\nreceived_days = 5\n[board]\nshipped_days = 7\n",
        )
        .unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.clocks.received_days, 5);
        assert_eq!(c.clocks.manufacturer_months, 1);
        assert_eq!(c.board.shipped_days, 7);
        assert!(c.board.show_expected);
    }

    #[test]
    fn a_wrong_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, "[clocks]\nrecieved_days = 5\n").unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("recieved_days"), "{err}");
        assert!(err.contains("fix it"), "{err}");
    }

    #[test]
    fn the_flag_wins() {
        let c = Config::default();
        assert_eq!(
            c.database_path(Some(Path::new("/tmp/x.sqlite"))).unwrap(),
            PathBuf::from("/tmp/x.sqlite")
        );
    }
}

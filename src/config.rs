//! Where things live and the settings staff can change.
//!
//! Database path: `--db PATH`, else `RMABOARD_DB`, else `db` in the config file, else the
//! platform data directory. Staff identity: `--user NAME`, else `RMABOARD_USER`, else the
//! login name. The config file is `config.toml` in the platform config directory (or
//! `RMABOARD_CONFIG`).
//!
//! Each resolution also says where its answer came from ([`Source`]), so that
//! `rmaboard config` shows the very rules the program runs on.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::Deserialize;
use thiserror::Error;

use crate::domain::Clocks;

/// The settings in `config.toml`; every key has a default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The shared database, for a shop server where everyone uses one file.
    pub db: Option<PathBuf>,
    /// `[clocks]`: how long a case may stay in each stage before it is late.
    pub clocks: Clocks,
    /// `[board]`: how the board starts.
    pub board: BoardConfig,
    /// Printed on the customs bill and quoted in customer messages.
    pub shop: ShopConfig,
    /// What the customs bill declares, with exceptions per destination country.
    pub customs: CustomsConfig,
    /// `[mail]`: how the outbox is sent.
    pub mail: MailConfig,
    /// `[paperwork]`: where documents are written.
    pub paperwork: PaperworkConfig,
}

/// `[board]`: how the board starts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoardConfig {
    /// The Shipped pane shows shipments of the last this many days.
    pub shipped_days: u32,
    /// Start with the Expected pane shown.
    pub show_expected: bool,
    /// Show the Requests pane (customers' mail waiting for an answer) while there are
    /// open requests.
    pub show_requests: bool,
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            shipped_days: 14,
            show_expected: true,
            show_requests: true,
        }
    }
}

/// `[shop]`: who sends the parcels and answers the mail.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopConfig {
    /// The shop's name, as the sender.
    pub name: String,
    /// One entry per printed line.
    pub address: Vec<String>,
    /// Where customers write to support (quoted in the RMA instructions).
    pub email: String,
    /// The shop's telephone number, printed as the sender's on the customs declaration.
    pub phone: String,
}

impl Default for ShopConfig {
    fn default() -> Self {
        ShopConfig {
            name: "CECT-SHOP".into(),
            address: Vec::new(),
            email: String::new(),
            phone: String::new(),
        }
    }
}

/// `[customs]`: the customs declaration (CN 23) that goes with every parcel. Some customs
/// offices want the repair value rather than EUR 0.00, so `[customs.country.XX]`
/// overrides it per destination (matched against the sales registry's country, ignoring
/// case). What a device is declared as (HS tariff number, origin, weight) comes from
/// `[customs.phone]` / `[customs.tablet]`, and from `[customs.model."MODEL"]` for one model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsConfig {
    /// Declared value per device, e.g. "0.00".
    pub value: String,
    /// The 3-letter currency code, e.g. "EUR".
    pub currency: String,
    /// The reason given for a repaired device ("Warranty repair, no commercial value").
    pub wording: String,
    /// The reason given for a device returned unrepaired (void, not covered): never the
    /// word repair.
    pub wording_unrepaired: String,
    /// Where the declaration is signed; empty: the last line of `[shop] address`.
    pub place: String,
    /// The weight of the box and padding of a parcel, in grams, added to the devices'
    /// net weight for the gross weight.
    pub packaging_g: u32,
    /// How a smartphone is declared.
    pub phone: CustomsGoods,
    /// How a tablet is declared.
    pub tablet: CustomsGoods,
    /// Per model, as the sales registry writes it (ignoring case): what differs.
    pub model: std::collections::BTreeMap<String, CustomsModel>,
    /// Exceptions by destination country, keyed as the sales registry writes it.
    pub country: std::collections::BTreeMap<String, CustomsOverride>,
}

impl Default for CustomsConfig {
    fn default() -> Self {
        CustomsConfig {
            value: "0.00".into(),
            currency: "EUR".into(),
            wording: "Warranty repair, no commercial value".into(),
            wording_unrepaired: "Returned unrepaired, no commercial value".into(),
            place: String::new(),
            packaging_g: 250,
            phone: CustomsGoods::default(),
            tablet: CustomsGoods::default(),
            model: Default::default(),
            country: Default::default(),
        }
    }
}

/// `[customs.phone]`, `[customs.tablet]`: how one kind of device is declared; unset keys
/// keep the built-in declaration (smartphones HS 8517.13, 200 g; tablets HS 8471.30,
/// 500 g; both of origin CN).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsGoods {
    /// The HS tariff number, e.g. "8517.13".
    pub hs_code: Option<String>,
    /// The ISO country code of the country of origin, e.g. "CN".
    pub origin: Option<String>,
    /// The net weight of one device, in grams.
    pub net_weight_g: Option<u32>,
}

/// `[customs.model."MODEL"]`: what differs for one model; unset keys come from its kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsModel {
    /// "phone" or "tablet": what the model is, whatever its name or the registry say.
    pub category: Option<String>,
    /// The HS tariff number.
    pub hs_code: Option<String>,
    /// The ISO country code of origin.
    pub origin: Option<String>,
    /// The net weight of one device, in grams.
    pub net_weight_g: Option<u32>,
}

/// `[customs.country.XX]`: what differs for one destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomsOverride {
    /// Declared value per device, e.g. "35.00"; `None` keeps the general one.
    pub value: Option<String>,
    /// The currency code; `None` keeps the general one.
    pub currency: Option<String>,
    /// The reason for a repaired device; `None` keeps the general one.
    pub wording: Option<String>,
    /// The reason for a device returned unrepaired; `None` keeps the general one.
    pub wording_unrepaired: Option<String>,
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
    /// How long the command may take with one message before it is stopped.
    pub timeout_secs: u64,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            command: "/usr/sbin/sendmail -t -i".into(),
            from: String::new(),
            timeout_secs: 60,
        }
    }
}

/// `[paperwork]`: where documents are written, and the fonts they are printed with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaperworkConfig {
    /// Folder for the bills written on shipping; default: `bills` beside the database.
    pub bills_dir: Option<PathBuf>,
    /// Folder for the photos and other files that come with customers' mail; default:
    /// `attachments` beside the database.
    pub attachments_dir: Option<PathBuf>,
    /// Font files tried, in order, for characters the built-in DejaVu Sans lacks (a
    /// reseller named 张伟), before the machine's fonts.
    pub fonts: Vec<PathBuf>,
    /// Ask fontconfig (`fc-match`) for the machine's fonts when no other font has a
    /// character; default true.
    pub system_fonts: bool,
    /// The largest attachment of a customer's mail to preview on the board, in MB;
    /// default 20. Larger files (and files that are not images) are kept but not shown.
    pub preview_max_mb: u64,
}

impl Default for PaperworkConfig {
    fn default() -> Self {
        PaperworkConfig {
            bills_dir: None,
            attachments_dir: None,
            fonts: Vec::new(),
            system_fonts: true,
            preview_max_mb: 20,
        }
    }
}

/// A config file that cannot be used, or no place for the database.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The config file exists but cannot be read.
    #[error("could not read the config file {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has an unknown key or a wrong value.
    #[error("the config file {} is not valid: {message}; fix it or move it away", path.display())]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What TOML or the settings said is wrong.
        message: String,
    },
    /// No database was given and the platform knows no data directory for this user.
    #[error(
        "no home or data directory is known for this user: give the database with --db PATH or RMABOARD_DB"
    )]
    NoDataDir,
    /// `db = ""` or `--db ""`: holds which of the two.
    #[error("{0} is empty, so it names no database file: give the database's path")]
    EmptyDb(&'static str),
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, e.g. `--db`.
    Flag(&'static str),
    /// An environment variable, e.g. `RMABOARD_DB`.
    Env(&'static str),
    /// The config file.
    File,
    /// The account the program runs as.
    Login,
    /// Built in, or derived from another setting.
    Default,
}

impl Source {
    /// One word for scripts: flag, env, file, login or default.
    pub fn kind(self) -> &'static str {
        match self {
            Source::Flag(_) => "flag",
            Source::Env(_) => "env",
            Source::File => "file",
            Source::Login => "login",
            Source::Default => "default",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) | Source::Env(name) => f.write_str(name),
            Source::File => f.write_str("config file"),
            Source::Login => f.write_str("login name"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// `over`'s keys into `base`, table by table: a key set in `over` wins, the others stay.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(more)) => merge(inner, more),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// The largest settings file read (config, key map, message template): far more than any
/// of them, and a bound on the memory a wrong path (a device, a log) can take.
pub const MAX_SETTINGS_FILE: u64 = 1024 * 1024;

/// A settings file as text, refused with a sentence when it is larger than
/// [`MAX_SETTINGS_FILE`] (read no further than that, so `/dev/zero` is refused too).
pub fn read_settings_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_SETTINGS_FILE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SETTINGS_FILE {
        return Err(std::io::Error::other(
            "it is larger than 1 MB, which no settings file is: check that this is the right file",
        ));
    }
    Ok(text)
}

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "rmaboard")
}

/// The folder for `config.toml` and `keys.toml`: the folder of the config file.
pub fn config_dir() -> Option<PathBuf> {
    config_file().and_then(|(p, _)| p.parent().map(Path::to_path_buf))
}

/// The config file to read (it may not exist): `RMABOARD_CONFIG`, else `config.toml`
/// in the platform config directory.
pub fn config_file() -> Option<(PathBuf, Source)> {
    if let Some(p) = std::env::var_os("RMABOARD_CONFIG") {
        return Some((PathBuf::from(p), Source::Env("RMABOARD_CONFIG")));
    }
    dirs().map(|d| (d.config_dir().join("config.toml"), Source::Default))
}

/// The shop-wide config file, read before the user's: `RMABOARD_SYSTEM_CONFIG`, else
/// `/etc/rmaboard/config.toml`. A non-login command (`ssh host rmaboard`) reads no profile
/// scripts, so the shared database is best named here.
pub fn system_config_file() -> PathBuf {
    std::env::var_os("RMABOARD_SYSTEM_CONFIG")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("/etc/rmaboard/config.toml"), PathBuf::from)
}

/// The folder whose message templates replace the built-in ones.
pub fn templates_dir() -> Option<PathBuf> {
    config_dir().map(|d| d.join("templates"))
}

/// The config in effect, with what it was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The settings.
    pub config: Config,
    /// The config file looked for, and how it was chosen; `None` when the platform
    /// knows no config directory for this user.
    pub file: Option<(PathBuf, Source)>,
    /// Whether that file exists (and so was read).
    pub exists: bool,
    /// The keys the file sets, dotted: `db`, `clocks.received_days`, `mail.from`...
    pub keys: BTreeSet<String>,
    /// The shop-wide file looked for, read first; the user's file overrides it key by key.
    pub system_file: PathBuf,
    /// Whether the shop-wide file exists (and so was read).
    pub system_exists: bool,
    /// The keys the shop-wide file sets, dotted.
    pub system_keys: BTreeSet<String>,
}

impl Loaded {
    /// Where a setting of the file came from: a file if one sets it, else the default.
    pub fn source_of(&self, key: &str) -> Source {
        if self.file_of(key).is_some() {
            Source::File
        } else {
            Source::Default
        }
    }

    /// The file a setting was read from: the user's if it sets it, else the shop-wide one
    /// if that does.
    pub fn file_of(&self, key: &str) -> Option<&Path> {
        if self.keys.contains(key) {
            self.file.as_ref().map(|(p, _)| p.as_path())
        } else if self.system_keys.contains(key) {
            Some(self.system_file.as_path())
        } else {
            None
        }
    }
}

impl Config {
    /// The user's config file, or the defaults when there is none.
    pub fn load() -> Result<Config, ConfigError> {
        Ok(Config::load_traced()?.config)
    }

    /// As [`Config::load`], also saying which files were read and which keys each set:
    /// the shop-wide file first, then the user's, which overrides it key by key.
    pub fn load_traced() -> Result<Loaded, ConfigError> {
        let file = config_file();
        let system_file = system_config_file();
        let mut merged = toml::Table::new();
        let mut loaded = Loaded {
            system_file: system_file.clone(),
            ..Loaded::default()
        };
        if system_file.exists() {
            let (_, keys, table) = Config::read(&system_file)?;
            merge(&mut merged, table);
            loaded.system_exists = true;
            loaded.system_keys = keys;
        }
        if let Some((path, _)) = &file
            && path.exists()
        {
            let (_, keys, table) = Config::read(path)?;
            merge(&mut merged, table);
            loaded.exists = true;
            loaded.keys = keys;
        }
        // Each file was checked on its own; together they hold only checked values.
        loaded.config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid {
                path: file.as_ref().map_or(system_file, |(p, _)| p.clone()),
                message: crate::domain::text::clean_line(e.message()),
            })?;
        loaded.file = file;
        Ok(loaded)
    }

    /// The settings in the file at `path`.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        Ok(Config::read(path)?.0)
    }

    fn read(path: &Path) -> Result<(Config, BTreeSet<String>, toml::Table), ConfigError> {
        let text = read_settings_file(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |e: toml::de::Error| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: crate::domain::text::clean_line(e.message()),
        };
        let config: Config = toml::from_str(&text).map_err(invalid)?;
        if let Some(message) = config.out_of_range() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message,
            });
        }
        // Addresses are checked once, here: a bad one is said before any mail is built.
        for (key, value) in [
            ("[mail] from", &config.mail.from),
            ("[shop] email", &config.shop.email),
        ] {
            if !value.trim().is_empty()
                && let Err(e) = crate::domain::mailbox::Mailbox::parse(value)
            {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("{key}: {e}"),
                });
            }
        }
        let table: toml::Table = toml::from_str(&text).map_err(invalid)?;
        let mut keys = BTreeSet::new();
        dotted_keys(&table, "", &mut keys);
        Ok((config, keys, table))
    }

    /// The first setting a front end could not work with, as a sentence: clocks and
    /// windows beyond ten years would run dates off the calendar, and an empty `db` names
    /// no file.
    fn out_of_range(&self) -> Option<String> {
        const MAX_DAYS: u32 = 3650;
        const MAX_MONTHS: u32 = 120;
        let days = [
            ("[clocks] expected_days", self.clocks.expected_days),
            ("[clocks] received_days", self.clocks.received_days),
            ("[clocks] inspected_days", self.clocks.inspected_days),
            ("[board] shipped_days", self.board.shipped_days),
        ];
        for (key, value) in days {
            if value > MAX_DAYS {
                return Some(format!(
                    "{key} = {value} is out of range: give a number of days from 0 to {MAX_DAYS}"
                ));
            }
        }
        const MAX_HOURS: u32 = MAX_DAYS * 24;
        if self.clocks.request_hours > MAX_HOURS {
            return Some(format!(
                "[clocks] request_hours = {} is out of range: give a number of hours from 0 to {MAX_HOURS}",
                self.clocks.request_hours
            ));
        }
        const MAX_GRAMS: u32 = 100_000;
        let mut grams = vec![
            (
                "[customs] packaging_g".to_string(),
                Some(self.customs.packaging_g),
            ),
            (
                "[customs.phone] net_weight_g".into(),
                self.customs.phone.net_weight_g,
            ),
            (
                "[customs.tablet] net_weight_g".into(),
                self.customs.tablet.net_weight_g,
            ),
        ];
        for (model, m) in &self.customs.model {
            grams.push((
                format!(
                    "[customs.model.{:?}] net_weight_g",
                    crate::domain::text::clean_line(model)
                ),
                m.net_weight_g,
            ));
        }
        for (key, value) in grams {
            if let Some(value) = value.filter(|v| *v > MAX_GRAMS) {
                return Some(format!(
                    "{key} = {value} is out of range: give a weight in grams from 0 to {MAX_GRAMS}"
                ));
            }
        }
        const MAX_PREVIEW_MB: u64 = 4096;
        if self.paperwork.preview_max_mb > MAX_PREVIEW_MB {
            return Some(format!(
                "[paperwork] preview_max_mb = {} is out of range: give a size in MB from 0 to {MAX_PREVIEW_MB}",
                self.paperwork.preview_max_mb
            ));
        }
        if self.clocks.manufacturer_months > MAX_MONTHS {
            return Some(format!(
                "[clocks] manufacturer_months = {} is out of range: give a number of months from 0 to {MAX_MONTHS}",
                self.clocks.manufacturer_months
            ));
        }
        if self
            .db
            .as_ref()
            .is_some_and(|p| p.as_os_str().to_string_lossy().trim().is_empty())
        {
            return Some(
                "db = \"\" names no file: give the database's path, or remove the line for the default"
                    .into(),
            );
        }
        None
    }

    /// The database to use: the command line, then `RMABOARD_DB`, then the config file,
    /// then the platform data directory.
    pub fn database_path(&self, flag: Option<&Path>) -> Result<PathBuf, ConfigError> {
        Ok(self.database_path_traced(flag)?.0)
    }

    /// As [`Config::database_path`], also saying where the answer came from.
    pub fn database_path_traced(
        &self,
        flag: Option<&Path>,
    ) -> Result<(PathBuf, Source), ConfigError> {
        if let Some(p) = flag {
            if p.as_os_str().is_empty() {
                return Err(ConfigError::EmptyDb("--db"));
            }
            return Ok((p.to_path_buf(), Source::Flag("--db")));
        }
        if let Some(p) = std::env::var_os("RMABOARD_DB").filter(|p| !p.is_empty()) {
            return Ok((PathBuf::from(p), Source::Env("RMABOARD_DB")));
        }
        if let Some(p) = &self.db {
            return Ok((p.clone(), Source::File));
        }
        dirs()
            .map(|d| (d.data_dir().join("rmaboard.sqlite"), Source::Default))
            .ok_or(ConfigError::NoDataDir)
    }

    /// Where bills are written on shipping: `[paperwork] bills_dir`, else `bills` beside
    /// the database at `db`.
    pub fn bills_dir(&self, db: &Path) -> PathBuf {
        match &self.paperwork.bills_dir {
            Some(dir) => dir.clone(),
            None => db
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("bills"),
        }
    }

    /// Where the attachments of customers' mail are kept: `[paperwork] attachments_dir`,
    /// else `attachments` beside the database at `db`.
    pub fn attachments_dir(&self, db: &Path) -> PathBuf {
        match &self.paperwork.attachments_dir {
            Some(dir) => dir.clone(),
            None => db
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("attachments"),
        }
    }

    /// The From header of customer mail: `[mail] from`, else the shop's email.
    pub fn mail_from(&self) -> &str {
        if self.mail.from.trim().is_empty() {
            &self.shop.email
        } else {
            &self.mail.from
        }
    }
}

/// Every key under `table`, as `prefix.key`; tables are walked, other values are leaves.
fn dotted_keys(table: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    for (key, value) in table {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let toml::Value::Table(inner) = value {
            dotted_keys(inner, &name, out);
        }
        out.insert(name);
    }
}

/// Who is working: `--user`, then `RMABOARD_USER`, then the login name.
pub fn staff_name(flag: Option<&str>) -> String {
    staff_name_traced(flag).0
}

/// As [`staff_name`], also saying where the name came from.
pub fn staff_name_traced(flag: Option<&str>) -> (String, Source) {
    let from_env = |k: &'static str| {
        std::env::var(k)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(|v| (v, Source::Env(k)))
    };
    let raw = flag
        .filter(|f| !f.trim().is_empty())
        .map(|f| (f.to_string(), Source::Flag("--user")))
        .or_else(|| from_env("RMABOARD_USER"))
        .or_else(|| from_env("USER"))
        .or_else(|| from_env("LOGNAME"))
        .or_else(|| from_env("USERNAME"))
        .or_else(|| crate::sys::login_name().map(|n| (n, Source::Login)));
    let Some((raw, source)) = raw else {
        return ("unknown".into(), Source::Default);
    };
    let clean: String = crate::domain::text::clean_line(&raw)
        .chars()
        .take(40)
        .collect();
    if clean.is_empty() {
        ("unknown".into(), Source::Default)
    } else {
        (clean, source)
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
        assert!(c.board.show_requests);
        assert_eq!(c.paperwork.preview_max_mb, 20);
        fs::write(
            &path,
            "[paperwork]\npreview_max_mb = 5\n[board]\nshow_requests = false\n",
        )
        .unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!(c.paperwork.preview_max_mb, 5);
        assert!(!c.board.show_requests);
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
    fn settings_out_of_range_are_named_with_their_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        for (text, says) in [
            (
                "[board]\nshipped_days = 4000000000\n",
                "[board] shipped_days = 4000000000 is out of range: give a number of days from 0 to 3650",
            ),
            (
                "[clocks]\nreceived_days = 100000\n",
                "[clocks] received_days",
            ),
            ("[clocks]\nmanufacturer_months = 5000\n", "from 0 to 120"),
            (
                "[paperwork]\npreview_max_mb = 10000\n",
                "[paperwork] preview_max_mb = 10000 is out of range: give a size in MB from 0 to 4096",
            ),
            (
                "[clocks]\nrequest_hours = 100000\n",
                "[clocks] request_hours = 100000 is out of range: give a number of hours from 0 to 87600",
            ),
            ("db = \"\"\n", "db = \"\" names no file"),
            ("db = \"  \"\n", "names no file"),
        ] {
            fs::write(&path, text).unwrap();
            let err = Config::from_file(&path).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
        fs::write(&path, "[board]\nshipped_days = 3650\n").unwrap();
        assert_eq!(Config::from_file(&path).unwrap().board.shipped_days, 3650);
        let err = Config::default()
            .database_path(Some(Path::new("")))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "--db is empty, so it names no database file: give the database's path"
        );
    }

    #[test]
    fn a_settings_file_that_is_not_one_is_refused_without_reading_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
        let err = Config::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("larger than 1 MB"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        let err = Config::from_file(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("larger than 1 MB"), "{err}");
    }

    #[test]
    fn the_flag_wins() {
        let c = Config::default();
        assert_eq!(
            c.database_path(Some(Path::new("/tmp/x.sqlite"))).unwrap(),
            PathBuf::from("/tmp/x.sqlite")
        );
        assert_eq!(
            c.database_path_traced(Some(Path::new("/tmp/x.sqlite")))
                .unwrap()
                .1,
            Source::Flag("--db")
        );
        assert_eq!(
            staff_name_traced(Some(" anna ")),
            ("anna".to_string(), Source::Flag("--user"))
        );
    }

    #[test]
    fn the_file_says_which_keys_it_sets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(
            &path,
            "db = \"/srv/r.sqlite\"\n[clocks]\nreceived_days = 5\n[shop]\nemail = \"s@x.example\"\n",
        )
        .unwrap();
        let (config, keys, _) = Config::read(&path).unwrap();
        let loaded = Loaded {
            config,
            file: Some((path, Source::Env("RMABOARD_CONFIG"))),
            exists: true,
            keys,
            ..Loaded::default()
        };
        assert_eq!(loaded.source_of("clocks.received_days"), Source::File);
        assert_eq!(loaded.source_of("clocks.expected_days"), Source::Default);
        assert_eq!(loaded.source_of("db"), Source::File);
        // [mail] from unset: the shop's address stands in.
        assert_eq!(loaded.config.mail_from(), "s@x.example");
        assert_eq!(Source::Env("RMABOARD_DB").to_string(), "RMABOARD_DB");
        assert_eq!(Source::File.kind(), "file");
    }
}

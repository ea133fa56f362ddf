//! What a user of a command-line tool expects besides the staff commands: shell
//! completions, a manual page, and a look at the settings in effect and where each came
//! from.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use serde::Serialize;
use serde_json::Value;

use super::args::Cli;
use super::{Failure, Outcome};
use crate::config::{self, Config, Loaded, Source};
use crate::domain::text::clean_line;
use crate::tui::keymap::KeyMap;

/// `rmaboard completions SHELL`: the completion script on stdout.
pub(super) fn completions(shell: Shell) -> Outcome {
    let mut command = Cli::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut command, "rmaboard", &mut out);
    out.flush().map_err(write_failed)
}

/// `rmaboard man`: the manual page (roff) on stdout, or with `--dir` one page per command
/// written into that folder (for packagers: `man1/`).
pub(super) fn man(dir: Option<&Path>) -> Outcome {
    if let Some(dir) = dir {
        let failed = |e: io::Error| {
            Failure::new(format!(
                "could not write the manual pages into {}: {e}",
                dir.display()
            ))
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        clap_mangen::generate_to(Cli::command(), dir).map_err(failed)?;
        println!("{}", dir.display());
        return Ok(());
    }
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(write_failed)?;
    out.flush().map_err(write_failed)
}

fn write_failed(e: io::Error) -> Failure {
    Failure::new(format!("could not write the output: {e}"))
}

/// One line of `rmaboard config`.
#[derive(Debug, Serialize)]
struct Setting {
    /// The name, as a key of the config file where it is one.
    setting: &'static str,
    value: Value,
    /// flag, env, file, login or default.
    source: &'static str,
    /// The flag, variable or file the value came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<String>,
    /// For files and folders: whether it is there.
    #[serde(skip_serializing_if = "Option::is_none")]
    exists: Option<bool>,
    /// What follows from it, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Setting {
    fn new(setting: &'static str, value: impl Into<Value>, source: Source) -> Setting {
        let via = match source {
            Source::Flag(name) | Source::Env(name) => Some(name.to_string()),
            Source::File | Source::Login | Source::Default => None,
        };
        Setting {
            setting,
            value: value.into(),
            source: source.kind(),
            via,
            exists: None,
            note: None,
        }
    }

    fn path(setting: &'static str, path: &Path, source: Source) -> Setting {
        Setting::new(setting, path.display().to_string(), source)
    }

    /// From the config file when `loaded` says the file set `key`.
    fn file(setting: &'static str, value: impl Into<Value>, loaded: &Loaded) -> Setting {
        let source = loaded.source_of(setting);
        let mut s = Setting::new(setting, value, source);
        if source == Source::File {
            s.via = loaded.file_of(setting).map(|p| p.display().to_string());
        }
        s
    }

    fn exists(mut self, there: bool, missing: &str) -> Setting {
        self.exists = Some(there);
        if !there {
            self.note = Some(missing.to_string());
        }
        self
    }

    fn note(mut self, note: impl Into<String>) -> Setting {
        self.note = Some(note.into());
        self
    }

    fn with_via(mut self, via: Option<String>) -> Setting {
        self.via = via.or(self.via);
        self
    }
}

/// `rmaboard config`: every setting in effect with its source, as the program resolves
/// it (the same functions, so the two cannot disagree).
pub(super) fn config(db_flag: Option<&Path>, user_flag: Option<&str>, json: bool) -> Outcome {
    let loaded = Config::load_traced()?;
    let settings = gather(&loaded, db_flag, user_flag);
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &settings)
            .map_err(|e| Failure::new(format!("could not write the output: {e}")))?;
        writeln!(out).map_err(write_failed)?;
    } else {
        write!(out, "{}", table(&settings)).map_err(write_failed)?;
    }
    out.flush().map_err(write_failed)
}

fn gather(loaded: &Loaded, db_flag: Option<&Path>, user_flag: Option<&str>) -> Vec<Setting> {
    let c = &loaded.config;
    let mut out = Vec::new();

    // Where the files are: the shop-wide file first, then the user's, which overrides it
    // key by key; the keys file and the templates sit beside the user's.
    let system_source = match std::env::var_os("RMABOARD_SYSTEM_CONFIG") {
        Some(p) if !p.is_empty() => Source::Env("RMABOARD_SYSTEM_CONFIG"),
        _ => Source::Default,
    };
    out.push(
        Setting::path("system_config_file", &loaded.system_file, system_source).exists(
            loaded.system_exists,
            "not found: nothing shop-wide is set (a shop server names its database here)",
        ),
    );
    let folder_source = match &loaded.file {
        Some((path, source)) => {
            out.push(
                Setting::path("config_file", path, *source)
                    .exists(loaded.exists, "not found: the built-in settings are used"),
            );
            *source
        }
        None => {
            out.push(Setting::new("config_file", Value::Null, Source::Default).note(
                "no config folder is known for this user (no home directory): the built-in settings are used",
            ));
            Source::Default
        }
    };
    let via_config = match folder_source {
        Source::Env(name) => Some(format!("beside {name}")),
        _ => None,
    };
    if let Some(dir) = config::config_dir() {
        let keys = KeyMap::user_file(&dir);
        let there = keys.exists();
        out.push(
            Setting::path("keys_file", &keys, folder_source)
                .with_via(via_config.clone())
                .exists(there, "not found: the built-in keys are used"),
        );
    }
    if let Some(templates) = config::templates_dir() {
        let there = templates.is_dir();
        out.push(
            Setting::path("templates_dir", &templates, folder_source)
                .with_via(via_config)
                .exists(there, "not found: the built-in templates are used"),
        );
    }

    // Who and which database.
    let db = match c.database_path_traced(db_flag) {
        Ok((path, source)) => {
            let mut s = Setting::path("db", &path, source);
            if source == Source::File {
                s.via = loaded.file_of("db").map(|p| p.display().to_string());
            }
            out.push(s.exists(path.exists(), "not created yet: `rmaboard init` creates it"));
            Some(path)
        }
        Err(e) => {
            out.push(Setting::new("db", Value::Null, Source::Default).note(e.to_string()));
            None
        }
    };
    let (user, source) = config::staff_name_traced(user_flag);
    out.push(Setting::new("user", user, source));

    // Paperwork and mail.
    if let Some(db) = &db {
        let bills = c.bills_dir(db);
        let mut s = Setting::file("paperwork.bills_dir", bills.display().to_string(), loaded);
        if s.source == "default" {
            s = s.note("bills/ beside the database");
        }
        out.push(s);
        let attachments = c.attachments_dir(db);
        let mut s = Setting::file(
            "paperwork.attachments_dir",
            attachments.display().to_string(),
            loaded,
        );
        if s.source == "default" {
            s = s.note("attachments/ beside the database");
        }
        out.push(s);
    }
    let fonts: Vec<String> = c
        .paperwork
        .fonts
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let missing: Vec<&String> = fonts
        .iter()
        .filter(|p| !std::path::Path::new(p.as_str()).is_file())
        .collect();
    let mut s = Setting::file("paperwork.fonts", fonts.join(", "), loaded);
    if fonts.is_empty() {
        s = s.note("none: letters DejaVu Sans lacks are looked for in the machine's fonts");
    } else if !missing.is_empty() {
        s = s.note(format!(
            "not found: {}",
            missing
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push(s);
    out.push(Setting::file(
        "paperwork.system_fonts",
        c.paperwork.system_fonts,
        loaded,
    ));
    out.push(Setting::file(
        "mail.command",
        c.mail.command.clone(),
        loaded,
    ));
    out.push(Setting::file(
        "mail.timeout_secs",
        c.mail.timeout_secs,
        loaded,
    ));
    let from = c.mail_from();
    out.push(if !c.mail.from.trim().is_empty() {
        Setting::file("mail.from", from, loaded)
    } else {
        // Unset: the shop's email stands in, from wherever that came from.
        let mut s = Setting::file("shop.email", from, loaded);
        s.setting = "mail.from";
        s.note(if from.trim().is_empty() {
            "not set: give [mail] from or [shop] email before sending customer mail"
        } else {
            "[shop] email, as [mail] from is not set"
        })
    });

    // Clocks and the board.
    let clocks = &c.clocks;
    for (key, value) in [
        ("clocks.expected_days", clocks.expected_days),
        ("clocks.received_days", clocks.received_days),
        ("clocks.manufacturer_months", clocks.manufacturer_months),
        ("clocks.inspected_days", clocks.inspected_days),
        ("clocks.request_hours", clocks.request_hours),
        ("board.shipped_days", c.board.shipped_days),
    ] {
        out.push(Setting::file(key, value, loaded));
    }
    out.push(Setting::file(
        "board.show_expected",
        c.board.show_expected,
        loaded,
    ));
    out.push(Setting::file(
        "board.show_requests",
        c.board.show_requests,
        loaded,
    ));
    out
}

/// The settings as aligned lines: name, value, where it came from.
fn table(settings: &[Setting]) -> String {
    let value = |s: &Setting| match &s.value {
        Value::Null => "-".to_string(),
        Value::String(v) if v.is_empty() => "-".to_string(),
        Value::String(v) => clean_line(v),
        other => other.to_string(),
    };
    let name_w = settings.iter().map(|s| s.setting.len()).max().unwrap_or(0);
    let value_w = settings
        .iter()
        .map(|s| value(s).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for s in settings {
        let from = match (s.source, &s.via) {
            ("file", Some(via)) => clean_line(via),
            ("file", None) => "config file".to_string(),
            (_, Some(via)) => clean_line(via),
            ("login", None) => "login name".to_string(),
            _ => "default".to_string(),
        };
        let note = s
            .note
            .as_deref()
            .map(|n| format!(" ({})", clean_line(n)))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:<name_w$}  {:<value_w$}  {from}{note}\n",
            s.setting,
            value(s)
        ));
    }
    out
}

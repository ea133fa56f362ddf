//! What a user of a command-line tool expects besides the staff commands: shell
//! completions, a manual page, and `rmaboard config` telling which setting came from
//! where. Every run gets its own HOME and config file, so the real ones are never read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

/// A user with an empty home of their own.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(home.path("home")).unwrap();
        home
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `rmaboard` with HOME here and every variable that could reach the user's own
    /// settings taken away.
    fn cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("rmaboard"));
        c.env("HOME", self.path("home"))
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("RMABOARD_CONFIG")
            .env("RMABOARD_SYSTEM_CONFIG", self.path("no-system-config.toml"))
            .env_remove("RMABOARD_DB")
            .env_remove("RMABOARD_USER")
            .env("USER", "login-user")
            .env("TZ", "UTC");
        c
    }

    fn ok(&self, c: &mut std::process::Command) -> String {
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{c:?} failed with {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `rmaboard [args] config --json`, as a map from setting to its line.
    fn config(&self, c: &mut std::process::Command) -> Vec<Value> {
        let out = self.ok(c.args(["config", "--json"]));
        let Value::Array(lines) = serde_json::from_str(&out).unwrap() else {
            panic!("not an array: {out}")
        };
        lines
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn setting<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["setting"] == name)
        .unwrap_or_else(|| panic!("no {name} in {lines:#?}"))
}

/// The value and where it came from: (value, source, via).
fn origin(lines: &[Value], name: &str) -> (Value, String, Option<String>) {
    let l = setting(lines, name);
    (
        l["value"].clone(),
        l["source"].as_str().unwrap().to_string(),
        l["via"].as_str().map(str::to_string),
    )
}

const SUBCOMMANDS: [&str; 8] = [
    "open",
    "receive",
    "ship",
    "outbox",
    "report",
    "config",
    "completions",
    "man",
];

#[test]
fn completions_know_every_command() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = home.ok(home.cmd().args(["completions", shell]));
        assert!(script.contains("rmaboard"), "{shell}: {script}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} does not complete {sub}");
        }
        // And the options of a command, with their help where the shell shows it.
        assert!(script.contains("tracking-in"), "{shell}");
    }
    let out = home.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_with_the_usual_sections() {
    let home = Home::new();
    let page = home.ok(home.cmd().arg("man"));
    assert!(page.contains(".TH rmaboard 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}: {page}");
    }
    assert!(page.contains("rmaboard\\-open"), "{page}");

    // One page per command for a packager's man1/.
    let dir = home.path("man1");
    home.ok(home.cmd().args(["man", "--dir"]).arg(&dir));
    for page in ["rmaboard.1", "rmaboard-open.1", "rmaboard-outbox-send.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.contains(".SH SYNOPSIS"), "{page}");
    }
    let open = std::fs::read_to_string(dir.join("rmaboard-open.1")).unwrap();
    assert!(open.contains("tracking\\-in"), "{open}");
}

#[test]
fn config_says_flag_beats_environment_beats_file_beats_default() {
    let home = Home::new();
    let file = home.write(
        "config.toml",
        "db = \"/from/file.sqlite\"\n[clocks]\nreceived_days = 5\n[mail]\nfrom = \"Shop <s@x.example>\"\n",
    );
    let with_file = || {
        let mut c = home.cmd();
        c.env("RMABOARD_CONFIG", &file);
        c
    };

    // The database: --db, then RMABOARD_DB, then the file, then the data directory.
    let lines = home.config(
        with_file()
            .env("RMABOARD_DB", "/from/env.sqlite")
            .args(["--db", "/from/flag.sqlite"]),
    );
    assert_eq!(
        origin(&lines, "db"),
        (
            "/from/flag.sqlite".into(),
            "flag".into(),
            Some("--db".into())
        )
    );
    let lines = home.config(with_file().env("RMABOARD_DB", "/from/env.sqlite"));
    assert_eq!(
        origin(&lines, "db"),
        (
            "/from/env.sqlite".into(),
            "env".into(),
            Some("RMABOARD_DB".into())
        )
    );
    let lines = home.config(&mut with_file());
    let file_name = file.display().to_string();
    assert_eq!(
        origin(&lines, "db"),
        ("/from/file.sqlite".into(), "file".into(), Some(file_name))
    );
    let empty = home.write("empty.toml", "");
    let lines = home.config(home.cmd().env("RMABOARD_CONFIG", &empty));
    let (db, source, _) = origin(&lines, "db");
    assert_eq!(source, "default");
    let db = PathBuf::from(db.as_str().unwrap());
    assert!(db.starts_with(home.path("home")), "{}", db.display());
    assert!(db.ends_with("rmaboard.sqlite"), "{}", db.display());

    // The user: --user, then RMABOARD_USER, then the login.
    let lines = home.config(
        home.cmd()
            .env("RMABOARD_USER", "env-user")
            .args(["--user", "flag-user"]),
    );
    assert_eq!(
        origin(&lines, "user"),
        ("flag-user".into(), "flag".into(), Some("--user".into()))
    );
    let lines = home.config(home.cmd().env("RMABOARD_USER", "env-user"));
    assert_eq!(
        origin(&lines, "user"),
        (
            "env-user".into(),
            "env".into(),
            Some("RMABOARD_USER".into())
        )
    );
    let lines = home.config(&mut home.cmd());
    assert_eq!(
        origin(&lines, "user"),
        ("login-user".into(), "env".into(), Some("USER".into()))
    );

    // Settings of the file: set there, or the default.
    let lines = home.config(&mut with_file());
    assert_eq!(origin(&lines, "clocks.received_days").0, 5);
    assert_eq!(origin(&lines, "clocks.received_days").1, "file");
    assert_eq!(origin(&lines, "clocks.expected_days").0, 21);
    assert_eq!(origin(&lines, "clocks.expected_days").1, "default");
    assert_eq!(origin(&lines, "mail.from").1, "file");
    assert_eq!(origin(&lines, "mail.command").1, "default");
    assert_eq!(origin(&lines, "board.show_expected").0, true);
    // The bills go beside the database the file names.
    assert_eq!(
        origin(&lines, "paperwork.bills_dir").0,
        Value::from("/from/bills")
    );
}

#[test]
fn the_system_config_is_read_first_and_the_users_file_overrides_it_key_by_key() {
    let home = Home::new();
    let system = home.write(
        "system.toml",
        "db = \"/srv/shop/rma.sqlite\"\n[clocks]\nreceived_days = 4\n[mail]\nfrom = \"Shop <shop@x.example>\"\n",
    );
    let user = home.write("user.toml", "[mail]\nfrom = \"Me <me@x.example>\"\n");
    let lines = home.config(
        home.cmd()
            .env("RMABOARD_SYSTEM_CONFIG", &system)
            .env("RMABOARD_CONFIG", &user),
    );
    let system_name = system.display().to_string();
    let user_name = user.display().to_string();
    assert_eq!(
        origin(&lines, "db"),
        (
            "/srv/shop/rma.sqlite".into(),
            "file".into(),
            Some(system_name.clone())
        )
    );
    assert_eq!(
        origin(&lines, "clocks.received_days"),
        (4.into(), "file".into(), Some(system_name.clone()))
    );
    assert_eq!(
        origin(&lines, "mail.from"),
        ("Me <me@x.example>".into(), "file".into(), Some(user_name))
    );
    let (value, _, _) = origin(&lines, "system_config_file");
    assert_eq!(value, system_name.as_str());
    // Without a user file the system's settings hold alone.
    let lines = home.config(home.cmd().env("RMABOARD_SYSTEM_CONFIG", &system));
    assert_eq!(origin(&lines, "db").0, "/srv/shop/rma.sqlite");
    // A broken system file is named.
    let broken = home.write("broken.toml", "[clocks]\nrecieved_days = 4\n");
    let out = home
        .cmd()
        .env("RMABOARD_SYSTEM_CONFIG", &broken)
        .arg("list")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.toml"), "{err}");
}

#[test]
fn config_names_the_files_and_whether_they_are_there() {
    let home = Home::new();
    // No RMABOARD_CONFIG: the platform's folder in this HOME, which has nothing yet.
    let lines = home.config(&mut home.cmd());
    let config_file = setting(&lines, "config_file");
    assert_eq!(config_file["source"], "default");
    assert_eq!(config_file["exists"], false);
    let path = PathBuf::from(config_file["value"].as_str().unwrap());
    assert!(
        path.starts_with(home.path("home")) && path.ends_with("rmaboard/config.toml"),
        "{}",
        path.display()
    );
    assert_eq!(setting(&lines, "keys_file")["exists"], false);
    assert_eq!(setting(&lines, "templates_dir")["exists"], false);

    // RMABOARD_CONFIG: the keys and templates beside it.
    let file = home.write("config.toml", "[board]\nshipped_days = 7\n");
    home.write("keys.toml", "[[keymap]]\nrun = \"quit\"\non = [\"q\"]\n");
    std::fs::create_dir(home.path("templates")).unwrap();
    let lines = home.config(home.cmd().env("RMABOARD_CONFIG", &file));
    let config_file = setting(&lines, "config_file");
    assert_eq!(config_file["source"], "env");
    assert_eq!(config_file["via"], "RMABOARD_CONFIG");
    assert_eq!(config_file["exists"], true);
    for (name, path) in [
        ("keys_file", home.path("keys.toml")),
        ("templates_dir", home.path("templates")),
    ] {
        let l = setting(&lines, name);
        assert_eq!(l["value"], path.display().to_string());
        assert_eq!(l["exists"], true, "{name}");
    }
    assert_eq!(origin(&lines, "board.shipped_days").0, 7);

    // For people: one aligned line per setting, with its source.
    let text = home.ok(home.cmd().env("RMABOARD_CONFIG", &file).args([
        "--db",
        "/from/flag.sqlite",
        "config",
    ]));
    let db_line = text.lines().find(|l| l.starts_with("db ")).unwrap();
    assert!(
        db_line.contains("/from/flag.sqlite") && db_line.contains("--db"),
        "{text}"
    );
    let shipped = text
        .lines()
        .find(|l| l.starts_with("board.shipped_days"))
        .unwrap();
    assert!(
        // Which file: the user's, or the shop-wide one.
        shipped.contains("7") && shipped.contains(&file.display().to_string()),
        "{text}"
    );
    assert!(
        !Path::new("/from/flag.sqlite").exists(),
        "config created nothing"
    );
}

#[test]
fn completions_man_and_config_work_with_a_broken_config_file() {
    let h = Home::new();
    let file = h.path("config.toml");
    std::fs::write(&file, "db = 5\n").unwrap();
    let run = |args: &[&str]| {
        h.cmd()
            .env("RMABOARD_CONFIG", &file)
            .args(args)
            .output()
            .unwrap()
    };
    let completions = run(&["completions", "bash"]);
    assert!(completions.status.success(), "{completions:?}");
    assert!(String::from_utf8_lossy(&completions.stdout).contains("rmaboard"));
    let man = run(&["man"]);
    assert!(man.status.success(), "{man:?}");
    // `config` is how one finds out what is wrong: it names the file.
    let config = run(&["config"]);
    let said = String::from_utf8_lossy(&config.stderr);
    assert!(
        said.contains("config.toml") && said.contains("not valid"),
        "{said}"
    );
    // Every other command refuses with the same sentence.
    let list = run(&["list"]);
    assert_eq!(list.status.code(), Some(1));
}

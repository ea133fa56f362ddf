//! The real binary in a pseudo-terminal: it draws the board, answers keys, and gives the
//! terminal back when it quits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::fs::File;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rmaboard");

/// A pseudo-terminal pair: the master to talk to, the path of the slave for the child.
fn open_pty(cols: u16, rows: u16) -> (File, String) {
    rmaboard::tui::bench::open_pty(cols, rows).unwrap()
}

/// Drop escape sequences so the text on screen can be searched.
fn plain(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

struct Screen {
    output: Arc<Mutex<Vec<u8>>>,
    input: File,
}

impl Screen {
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        loop {
            let seen = plain(&self.output.lock().unwrap());
            if seen.contains(text) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{text:?} never appeared; the screen showed:\n{}",
                seen.chars()
                    .skip(seen.chars().count().saturating_sub(3000))
                    .collect::<String>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, keys: &str) {
        self.input.write_all(keys.as_bytes()).unwrap();
        self.input.flush().unwrap();
    }
}

#[test]
fn the_binary_draws_answers_keys_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let filled = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "demo", "--no-board"])
        .env("RMABOARD_CONFIG", dir.path().join("config.toml"))
        .output()
        .unwrap();
    assert!(
        filled.status.success(),
        "{}",
        String::from_utf8_lossy(&filled.stderr)
    );

    let (master, slave_path) = open_pty(80, 24);
    let slave = File::options()
        .read(true)
        .write(true)
        .open(&slave_path)
        .unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["--db", db.to_str().unwrap()])
        .env("TERM", "xterm-256color")
        .env("RMABOARD_USER", "pty")
        .env("RMABOARD_CONFIG", dir.path().join("config.toml"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    rmaboard::sys::with_controlling_terminal(&mut cmd);
    let mut child = cmd.spawn().unwrap();

    let output = Arc::new(Mutex::new(Vec::new()));
    let mut reader = master.try_clone().unwrap();
    let sink = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut screen = Screen {
        output: Arc::clone(&output),
        input: master,
    };

    // The board at 80x24: tabs with counts, the focused pane, the status bar.
    screen.wait_for("Expected");
    screen.wait_for("RMA-2026-");
    screen.wait_for("pty");
    screen.send("?");
    screen.wait_for("Scan or type an IMEI");
    screen.send("?");
    // A person's key and a scan come apart in time, as at a bench: within a few
    // milliseconds the two would read as one burst.
    std::thread::sleep(Duration::from_millis(200));
    // A scanner types an RMA number and Enter: the detail view opens.
    screen.send("RMA-2026-00001\r");
    screen.wait_for("In stage since");
    screen.send("q");

    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the board did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    // Give the reader a moment for the last bytes, then check the terminal was handed
    // back: the alternate screen left.
    std::thread::sleep(Duration::from_millis(200));
    let bytes = output.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("\u{1b}[?1049h"),
        "no alternate screen entered"
    );
    assert!(
        text.contains("\u{1b}[?1049l"),
        "the alternate screen was not left"
    );
}

/// A request answered from the board in the real binary, checked through the command line.
#[test]
fn a_request_is_answered_from_the_board_and_the_command_line_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let config = dir.path().join("config.toml");
    let cli = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["--db", db.to_str().unwrap()])
            .args(args)
            .env("RMABOARD_CONFIG", &config)
            .env("RMABOARD_USER", "pty")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()
    };
    cli(&["demo", "--no-board"]);
    let before = cli(&["requests", "--open", "--json"]).unwrap();
    let third = &before.as_array().unwrap()[2];
    let id = third["id"].as_i64().unwrap();
    assert_eq!(third["imeis"].as_array().unwrap().len(), 3, "{third}");
    assert!(third["answered_at"].is_null());

    let (master, slave_path) = open_pty(160, 45);
    let slave = File::options()
        .read(true)
        .write(true)
        .open(&slave_path)
        .unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["--db", db.to_str().unwrap()])
        .env("TERM", "xterm-256color")
        .env("RMABOARD_USER", "pty")
        .env("RMABOARD_CONFIG", &config)
        .env_remove("NO_COLOR")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    rmaboard::sys::with_controlling_terminal(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let output = Arc::new(Mutex::new(Vec::new()));
    let mut reader = master.try_clone().unwrap();
    let sink = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut screen = Screen {
        output: Arc::clone(&output),
        input: master,
    };
    screen.wait_for("Req (5)");
    // Into the Requests pane, down to the third request, its mail: one key at a time,
    // as a person types (a burst would read as a scan).
    for key in ["h", "j", "j", "\r"] {
        screen.send(key);
        std::thread::sleep(Duration::from_millis(200));
    }
    // The screen is drawn as changes: wait for text no earlier screen had there.
    screen.wait_for("Devices (3)");
    screen.send("o");
    // Another process sees the answer as soon as the board's worker has saved it.
    let start = Instant::now();
    let answered = loop {
        let now = cli(&["requests", "--json"]).unwrap();
        let r = now
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"].as_i64() == Some(id))
            .cloned()
            .unwrap();
        if !r["answered_at"].is_null() {
            break r;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never answered: {r}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    screen.wait_for("RMA instructions");
    screen.send("q");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the board did not quit"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    assert_eq!(answered["answer"], "opened", "{answered}");
    assert_eq!(answered["answered_by"], "pty", "{answered}");
    let shown = cli(&["request", &id.to_string(), "--json"]).unwrap();
    for device in shown["devices"].as_array().unwrap() {
        assert!(device["open_case"].is_string(), "{device}");
    }
}

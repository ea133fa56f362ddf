//! The command line as the shop scripts it: each test runs `rmaboard` as a process against
//! its own temporary database, with a fixed clock (`--at`, `--on`, `--claimed-at`) so no
//! test depends on today's date, and checks what a user would see (stdout, stderr, exit
//! code) and what is left in the database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use predicates::prelude::*;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use tempfile::TempDir;

use common::s10;

/// The staff name every command runs as unless a test says otherwise.
const USER: &str = "tester";

/// The claim and opening time most tests use (the shell's TZ is UTC in these tests).
const AT: &str = "2025-04-01 09:00";

/// The keys of the JSON case object the shop scripts against.
const CASE_KEYS: [&str; 19] = [
    "rma",
    "imei",
    "stage",
    "outcome",
    "verdict",
    "order_number",
    "customer_number",
    "model",
    "fault",
    "part",
    "tracking_in",
    "manufacturer_ref",
    "tracking_out",
    "rounds",
    "opened_at",
    "updated_at",
    "version",
    "notes",
    "events",
];

// ---------------------------------------------------------------------------------------
// Identifiers

/// The Luhn check digit exactly as DOMAIN.md states it, to cross-check the crate's helper.
fn luhn(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap();
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A valid IMEI for a test device (serial 1, 2, ...).
fn imei(serial: u32) -> String {
    let made = common::imei(serial);
    assert_eq!(
        made[14..].parse::<u32>().unwrap(),
        luhn(&made[..14]),
        "{made}"
    );
    made
}

/// The same IMEI with its check digit changed, and the digit that was expected.
fn wrong_check_digit(valid: &str) -> (String, u32) {
    let right: u32 = valid[14..].parse().unwrap();
    (format!("{}{}", &valid[..14], (right + 1) % 10), right)
}

// The test registry: (serial, order, customer, model, category, dispatched_on).
const P1: u32 = 1; // phone, guarantee 2025-03-15 .. 2026-03-15
const P2: u32 = 2; // phone, same dates
const TAB: u32 = 3; // tablet, guarantee 2025-06-06 .. 2026-06-06
const ACC: u32 = 4; // a charger sold on its own
const LEAP: u32 = 5; // phone dispatched 2024-02-24: 2024-02-29 .. 2025-02-28
const LATE: u32 = 6; // phone dispatched 2025-12-01, for a case opened in 2026
const P3: u32 = 7; // phone, like P1
const P4: u32 = 8; // phone, like P1
const UNKNOWN: u32 = 99; // never sold by us

const REGISTRY: &[(u32, &str, &str, &str, &str, &str)] = &[
    (P1, "SO-1", "C-1", "CECT P30 Pro", "phone", "2025-03-10"),
    (P2, "SO-2", "C-2", "CECT M10 Mini", "phone", "2025-03-10"),
    (TAB, "SO-3", "C-1", "CECT Pad 10", "tablet", "2025-06-01"),
    (
        ACC,
        "SO-4",
        "C-3",
        "CECT 30W Charger",
        "accessory",
        "2025-06-01",
    ),
    (LEAP, "SO-5", "C-3", "CECT Note 9", "phone", "2024-02-24"),
    (LATE, "SO-6", "C-2", "CECT X5 Rugged", "phone", "2025-12-01"),
    (P3, "SO-7", "C-4", "CECT P30 Pro", "phone", "2025-03-10"),
    (P4, "SO-8", "C-4", "CECT P30 Pro", "phone", "2025-03-10"),
];

const HEADER: &str = "imei,order_number,customer_number,model,category,dispatched_on";

fn registry_csv() -> String {
    let mut s = format!("{HEADER},customer_name,country\n");
    for (serial, order, customer, model, category, dispatched) in REGISTRY {
        s.push_str(&format!(
            "{},{order},{customer},{model},{category},{dispatched},Reseller {customer},DE\n",
            imei(*serial)
        ));
    }
    s
}

// ---------------------------------------------------------------------------------------
// A shop on a temporary database

struct Shop {
    dir: TempDir,
    db: PathBuf,
}

impl Shop {
    /// A database that does not exist yet.
    fn empty() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite");
        Shop { dir, db }
    }

    /// An initialised database with no sales.
    fn new() -> Shop {
        let shop = Shop::empty();
        shop.ok(&["init"]);
        shop
    }

    /// A database holding the test registry.
    fn stocked() -> Shop {
        let shop = Shop::new();
        let out = shop.ok(&["sales", "import", &shop.file("sales.csv", &registry_csv())]);
        assert_eq!(out, "imported 8, unchanged 0, rejected 0\n");
        shop
    }

    /// `rmaboard --db <tmp>` with the user's own config, identity and database kept out.
    fn std_cmd(&self, tz: &str) -> std::process::Command {
        let mut c = common::rmaboard(&self.db, &self.dir.path().join("no-config.toml"), USER);
        c.env("TZ", tz);
        c
    }

    fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd("UTC"))
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Run a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    /// Run a command that must be refused with `code`, print nothing on stdout, explain
    /// itself in one line on stderr (clap's usage errors excepted) and leave the database
    /// as it was. Returns stderr.
    fn refuse(&self, args: &[&str], code: i32) -> String {
        let before = self.snapshot();
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?} should exit with {code}; stderr: {err}"
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed on stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        if code != 2 {
            assert_eq!(err.lines().count(), 1, "{args:?}: one line expected: {err}");
            assert!(err.starts_with("rmaboard: "), "{err}");
            assert!(err.ends_with('\n'), "{err:?}");
        } else {
            assert!(!err.is_empty());
        }
        assert_eq!(
            self.snapshot(),
            before,
            "the database changed after {args:?} was refused"
        );
        err
    }

    /// Write a file into the test's folder; its path.
    fn file(&self, name: &str, content: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.into_os_string().into_string().unwrap()
    }

    fn sql(&self) -> Connection {
        Connection::open_with_flags(&self.db, OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap()
    }

    /// Everything the shop keeps, as text: to compare before and after a refusal.
    fn snapshot(&self) -> String {
        if !self.db.exists() {
            return "no database".into();
        }
        let head = std::fs::read(&self.db).unwrap();
        if !head.starts_with(b"SQLite format 3\0") {
            // Not a database (yet): the bytes themselves must stay as they are.
            return format!("{head:?}");
        }
        common::dump(
            &self.sql(),
            &["sales", "rma_counters", "cases", "notes", "events"],
        )
    }

    fn count(&self, table: &str) -> i64 {
        self.sql()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    /// Open a case for test device `serial` at `at`; its RMA number.
    fn open(&self, serial: u32, at: &str, extra: &[&str]) -> String {
        let imei = imei(serial);
        let mut args = vec!["--at", at, "open", "--imei", &imei, "--fault", "No sound"];
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        assert!(out.starts_with("RMA-") && out.ends_with('\n'), "{out:?}");
        assert_eq!(out.lines().count(), 1, "{out:?}");
        out.trim_end().to_string()
    }

    fn show(&self, key: &str) -> Value {
        serde_json::from_str(&self.ok(&["show", key, "--json"])).unwrap()
    }

    fn stage(&self, key: &str) -> String {
        self.show(key)["stage"].as_str().unwrap().to_string()
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// The contract's keys are all there (more may be added for people, none renamed).
fn assert_case_object(v: &Value) {
    let have = keys(v);
    for k in CASE_KEYS {
        assert!(have.contains(k), "the case object lacks {k}: {v}");
    }
    for n in v["notes"].as_array().unwrap() {
        assert_eq!(keys(n), set(&["at", "author", "text"]), "{n}");
    }
    for e in v["events"].as_array().unwrap() {
        let k = keys(e);
        for want in ["at", "author", "kind", "from", "to"] {
            assert!(k.contains(want), "an event lacks {want}: {e}");
        }
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Stage moves in the event log: (author, kind, from, to, at).
fn stage_events(case: &Value) -> Vec<(String, String, String, String, String)> {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "stage")
        .map(|e| {
            (
                s(&e["author"]).to_string(),
                s(&e["kind"]).to_string(),
                e["from"].as_str().unwrap_or("-").to_string(),
                s(&e["to"]).to_string(),
                s(&e["at"]).to_string(),
            )
        })
        .collect()
}

fn has_event(case: &Value, kind: &str, field: &str, from: Value, to: Value) -> bool {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == kind && e["field"] == field && e["from"] == from && e["to"] == to)
}

fn no_control_bytes(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c))
}

// ---------------------------------------------------------------------------------------
// init

#[test]
fn helpers_agree_with_the_worked_examples() {
    assert_eq!(luhn("26053179311383"), 7);
    assert_eq!(luhn("49015420323751"), 8);
    assert_eq!(s10(12_345_678), "RR123456785CN");
    assert_eq!(
        rmaboard::demo::make_s10("RR", 47_312_482, "CN"),
        "RR473124829CN"
    );
}

#[test]
fn init_creates_the_database_prints_its_path_and_is_idempotent() {
    let mut shop = Shop::empty();
    shop.db = shop.dir.path().join("new folder/shop.sqlite");
    let out = shop.ok(&["init"]);
    assert_eq!(out, format!("{}\n", shop.db.display()));
    assert!(shop.db.exists());
    let before = shop.snapshot();
    assert_eq!(shop.ok(&["init"]), out);
    assert_eq!(shop.snapshot(), before);
    // The schema is there and empty.
    assert_eq!(shop.count("sales"), 0);
    assert_eq!(shop.count("cases"), 0);
}

#[test]
fn the_database_comes_from_rmaboard_db_when_no_flag_is_given() {
    let shop = Shop::empty();
    let elsewhere = shop.dir.path().join("from-env.sqlite");
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("rmaboard"));
    c.arg("init")
        .env("RMABOARD_CONFIG", shop.dir.path().join("no-config.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .env("RMABOARD_DB", &elsewhere);
    Command::from_std(c)
        .assert()
        .success()
        .stdout(predicate::eq(format!("{}\n", elsewhere.display())))
        .stderr(predicate::str::is_empty());
    assert!(elsewhere.exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let shop = Shop::empty();
    std::fs::write(&shop.db, "these are not the tables you are looking for").unwrap();
    let err = shop.refuse(&["init"], 1);
    assert!(err.contains("is not an rmaboard database"), "{err}");
    assert!(err.contains("--db"), "{err}");
}

// ---------------------------------------------------------------------------------------
// sales import

#[test]
fn a_good_sales_file_is_imported_and_readable_with_plain_sql() {
    let shop = Shop::stocked();
    assert_eq!(shop.count("sales"), 8);
    let (order, customer, name, country, model, category, dispatched): (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ) = shop
        .sql()
        .query_row(
            "SELECT order_number, customer_number, customer_name, country, model, category,
                    dispatched_on FROM sales WHERE imei = ?1",
            [imei(TAB)],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        (order, customer, name, country, model, category, dispatched),
        (
            "SO-3".into(),
            "C-1".into(),
            "Reseller C-1".into(),
            "DE".into(),
            "CECT Pad 10".into(),
            "tablet".into(),
            "2025-06-01".into()
        )
    );
}

#[test]
fn re_importing_the_same_file_changes_nothing() {
    let shop = Shop::stocked();
    let before = shop.snapshot();
    let out = shop.ok(&["sales", "import", &shop.file("again.csv", &registry_csv())]);
    assert_eq!(out, "imported 0, unchanged 8, rejected 0\n");
    assert_eq!(shop.snapshot(), before);
}

#[test]
fn imeis_are_normalised_on_import() {
    let shop = Shop::new();
    let i = imei(P1);
    let spaced = format!("{}-{} {}", &i[..2], &i[2..8], &i[8..]);
    let csv = format!("{HEADER}\n{spaced},SO-1,C-1,P30,phone,2025-03-10\n");
    shop.ok(&["sales", "import", &shop.file("s.csv", &csv)]);
    let stored: String = shop
        .sql()
        .query_row("SELECT imei FROM sales", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, i);
}

/// A file with good rows on lines 2 and 5 and a bad row on every other line, with a
/// blank line (4) and a quoted line break (line 9 spans two lines) on the way.
fn mixed_file() -> (String, Vec<(u64, &'static str)>) {
    let (bad_imei, expected) = wrong_check_digit(&imei(P1));
    let imeisv = format!("{}00", &imei(P2)[..14]);
    let csv = format!(
        "{HEADER}\n\
         {p1},SO-1,C-1,P30,phone,2025-03-10\n\
         {bad_imei},SO-9,C-9,P30,phone,2025-03-10\n\
         \n\
         {p2},SO-2,C-2,M10,phone,2025-03-10\n\
         {tab},SO-3,C-1,Pad,toaster,2025-06-01\n\
         {acc},SO-4,C-3,Charger,accessory,2025-02-30\n\
         {leap},SO-5,C-3,Note,phone,2099-01-01\n\
         {late},,C-2,\"X5\nRugged\",phone,2025-12-01\n\
         {imeisv},SO-7,C-2,X5,phone,2025-12-01\n\
         {u},SO-8,C-2\n",
        p1 = imei(P1),
        p2 = imei(P2),
        tab = imei(TAB),
        acc = imei(ACC),
        leap = imei(LEAP),
        late = imei(LATE),
        u = imei(UNKNOWN),
    );
    let expected_digit: &'static str = Box::leak(format!("expected {expected}").into_boxed_str());
    let problems = vec![
        (3, expected_digit),
        (6, "category: "),
        (7, "dispatched_on: "),
        (8, "in the future"),
        // A line break inside quotes is a bad row of itself (one sale per line).
        (9, "a field holds a line break"),
        (11, "IMEISV"),
        (12, "fields but the header has 6"),
    ];
    (csv, problems)
}

fn assert_problems(stderr: &str, problems: &[(u64, &str)]) {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(lines.len(), problems.len(), "{stderr}");
    for (line, (n, what)) in lines.iter().zip(problems) {
        assert!(
            line.starts_with(&format!("line {n}: ")),
            "expected line {n}: {line}\n{stderr}"
        );
        assert!(line.contains(what), "line {n} should say {what:?}: {line}");
    }
}

#[test]
fn a_bad_sales_file_imports_nothing_and_names_every_bad_line() {
    let shop = Shop::new();
    let (csv, problems) = mixed_file();
    let path = &shop.file("mixed.csv", &csv);
    let before = shop.snapshot();
    let out = shop.run(&["sales", "import", path]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_problems(&stderr, &problems);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "imported 0, unchanged 0, rejected 7\n"
    );
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("rmaboard: 7 bad row"), "{last}");
    assert!(last.contains("--skip-invalid"), "{last}");
    assert_eq!(shop.snapshot(), before);
    assert_eq!(shop.count("sales"), 0);
}

#[test]
fn windows_line_endings_and_a_bom_keep_the_line_numbers() {
    let shop = Shop::new();
    let (csv, problems) = mixed_file();
    let csv = format!("\u{feff}{}", csv.replace('\n', "\r\n"));
    let out = shop.run(&[
        "sales",
        "import",
        &shop.file("crlf.csv", &csv),
        "--skip-invalid",
    ]);
    assert!(out.status.success());
    assert_problems(&String::from_utf8(out.stderr).unwrap(), &problems);
    assert_eq!(shop.count("sales"), 2);
}

#[test]
fn skip_invalid_imports_the_good_rows_and_still_names_the_bad_ones() {
    let shop = Shop::new();
    let (csv, problems) = mixed_file();
    let out = shop.run(&[
        "sales",
        "import",
        &shop.file("mixed.csv", &csv),
        "--skip-invalid",
    ]);
    assert!(out.status.success());
    assert_problems(&String::from_utf8(out.stderr).unwrap(), &problems);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "imported 2, unchanged 0, rejected 7\n"
    );
    let imported: Vec<String> = shop
        .sql()
        .prepare("SELECT imei FROM sales ORDER BY order_number")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(imported, vec![imei(P1), imei(P2)]);
}

#[test]
fn an_imei_sold_again_with_other_data_is_a_conflict_not_an_overwrite() {
    let shop = Shop::stocked();
    let csv = format!(
        "{HEADER}\n\
         {new},SO-70,C-7,CECT P30 Pro,phone,2025-05-05\n\
         {p1},SO-999,C-1,CECT P30 Pro,phone,2025-03-10\n",
        new = imei(70),
        p1 = imei(P1)
    );
    let path = &shop.file("conflict.csv", &csv);
    let before = shop.snapshot();

    let out = shop.run(&["sales", "import", path]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let first = stderr.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "line 3: IMEI {} is already in the registry (or earlier in this file) with different data",
            imei(P1)
        )),
        "{stderr}"
    );
    assert!(
        first.contains("SO-999") && first.contains("SO-1"),
        "{first}"
    );
    assert_eq!(shop.snapshot(), before, "nothing may be imported");

    // With --skip-invalid the new sale goes in, the conflicting one is still refused.
    let out = shop.run(&["sales", "import", path, "--skip-invalid"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "imported 1, unchanged 0, rejected 1\n"
    );
    let order: String = shop
        .sql()
        .query_row(
            "SELECT order_number FROM sales WHERE imei = ?1",
            [imei(P1)],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(order, "SO-1", "the registry row was overwritten");
    assert_eq!(shop.count("sales"), 9);
}

#[test]
fn unusable_sales_files_are_refused_whole() {
    let shop = Shop::stocked();
    let missing = shop.dir.path().join("nope.csv");
    let err = shop.refuse(&["sales", "import", missing.to_str().unwrap()], 1);
    assert!(err.contains("could not open the sales file"), "{err}");

    let err = shop.refuse(
        &["sales", "import", &shop.file("h.csv", "imei,model\n1,2\n")],
        1,
    );
    assert!(
        err.contains("lacks the columns order_number, customer_number, category, dispatched_on"),
        "{err}"
    );
    let err = shop.refuse(&["sales", "import", &shop.file("e.csv", "")], 1);
    assert!(err.contains("no header"), "{err}");
}

// ---------------------------------------------------------------------------------------
// warranty

#[test]
fn a_file_without_line_breaks_is_refused_in_bounded_memory() {
    let shop = Shop::stocked();
    // /dev/zero never ends: the import must stop at the first row's limit.
    let started = std::time::Instant::now();
    let err = shop.refuse(&["sales", "import", "/dev/zero"], 1);
    assert!(
        err.contains("/dev/zero: line 1: a row longer than 65536 bytes starts here"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let mut text = format!(
        "{HEADER}\n{},SO-9,C-9,CECT P30 Pro,phone,2025-03-10\n",
        imei(UNKNOWN)
    );
    text.push_str(&"x".repeat(100_000));
    let file = shop.file("long.csv", &text);
    let err = shop.refuse(&["sales", "import", &file, "--skip-invalid"], 1);
    assert!(err.contains("line 3: a row longer than"), "{err}");
}

#[test]
fn a_slow_input_does_not_hold_the_write_lock() {
    use std::io::Write;
    let shop = Shop::stocked();
    let fifo = shop.dir.path().join("sales.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let import = shop
        .std_cmd("UTC")
        .args(["sales", "import"])
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    writeln!(pipe, "{HEADER}").unwrap();
    writeln!(
        pipe,
        "{},SO-9,C-9,CECT P30 Pro,phone,2025-03-10",
        imei(UNKNOWN)
    )
    .unwrap();
    pipe.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // A colleague writes while the file is still arriving, and is not kept waiting.
    let colleague = shop.sql();
    colleague
        .busy_timeout(std::time::Duration::from_millis(200))
        .unwrap();
    colleague
        .execute_batch("BEGIN IMMEDIATE; UPDATE rma_counters SET year = year WHERE 0; COMMIT;")
        .unwrap();
    drop(colleague);
    drop(pipe);
    let out = import.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(shop.count("sales"), 9);
}

fn verdict(shop: &Shop, serial: u32, on: &str, part: &str) -> Value {
    let v: Value = serde_json::from_str(&shop.ok(&[
        "warranty",
        &imei(serial),
        "--on",
        on,
        "--part",
        part,
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        keys(&v),
        set(&["imei", "verdict", "reason", "starts_on", "ends_on"]),
        "{v}"
    );
    assert_eq!(v["imei"], imei(serial));
    assert!(!s(&v["reason"]).is_empty());
    v
}

#[test]
fn warranty_verdicts_with_their_boundary_days() {
    let shop = Shop::stocked();
    let cases: &[(u32, &str, &str, &str)] = &[
        // Dispatched 2025-03-10: delivery damage until the guarantee starts 5 days later.
        (P1, "2025-03-10", "device", "delivery_damage"),
        (P1, "2025-03-14", "device", "delivery_damage"),
        (P1, "2025-03-15", "device", "covered"),
        (P1, "2026-03-15", "device", "covered"),
        (P1, "2026-03-16", "device", "expired"),
        // Parts and things that are never covered, however fresh.
        (P1, "2025-04-01", "battery", "not_covered"),
        (P1, "2025-04-01", "charger", "not_covered"),
        (P1, "2025-04-01", "cable", "not_covered"),
        (P1, "2025-04-01", "headphones", "not_covered"),
        (P1, "2025-04-01", "software", "not_covered"),
        (P1, "2025-04-01", "component", "not_covered"),
        (ACC, "2025-07-01", "device", "not_covered"),
        (TAB, "2025-07-01", "device", "covered"),
        // Leap year: dispatched 2024-02-24, starts 2024-02-29, ends 2025-02-28.
        (LEAP, "2024-02-28", "device", "delivery_damage"),
        (LEAP, "2024-02-29", "device", "covered"),
        (LEAP, "2025-02-28", "device", "covered"),
        (LEAP, "2025-03-01", "device", "expired"),
    ];
    for (serial, on, part, want) in cases {
        let v = verdict(&shop, *serial, on, part);
        assert_eq!(v["verdict"], *want, "{serial} on {on} ({part}): {v}");
    }
    let v = verdict(&shop, P1, "2025-04-01", "device");
    assert_eq!(v["starts_on"], "2025-03-15");
    assert_eq!(v["ends_on"], "2026-03-15");
    let v = verdict(&shop, LEAP, "2024-03-01", "device");
    assert_eq!(v["starts_on"], "2024-02-29");
    assert_eq!(v["ends_on"], "2025-02-28");
    let v = verdict(&shop, P1, "2025-03-12", "device");
    assert!(s(&v["reason"]).contains("packaging"), "{v}");

    let v = verdict(&shop, UNKNOWN, "2025-04-01", "device");
    assert_eq!(v["verdict"], "not_sold_by_us");
    assert_eq!(v["starts_on"], Value::Null);
    assert_eq!(v["ends_on"], Value::Null);
}

#[test]
fn warranty_for_people_and_on_the_day_of_at() {
    let shop = Shop::stocked();
    let out = shop.ok(&["warranty", &imei(P1), "--on", "2025-04-01"]);
    assert!(
        out.starts_with(&format!("{}: covered - ", imei(P1))),
        "{out}"
    );
    assert!(out.contains("guarantee 2025-03-15 to 2026-03-15"), "{out}");
    // Without --on the claim day is the day of --at (default: today).
    let on_day = |at: &str| -> Value {
        serde_json::from_str(&shop.ok(&["--at", at, "warranty", &imei(P1), "--json"])).unwrap()
    };
    assert_eq!(on_day("2026-03-15 23:59")["verdict"], "covered");
    assert_eq!(on_day("2026-03-16")["verdict"], "expired");
}

#[test]
fn warranty_refuses_bad_input() {
    let shop = Shop::stocked();
    let (bad, expected) = wrong_check_digit(&imei(P1));
    let err = shop.refuse(&["warranty", &bad], 1);
    assert!(err.contains("check digit"), "{err}");
    assert!(err.contains(&format!("expected {expected}")), "{err}");
    let err = shop.refuse(&["warranty", &format!("{}00", &imei(P1)[..14])], 1);
    assert!(err.contains("IMEISV"), "{err}");
    let err = shop.refuse(&["warranty", "12345"], 1);
    assert!(err.contains("15"), "{err}");
    let err = shop.refuse(&["warranty", &imei(P1), "--on", "2025-02-30"], 1);
    assert!(err.contains("--on") && err.contains("YYYY-MM-DD"), "{err}");
    let err = shop.refuse(&["warranty", &imei(P1), "--on", "2025-03-09"], 1);
    assert!(err.contains("before the device was dispatched"), "{err}");
    shop.refuse(&["warranty", &imei(P1), "--part", "screen"], 2);
}

// ---------------------------------------------------------------------------------------
// open

#[test]
fn open_prints_only_the_rma_number_and_numbers_run_per_year() {
    let shop = Shop::stocked();
    assert_eq!(shop.open(P1, AT, &[]), "RMA-2025-00001");
    assert_eq!(shop.open(P2, "2025-04-02 10:00", &[]), "RMA-2025-00002");
    assert_eq!(shop.open(TAB, "2025-07-01", &[]), "RMA-2025-00003");
    // A refusal does not use up a number.
    shop.refuse(
        &["--at", AT, "open", "--imei", &imei(UNKNOWN), "--fault", "x"],
        1,
    );
    assert_eq!(shop.open(LATE, "2026-01-05", &[]), "RMA-2026-00001");
    assert_eq!(shop.open(P3, "2026-01-06", &[]), "RMA-2026-00002");
    let counters: Vec<(i64, i64)> = shop
        .sql()
        .prepare("SELECT year, last_seq FROM rma_counters ORDER BY year")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(counters, vec![(2025, 3), (2026, 2)]);
}

#[test]
fn open_json_gives_the_case_object() {
    let shop = Shop::stocked();
    let out = shop.ok(&[
        "--at",
        AT,
        "--user",
        "alice",
        "open",
        "--imei",
        &imei(P1),
        "--fault",
        "  No sound from the speaker ",
        "--tracking-in",
        "rr 123 456 785 cn",
        "--json",
    ]);
    let c: Value = serde_json::from_str(&out).unwrap();
    assert_case_object(&c);
    assert_eq!(c["rma"], "RMA-2025-00001");
    assert_eq!(c["imei"], imei(P1));
    assert_eq!(c["stage"], "expected");
    assert_eq!(c["outcome"], Value::Null);
    assert_eq!(c["verdict"], "covered");
    assert_eq!(c["order_number"], "SO-1");
    assert_eq!(c["customer_number"], "C-1");
    assert_eq!(c["model"], "CECT P30 Pro");
    assert_eq!(c["fault"], "No sound from the speaker");
    assert_eq!(c["part"], "device");
    assert_eq!(c["tracking_in"], "RR123456785CN");
    assert_eq!(c["manufacturer_ref"], Value::Null);
    assert_eq!(c["tracking_out"], Value::Null);
    assert_eq!(c["rounds"], 0);
    assert_eq!(c["opened_at"], "2025-04-01T09:00:00Z");
    assert_eq!(c["updated_at"], "2025-04-01T09:00:00Z");
    assert_eq!(c["version"], 1);
    assert_eq!(c["notes"], Value::Array(vec![]));
    assert_eq!(
        stage_events(&c),
        vec![(
            "alice".into(),
            "open".into(),
            "-".into(),
            "expected".into(),
            "2025-04-01T09:00:00Z".into()
        )]
    );
    // The same object as show --json gives.
    assert_eq!(shop.show("RMA-2025-00001"), c);
}

#[test]
fn open_takes_the_verdict_on_the_claim_day() {
    let shop = Shop::stocked();
    // Claimed on the guarantee's last day, opened weeks later: covered.
    let c: Value = serde_json::from_str(&shop.ok(&[
        "--at",
        "2026-04-10 08:00",
        "open",
        "--imei",
        &imei(P1),
        "--fault",
        "Dead",
        "--claimed-at",
        "2026-03-15 17:00",
        "--json",
    ]))
    .unwrap();
    assert_eq!(c["verdict"], "covered");
    assert_eq!(c["opened_at"], "2026-04-10T08:00:00Z");
    // Before the guarantee starts: delivery damage, accepted without an override.
    let rma = shop.open(P2, "2025-03-12", &[]);
    assert_eq!(shop.show(&rma)["verdict"], "delivery_damage");
}

#[test]
fn open_refuses_what_the_policy_does_not_cover() {
    let shop = Shop::stocked();
    let open = |serial: u32, at: &str, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["--at", at, "open", "--imei", &imei(serial), "--fault", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let refuse = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        shop.refuse(&args, 1)
    };
    let err = refuse(open(P1, "2026-03-16", &[]));
    assert!(
        err.contains("expired") && err.contains("--override"),
        "{err}"
    );
    let err = refuse(open(P1, AT, &["--part", "battery"]));
    assert!(
        err.contains("not_covered") && err.contains("--override"),
        "{err}"
    );
    let err = refuse(open(ACC, "2025-07-01", &[]));
    assert!(err.contains("not_covered"), "{err}");
    let err = refuse(open(UNKNOWN, AT, &[]));
    assert!(err.contains("not sold by us"), "{err}");
    // Not even as goodwill.
    let err = refuse(open(UNKNOWN, AT, &["--override", "Good customer"]));
    assert!(
        err.contains("not sold by us") && err.contains("not even"),
        "{err}"
    );
    assert_eq!(shop.count("cases"), 0);
}

#[test]
fn open_with_an_override_records_the_goodwill() {
    let shop = Shop::stocked();
    let c: Value = serde_json::from_str(&shop.ok(&[
        "--at",
        "2026-04-01",
        "open",
        "--imei",
        &imei(P1),
        "--fault",
        "Dead",
        "--override",
        "Our best reseller",
        "--json",
    ]))
    .unwrap();
    assert_eq!(c["stage"], "expected");
    assert_eq!(c["verdict"], "expired");
    assert_eq!(c["goodwill"], "Our best reseller");
    assert!(has_event(
        &c,
        "open",
        "goodwill",
        Value::Null,
        "Our best reseller".into()
    ));
    let goodwill: String = shop
        .sql()
        .query_row("SELECT goodwill FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(goodwill, "Our best reseller");

    let rma = shop.open(P2, AT, &["--part", "charger", "--override", "Goodwill"]);
    let c = shop.show(&rma);
    assert_eq!(c["verdict"], "not_covered");
    assert_eq!(c["part"], "charger");
    // An override needs a reason.
    let err = shop.refuse(
        &[
            "--at",
            "2026-04-01",
            "open",
            "--imei",
            &imei(P4),
            "--part",
            "charger",
            "--fault",
            "x",
            "--override",
            " ",
        ],
        1,
    );
    assert!(err.contains("override reason"), "{err}");
}

#[test]
fn open_refuses_bad_input_naming_the_field() {
    let shop = Shop::stocked();
    let p1 = imei(P1);
    let (bad, expected) = wrong_check_digit(&p1);
    let imeisv = format!("{}00", &p1[..14]);
    let base = |imei: &str, extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["--at", AT, "open", "--imei", imei, "--fault", "Dead"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let checks: Vec<(Vec<String>, Vec<String>)> = vec![
        (
            base(&bad, &[]),
            vec!["--imei".into(), format!("expected {expected}")],
        ),
        (base(&imeisv, &[]), vec!["--imei".into(), "IMEISV".into()]),
        (base("35209611A000001", &[]), vec!["not a digit".into()]),
        (
            base(&p1, &["--claimed-at", "2025-04-31"]),
            vec!["--claimed-at".into()],
        ),
        (
            base(&p1, &["--claimed-at", "2025-03-01"]),
            vec!["before the device was dispatched".into()],
        ),
        (
            base(&p1, &["--tracking-in", "RR123456784CN"]),
            vec!["--tracking-in".into(), "expected 5".into()],
        ),
        (
            base(&p1, &["--tracking-in", "RR<1234>"]),
            vec!["--tracking-in".into()],
        ),
    ];
    for (args, wants) in checks {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = shop.refuse(&args, 1);
        for w in wants {
            assert!(err.contains(&w), "{args:?}: {err} should contain {w}");
        }
    }
    let err = shop.refuse(
        &[
            "--at",
            "yesterday",
            "open",
            "--imei",
            &p1,
            "--fault",
            "Dead",
        ],
        1,
    );
    assert!(err.contains("--at") && err.contains("RFC 3339"), "{err}");
    let err = shop.refuse(&["--at", AT, "open", "--imei", &p1, "--fault", " \t "], 1);
    assert!(err.contains("fault is empty"), "{err}");
    shop.refuse(&["--at", AT, "open", "--imei", &p1], 2);
    shop.refuse(
        &[
            "--at", AT, "open", "--imei", &p1, "--fault", "x", "--part", "screen",
        ],
        2,
    );
    assert_eq!(shop.count("cases"), 0);
}

// ---------------------------------------------------------------------------------------
// The whole story

#[test]
fn a_case_goes_from_open_to_shipped_by_the_command_line_alone() {
    let shop = Shop::stocked();
    let (tin, tout) = (s10(11_111_111), s10(22_222_222));
    let p1 = imei(P1);
    let step = |user: &str, at: &str, args: &[&str]| -> String {
        let mut a = vec!["--user", user, "--at", at];
        a.extend_from_slice(args);
        shop.ok(&a)
    };
    let rma = step(
        "alice",
        "2025-04-01 09:00",
        &[
            "open",
            "--imei",
            &p1,
            "--fault",
            "No sound",
            "--tracking-in",
            &tin,
        ],
    );
    let rma = rma.trim_end();
    assert_eq!(rma, "RMA-2025-00001");
    // The scanner reads the parcel's label, lower case and spaced.
    let spaced = format!("{} {} {}", &tin[..2], &tin[2..11], &tin[11..]).to_lowercase();
    let out = step("bob", "2025-04-03 10:15", &["receive", &spaced]);
    assert_eq!(out, format!("{rma}: expected -> received\n"));
    let out = step(
        "carol",
        "2025-04-04",
        &["send", &p1, "--manufacturer-ref", "MF-77"],
    );
    assert_eq!(out, format!("{rma}: received -> at_manufacturer\n"));
    let out = step(
        "dave",
        "2025-04-20T11:00:00+02:00",
        &["note", rma, "Reseller called, wants it by May"],
    );
    assert_eq!(out, format!("{rma}: note added\n"));
    let out = step(
        "erin",
        "2025-04-25 14:00",
        &["inspect", rma, "--fail", "--note", "Speaker still silent"],
    );
    assert!(out.contains("round 2"), "{out}");
    assert_eq!(shop.stage(rma), "at_manufacturer");
    step("erin", "2025-05-10 09:30", &["inspect", &p1, "--pass"]);
    let out = step(
        "frank",
        "2025-05-11 16:45",
        &["ship", rma, "--tracking", &tout],
    );
    assert_eq!(out, format!("{rma}: inspected -> shipped\n"));
    // Each message drafted on the way names who drafted it.
    let drafted: Vec<(String, Option<String>)> = shop
        .sql()
        .prepare("SELECT kind, created_by FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        drafted,
        vec![
            ("rma_instructions".into(), Some("alice".into())),
            ("shipping_notice".into(), Some("frank".into()))
        ]
    );

    // Shipped: the outbound number finds it, and so does the IMEI (its only case).
    let c = shop.show(&tout);
    assert_eq!(shop.show(&p1), c);
    assert_case_object(&c);
    assert_eq!(c["stage"], "shipped");
    assert_eq!(c["outcome"], "repaired");
    assert_eq!(c["rounds"], 2);
    assert_eq!(c["tracking_in"], tin);
    assert_eq!(c["manufacturer_ref"], "MF-77");
    assert_eq!(c["tracking_out"], tout);
    assert_eq!(c["opened_at"], "2025-04-01T09:00:00Z");
    assert_eq!(c["updated_at"], "2025-05-11T16:45:00Z");
    assert_eq!(c["version"], 7, "one version per write");

    let story: Vec<(String, String, String, String, String)> = [
        ("alice", "open", "-", "expected", "2025-04-01T09:00:00Z"),
        (
            "bob",
            "receive",
            "expected",
            "received",
            "2025-04-03T10:15:00Z",
        ),
        (
            "carol",
            "send",
            "received",
            "at_manufacturer",
            "2025-04-04T00:00:00Z",
        ),
        (
            "erin",
            "inspect_pass",
            "at_manufacturer",
            "inspected",
            "2025-05-10T09:30:00Z",
        ),
        (
            "frank",
            "ship",
            "inspected",
            "shipped",
            "2025-05-11T16:45:00Z",
        ),
    ]
    .iter()
    .map(|(a, k, f, t, at)| {
        (
            a.to_string(),
            k.to_string(),
            f.to_string(),
            t.to_string(),
            at.to_string(),
        )
    })
    .collect();
    assert_eq!(stage_events(&c), story);
    assert!(has_event(
        &c,
        "open",
        "tracking_in",
        Value::Null,
        tin.clone().into()
    ));
    assert!(has_event(
        &c,
        "send",
        "manufacturer_ref",
        Value::Null,
        "MF-77".into()
    ));
    assert!(has_event(&c, "send", "rounds", "0".into(), "1".into()));
    assert!(has_event(
        &c,
        "inspect_fail",
        "rounds",
        "1".into(),
        "2".into()
    ));
    assert!(has_event(
        &c,
        "inspect_pass",
        "outcome",
        Value::Null,
        "repaired".into()
    ));
    assert!(has_event(
        &c,
        "ship",
        "tracking_out",
        Value::Null,
        tout.clone().into()
    ));
    for e in c["events"].as_array().unwrap() {
        if e["kind"] == "inspect_fail" {
            assert_eq!(e["author"], "erin");
            assert_eq!(e["at"], "2025-04-25T14:00:00Z");
        }
    }
    let notes: Vec<(&str, &str, &str)> = c["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (s(&n["author"]), s(&n["at"]), s(&n["text"])))
        .collect();
    assert_eq!(
        notes,
        vec![
            (
                "dave",
                "2025-04-20T09:00:00Z",
                "Reseller called, wants it by May"
            ),
            (
                "erin",
                "2025-04-25T14:00:00Z",
                "Inspection failed: Speaker still silent"
            ),
        ]
    );

    // The same story for people.
    let human = shop.ok(&["show", rma]);
    for want in [
        "RMA              RMA-2025-00001",
        "Stage            shipped since 2025-05-11 16:45",
        "Outcome          repaired",
        "Rounds           2",
        "2025-04-20 09:00 dave:",
        "Reseller called, wants it by May",
        "2025-04-03 10:15 bob        receive       stage: expected -> received",
        "2025-05-11 16:45 frank      ship          stage: inspected -> shipped",
    ] {
        assert!(human.contains(want), "show lacks {want:?}:\n{human}");
    }

    // And for the sqlite3 shell: plain tables, readable names.
    let conn = shop.sql();
    let (stage, outcome, rounds, opened): (String, String, i64, String) = conn
        .query_row(
            "SELECT stage, outcome, rounds, opened_at FROM cases WHERE rma = ?1",
            [rma],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (stage.as_str(), outcome.as_str(), rounds, opened.as_str()),
        ("shipped", "repaired", 2, "2025-04-01T09:00:00Z")
    );
    let moves: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT e.author, e.from_value, e.to_value FROM events e JOIN cases c ON c.id = e.case_id
             WHERE c.rma = ?1 AND e.field = 'stage' AND e.kind <> 'open' ORDER BY e.id",
        )
        .unwrap()
        .query_map([rma], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(moves.len(), 4);
    assert_eq!(
        moves[3],
        ("frank".into(), "inspected".into(), "shipped".into())
    );
    let note_authors: Vec<String> = conn
        .prepare("SELECT author FROM notes ORDER BY at")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(note_authors, vec!["dave", "erin"]);
    let (customer, model): (String, String) = conn
        .query_row(
            "SELECT s.customer_name, s.model FROM sales s JOIN cases c ON c.imei = s.imei",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (customer.as_str(), model.as_str()),
        ("Reseller C-1", "CECT P30 Pro")
    );
}

#[test]
fn at_accepts_three_forms_in_local_time() {
    let shop = Shop::stocked();
    let run = |args: &[&str]| -> String {
        let out = Command::from_std(shop.std_cmd("XXX-2"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let p1 = imei(P1);
    // Local time two hours ahead of UTC.
    run(&[
        "--at",
        "2025-04-02 10:30",
        "open",
        "--imei",
        &p1,
        "--fault",
        "x",
    ]);
    run(&["--at", "2025-04-03", "receive", &p1]);
    run(&["--at", "2025-04-04T10:00:00+05:00", "note", &p1, "rfc 3339"]);
    run(&["--at", "2025-04-05T07:00:00Z", "note", &p1, "utc"]);
    let c: Value = serde_json::from_str(&run(&["show", &p1, "--json"])).unwrap();
    assert_eq!(c["opened_at"], "2025-04-02T08:30:00Z");
    assert_eq!(c["claimed_at"], "2025-04-02T08:30:00Z");
    let ev = stage_events(&c);
    assert_eq!(ev[1].4, "2025-04-02T22:00:00Z");
    let at: Vec<&str> = c["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| s(&n["at"]))
        .collect();
    assert_eq!(at, vec!["2025-04-04T05:00:00Z", "2025-04-05T07:00:00Z"]);
    // People see local time.
    let human = run(&["show", &p1]);
    assert!(
        human.contains("Opened           2025-04-02 10:30"),
        "{human}"
    );
    assert!(human.contains("2025-04-05 09:00 tester:"), "{human}");

    // Every command refuses a bad --at before touching anything.
    for args in [
        vec!["--at", "2025-04-06 25:00", "note", &p1, "x"],
        vec!["--at", "06.04.2025", "receive", &p1],
        vec!["--at", "", "move", &p1, "--to", "expected"],
    ] {
        let err = shop.refuse(&args, 1);
        assert!(err.contains("--at"), "{err}");
    }
}

#[test]
fn invisible_characters_are_dropped_and_formulas_behind_them_quoted() {
    let shop = Shop::stocked();
    let p1 = imei(P1);
    let out = shop.ok(&["--at", AT, "open", "--imei", &p1, "--fault", "\u{200b}=1+1"]);
    let a = out.trim_end();
    shop.ok(&["note", a, "\u{2060}Anna\u{00ad} says\u{e0041} hi\u{200d}"]);
    let c = shop.show(a);
    assert_eq!(c["fault"], "=1+1");
    assert_eq!(c["notes"][0]["text"], "Anna says hi");
    // A row edited by hand still comes out harmless.
    shop.sql()
        .execute(
            "UPDATE cases SET manufacturer_ref = ?1 WHERE rma = ?2",
            ["\u{feff}\u{200b}\u{3164}+SUM(A1)", a],
        )
        .unwrap();
    let csv_text = shop.ok(&["export"]);
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[col("fault")], "'=1+1");
    assert_eq!(&row[col("manufacturer_ref")], "'+SUM(A1)");
}

#[test]
fn at_refuses_the_spring_gap_and_takes_the_first_of_the_autumn_hour() {
    let shop = Shop::stocked();
    let p1 = imei(P1);
    shop.open(P1, AT, &[]);
    // POSIX rules rather than zone names, so the test needs no time zone files.
    for (tz, gaps, fold, first) in [
        (
            "CET-1CEST,M3.5.0,M10.5.0/3", // Europe/Berlin
            ["2026-03-29 02:00", "2026-03-29 02:59"],
            "2026-10-25 02:30",
            "2026-10-25T00:30:00Z",
        ),
        (
            "EST5EDT,M3.2.0,M11.1.0", // America/New_York
            ["2026-03-08 02:00", "2026-03-08 02:30"],
            "2026-11-01 01:30",
            "2026-11-01T05:30:00Z",
        ),
    ] {
        let run = |args: &[&str]| {
            Command::from_std(shop.std_cmd(tz))
                .args(args)
                .output()
                .unwrap()
        };
        for gap in gaps {
            let before = shop.snapshot();
            let out = run(&["--at", gap, "note", &p1, "in the gap"]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{tz} {gap}: {err}");
            assert!(
                err.contains("--at") && err.contains("does not exist") && err.contains(gap),
                "{err}"
            );
            assert_eq!(shop.snapshot(), before);
        }
        let out = run(&["--at", fold, "note", &p1, "in the autumn hour"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c = shop.show(&p1);
        let last = c["notes"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["at"], first, "{tz}");
    }
}

#[test]
fn at_refuses_implausible_times_without_calling_the_database_damaged() {
    let shop = Shop::stocked();
    let p1 = imei(P1);
    shop.open(P1, AT, &[]);
    for (args, says) in [
        (
            vec!["--at", "9999-12-31T23:59:59-23:59", "note", &p1, "x"],
            "more than a day after now",
        ),
        (
            vec!["--at", "2999-01-01", "receive", &p1],
            "more than a day after now",
        ),
        (
            vec![
                "--at",
                "0000-01-01",
                "open",
                "--imei",
                &imei(P2),
                "--fault",
                "x",
            ],
            "before the shop's first sale (in 2024)",
        ),
        (
            vec!["--at", "2023-12-31 23:00", "note", &p1, "x"],
            "before the shop's first sale",
        ),
        (
            vec![
                "open",
                "--imei",
                &imei(P2),
                "--fault",
                "x",
                "--claimed-at",
                "0001-01-01",
            ],
            "before the shop's first sale",
        ),
        (
            vec![
                "open",
                "--imei",
                &imei(P2),
                "--fault",
                "x",
                "--claimed-at",
                "9999-12-31T23:59:59-23:59",
            ],
            "more than a day after now",
        ),
    ] {
        let err = shop.refuse(&args, 1);
        let field = if args[0] == "--at" {
            "--at"
        } else {
            "--claimed-at"
        };
        assert!(err.contains(field), "{err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("damaged") && !err.contains("backup"), "{err}");
    }
    // The first day of the first sale's year is still fine.
    shop.ok(&["--at", "2024-01-01 00:00", "show", &p1]);
}

// ---------------------------------------------------------------------------------------
// Stage actions and their refusals

/// A case for P1 moved to `stage` along the usual path; its RMA number.
fn case_in(shop: &Shop, serial: u32, stage: &str) -> String {
    let rma = shop.open(serial, AT, &[]);
    let path: &[&[&str]] = &[
        &["--at", "2025-04-02", "receive"],
        &["--at", "2025-04-03", "send", "--manufacturer-ref", "MF-1"],
        &["--at", "2025-04-10", "inspect", "--pass"],
        &["--at", "2025-04-11", "ship", "--tracking", "RR123456785CN"],
    ];
    let stages = [
        "expected",
        "received",
        "at_manufacturer",
        "inspected",
        "shipped",
    ];
    let n = stages.iter().position(|s| *s == stage).unwrap();
    for step in &path[..n] {
        let mut args: Vec<&str> = step.to_vec();
        args.insert(3, &rma);
        shop.ok(&args);
    }
    assert_eq!(shop.stage(&rma), stage);
    rma
}

#[test]
fn receive_records_the_inbound_number_and_only_from_expected() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "expected");
    let err = shop.refuse(&["receive", &rma, "--tracking-in", "RR123456784CN"], 1);
    assert!(
        err.contains("--tracking-in") && err.contains("expected 5"),
        "{err}"
    );
    // Any carrier's number is kept as typed, trimmed and upper-cased.
    shop.ok(&[
        "--at",
        "2025-04-02",
        "receive",
        &rma,
        "--tracking-in",
        " 1z999aa10123456784 ",
    ]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "received");
    assert_eq!(c["tracking_in"], "1Z999AA10123456784");
    assert_eq!(shop.show("1Z999AA10123456784")["rma"], *rma);
    let err = shop.refuse(&["receive", &rma], 1);
    assert!(
        err.contains("is in received") && err.contains("expected"),
        "{err}"
    );
}

#[test]
fn send_needs_a_reference_and_a_received_case() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "expected");
    let err = shop.refuse(&["send", &rma, "--manufacturer-ref", "MF-1"], 1);
    assert!(
        err.contains("is in expected") && err.contains("received"),
        "{err}"
    );
    shop.ok(&["receive", &rma]);
    shop.refuse(&["send", &rma], 2);
    let err = shop.refuse(&["send", &rma, "--manufacturer-ref", "  "], 1);
    assert!(err.contains("manufacturer reference is empty"), "{err}");
    let out = shop.ok(&["send", &rma, "--manufacturer-ref", "MF-9"]);
    assert_eq!(out, format!("{rma}: received -> at_manufacturer\n"));
    let c = shop.show(&rma);
    assert_eq!(
        (c["rounds"].as_i64(), s(&c["manufacturer_ref"])),
        (Some(1), "MF-9")
    );
}

#[test]
fn inspect_pass_fail_and_in_house() {
    let shop = Shop::stocked();
    // Fail: back to the manufacturer, one more round, the note kept.
    let rma = case_in(&shop, P1, "at_manufacturer");
    let err = shop.refuse(&["inspect", &rma, "--fail", "--note", " "], 1);
    assert!(err.contains("inspection note is empty"), "{err}");
    shop.refuse(&["inspect", &rma, "--fail"], 2);
    shop.refuse(&["inspect", &rma], 2);
    shop.refuse(&["inspect", &rma, "--pass", "--fail", "--note", "x"], 2);
    let out = shop.ok(&[
        "--at",
        "2025-04-12",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "Still dead",
    ]);
    assert_eq!(
        out,
        format!("{rma}: round 2 at the manufacturer (still at_manufacturer)\n")
    );
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "at_manufacturer");
    assert_eq!(c["rounds"], 2);
    assert_eq!(
        c["stage_since"], "2025-04-12T00:00:00Z",
        "a new round starts its clock"
    );
    assert_eq!(c["notes"][0]["text"], "Inspection failed: Still dead");
    // Pass, with a note kept as an ordinary note.
    shop.ok(&[
        "--at",
        "2025-04-20",
        "inspect",
        &rma,
        "--pass",
        "--note",
        "Works now",
    ]);
    let c = shop.show(&rma);
    assert_eq!(
        (s(&c["stage"]), s(&c["outcome"])),
        ("inspected", "repaired")
    );
    assert_eq!(c["notes"][1]["text"], "Works now");
    // A fail found after the pass sends it back again and clears the outcome.
    shop.ok(&[
        "--at",
        "2025-04-21",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "Crackles",
    ]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "at_manufacturer");
    assert_eq!(c["outcome"], Value::Null);
    assert_eq!(c["rounds"], 3);

    // In-house: from received straight to inspected, no manufacturer round.
    let rma = case_in(&shop, P2, "received");
    let err = shop.refuse(&["inspect", &rma, "--pass"], 1);
    assert!(err.contains("at_manufacturer"), "{err}");
    let err = shop.refuse(&["inspect", &rma, "--fail", "--note", "x"], 1);
    assert!(err.contains("is in received"), "{err}");
    shop.refuse(&["inspect", &rma, "--in-house"], 2);
    shop.refuse(&["inspect", &rma, "--in-house", "--fail", "--note", "x"], 2);
    // A bad note refuses the whole command, not only the note.
    let err = shop.refuse(&["inspect", &rma, "--in-house", "--pass", "--note", " "], 1);
    assert!(err.contains("--note") && err.contains("empty"), "{err}");
    let out = shop.ok(&["inspect", &rma, "--in-house", "--pass"]);
    assert_eq!(out, format!("{rma}: received -> inspected\n"));
    let c = shop.show(&rma);
    assert_eq!(
        (s(&c["stage"]), s(&c["outcome"])),
        ("inspected", "repaired_in_house")
    );
    assert_eq!(c["rounds"], 0);
    let rma = case_in(&shop, P3, "at_manufacturer");
    let err = shop.refuse(&["inspect", &rma, "--in-house", "--pass"], 1);
    assert!(err.contains("received"), "{err}");
}

#[test]
fn a_failed_in_house_repair_goes_back_to_the_bench() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "received");
    shop.ok(&[
        "--at",
        "2025-04-03",
        "inspect",
        &rma,
        "--in-house",
        "--pass",
    ]);
    // It never went to the manufacturer, so it must not claim a round there: it goes
    // back to the bench, to be tried again or sent.
    shop.ok(&[
        "--at",
        "2025-04-04",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "Still dead",
    ]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "received", "{c}");
    assert_eq!(c["rounds"], 0, "{c}");
    assert_eq!(c["outcome"], Value::Null, "{c}");
}

#[test]
fn a_void_case_ends_inspected_unrepaired_and_is_shipped_back() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "expected");
    let err = shop.refuse(
        &["void", &rma, "--reason", "water_damage", "--note", "Wet"],
        1,
    );
    assert!(err.contains("is in expected"), "{err}");
    shop.ok(&["--at", "2025-04-02", "receive", &rma]);
    shop.refuse(&["void", &rma, "--reason", "rain", "--note", "Wet"], 2);
    shop.refuse(&["void", &rma, "--reason", "water_damage"], 2);
    let err = shop.refuse(&["void", &rma, "--reason", "water_damage", "--note", ""], 1);
    assert!(err.contains("void note is empty"), "{err}");
    let out = shop.ok(&[
        "--user",
        "vera",
        "--at",
        "2025-04-03",
        "void",
        &rma,
        "--reason",
        "water_damage",
        "--note",
        "Corrosion on the board",
    ]);
    assert_eq!(out, format!("{rma}: received -> inspected\n"));
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "inspected");
    assert_eq!(c["outcome"], "returned_unrepaired");
    assert_eq!(c["verdict"], "void");
    assert_eq!(c["verdict_detail"], "water_damage");
    // People read words, not the stored names.
    let human = shop.ok(&["show", &rma]);
    assert!(
        human.contains("Outcome          returned unrepaired (void: water damage)"),
        "{human}"
    );
    assert!(s(&c["notes"][0]["text"]).contains("Corrosion on the board"));
    assert_eq!(c["notes"][0]["author"], "vera");
    assert!(has_event(
        &c,
        "void",
        "verdict",
        "covered".into(),
        "void:water_damage".into()
    ));
    // Once void, neither a second void nor a failed inspection.
    let err = shop.refuse(&["void", &rma, "--reason", "dropped", "--note", "x"], 1);
    assert!(err.contains("already returned unrepaired"), "{err}");
    shop.refuse(&["inspect", &rma, "--fail", "--note", "x"], 1);
    shop.ok(&["--at", "2025-04-04", "ship", &rma, "--tracking", &s10(5)]);
    let c = shop.show(&rma);
    assert_eq!(
        (s(&c["stage"]), s(&c["outcome"])),
        ("shipped", "returned_unrepaired")
    );

    // Every reason is accepted, from the manufacturer too.
    for (serial, reason) in [
        (P2, "dropped"),
        (TAB, "unauthorised_software"),
        (LATE, "willful_damage"),
    ] {
        let at = if serial == LATE {
            "2026-01-05"
        } else {
            "2025-07-01"
        };
        let rma = shop.open(serial, at, &[]);
        shop.ok(&["--at", at, "receive", &rma]);
        shop.ok(&["--at", at, "send", &rma, "--manufacturer-ref", "M"]);
        shop.ok(&[
            "--at", at, "void", &rma, "--reason", reason, "--note", "found",
        ]);
        let c = shop.show(&rma);
        assert_eq!(c["verdict_detail"], reason);
        assert_eq!(c["outcome"], "returned_unrepaired");
    }
    let rma = shop.open(P1, "2025-05-01", &[]);
    shop.ok(&["receive", &rma]);
    shop.ok(&[
        "void",
        &rma,
        "--reason",
        "theft",
        "--note",
        "Reported stolen",
    ]);
    assert_eq!(shop.show(&rma)["verdict_detail"], "theft");
}

#[test]
fn ship_takes_only_a_valid_s10_number() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "at_manufacturer");
    let err = shop.refuse(&["ship", &rma, "--tracking", &s10(7)], 1);
    assert!(
        err.contains("is in at_manufacturer") && err.contains("inspected"),
        "{err}"
    );
    shop.ok(&["inspect", &rma, "--pass"]);
    let err = shop.refuse(&["ship", &rma, "--tracking", "RR123456784CN"], 1);
    assert!(err.contains("--tracking"), "{err}");
    assert!(
        err.contains("check digit") && err.contains("expected 5"),
        "{err}"
    );
    let err = shop.refuse(&["ship", &rma, "--tracking", "1Z999AA10123456784"], 1);
    assert!(err.contains("not a UPU S10 number"), "{err}");
    let err = shop.refuse(&["ship", &rma, "--tracking", "RR12345678CN"], 1);
    assert!(err.contains("not a UPU S10 number"), "{err}");
    shop.refuse(&["ship", &rma], 2);
    shop.ok(&["ship", &rma, "--tracking", " rr 123-456-785 cn "]);
    assert_eq!(shop.show(&rma)["tracking_out"], "RR123456785CN");
    let err = shop.refuse(&["ship", &rma, "--tracking", &s10(8)], 1);
    assert!(err.contains("is in shipped"), "{err}");
}

#[test]
fn move_goes_back_freely_and_sends_forward_moves_to_the_right_command() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "expected");
    let err = shop.refuse(&["move", &rma, "--to", "shipped"], 1);
    assert!(err.contains("cannot go from expected to shipped"), "{err}");
    let err = shop.refuse(&["move", &rma, "--to", "expected"], 1);
    assert!(err.contains("already in expected"), "{err}");
    shop.refuse(&["move", &rma, "--to", "lost"], 2);
    shop.refuse(&["move", &rma], 2);

    let out = shop.ok(&["--at", "2025-04-02", "move", &rma, "--to", "received"]);
    assert_eq!(out, format!("{rma}: expected -> received\n"));
    let err = shop.refuse(&["move", &rma, "--to", "at_manufacturer"], 1);
    assert!(err.contains("send KEY --manufacturer-ref REF"), "{err}");
    let err = shop.refuse(&["move", &rma, "--to", "inspected"], 1);
    assert!(err.contains("inspect --pass"), "{err}");
    // Backwards is allowed and recorded.
    shop.ok(&["--at", "2025-04-03", "move", &rma, "--to", "expected"]);
    shop.ok(&["--at", "2025-04-04", "receive", &rma]);
    shop.ok(&[
        "--at",
        "2025-04-05",
        "send",
        &rma,
        "--manufacturer-ref",
        "MF-5",
    ]);
    let err = shop.refuse(&["move", &rma, "--to", "inspected"], 1);
    assert!(err.contains("inspect --pass"), "{err}");
    // Undo the send: the round is taken back; sending again counts it again.
    shop.ok(&["--at", "2025-04-06", "move", &rma, "--to", "received"]);
    assert_eq!(shop.show(&rma)["rounds"], 0);
    shop.ok(&[
        "--at",
        "2025-04-07",
        "move",
        &rma,
        "--to",
        "at_manufacturer",
    ]);
    assert_eq!(shop.show(&rma)["rounds"], 1);
    shop.ok(&["--at", "2025-04-08", "inspect", &rma, "--pass"]);
    let err = shop.refuse(&["move", &rma, "--to", "shipped"], 1);
    assert!(err.contains("ship KEY --tracking"), "{err}");
    // Back from inspected: the inspection result is undone.
    shop.ok(&[
        "--at",
        "2025-04-09",
        "move",
        &rma,
        "--to",
        "at_manufacturer",
    ]);
    let c = shop.show(&rma);
    assert_eq!(c["outcome"], Value::Null);
    let moves: Vec<(String, String, String)> = stage_events(&c)
        .into_iter()
        .filter(|e| e.1 == "move")
        .map(|e| (e.2, e.3, e.4))
        .collect();
    assert_eq!(
        moves,
        vec![
            (
                "expected".into(),
                "received".into(),
                "2025-04-02T00:00:00Z".into()
            ),
            (
                "received".into(),
                "expected".into(),
                "2025-04-03T00:00:00Z".into()
            ),
            (
                "at_manufacturer".into(),
                "received".into(),
                "2025-04-06T00:00:00Z".into()
            ),
            (
                "received".into(),
                "at_manufacturer".into(),
                "2025-04-07T00:00:00Z".into()
            ),
            (
                "inspected".into(),
                "at_manufacturer".into(),
                "2025-04-09T00:00:00Z".into()
            ),
        ]
    );
    // A shipped case may be taken back to inspected (a mistaken scan).
    let rma = case_in(&shop, P2, "shipped");
    shop.ok(&["move", &rma, "--to", "inspected"]);
    assert_eq!(shop.stage(&rma), "inspected");
}

#[test]
fn notes_are_appended_with_author_and_time() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "received");
    let out = shop.ok(&[
        "--user",
        "nina",
        "--at",
        "2025-04-02 12:00",
        "note",
        &rma,
        "Line one\nLine two",
    ]);
    assert_eq!(out, format!("{rma}: note added\n"));
    shop.ok(&["--at", "2025-04-02 12:05", "note", &imei(P1), "By IMEI"]);
    let c = shop.show(&rma);
    assert_eq!(c["notes"][0]["author"], "nina");
    assert_eq!(c["notes"][0]["at"], "2025-04-02T12:00:00Z");
    assert_eq!(c["notes"][0]["text"], "Line one\nLine two");
    assert_eq!(
        c["notes"][1]["author"], USER,
        "RMABOARD_USER when --user is not given"
    );
    assert_eq!(c["stage"], "received", "a note moves nothing");
    let err = shop.refuse(&["note", &rma, " \n "], 1);
    assert!(err.contains("note is empty"), "{err}");
    shop.refuse(&["note", &rma], 2);
    let err = shop.refuse(&["note", "RMA-2025-00099", "x"], 1);
    assert!(
        err.contains("no case has") && err.contains("RMA-2025-00099"),
        "{err}"
    );
}

#[test]
fn a_key_is_an_rma_number_an_imei_or_a_tracking_number() {
    let shop = Shop::stocked();
    let p1 = imei(P1);
    let tin = s10(31_000_001);
    let first = shop.open(P1, AT, &["--tracking-in", &tin]);
    assert_eq!(shop.show(&first)["rma"], *first);
    assert_eq!(shop.show(&first.to_lowercase())["rma"], *first);
    assert_eq!(shop.show(&p1)["rma"], *first);
    let spaced = format!("{} {} {} {}", &p1[..2], &p1[2..8], &p1[8..14], &p1[14..]);
    assert_eq!(shop.show(&spaced)["rma"], *first);
    assert_eq!(shop.show(&tin)["rma"], *first);

    // While that case is in the workshop, the device cannot get a second one.
    let err = shop.refuse(
        &[
            "--at",
            "2025-04-02",
            "open",
            "--imei",
            &p1,
            "--fault",
            "again",
        ],
        1,
    );
    assert!(
        err.contains("already has a case that is not shipped yet") && err.contains(&first),
        "{err}"
    );

    // Once it is shipped, the device may come back, and its IMEI means the new case.
    let ship = |rma: &str, tracking: &str| {
        for step in [
            vec!["receive", rma],
            vec!["send", rma, "--manufacturer-ref", "M"],
            vec!["inspect", rma, "--pass"],
            vec!["ship", rma, "--tracking", tracking],
        ] {
            shop.ok(&step);
        }
    };
    ship(&first, "RR123456785CN");
    let second = shop.open(P1, "2025-05-02", &[]);
    assert_eq!(shop.show(&p1)["rma"], *second);
    assert_eq!(shop.show("RR123456785CN")["rma"], *first);

    // Taking the first shipment back would give the device two open cases.
    let err = shop.refuse(&["move", &first, "--to", "inspected"], 1);
    assert!(
        err.contains(&format!("{first} cannot leave shipped")) && err.contains(&second),
        "{err}"
    );

    // With both shipped, the IMEI no longer says which.
    ship(&second, &s10(31_000_002));
    let err = shop.refuse(&["show", &p1], 1);
    assert!(err.contains(&first) && err.contains(&second), "{err}");
    assert!(err.contains("give the RMA number"), "{err}");

    let (bad, expected) = wrong_check_digit(&p1);
    let err = shop.refuse(&["show", &bad], 1);
    assert!(
        err.contains("not a valid IMEI") && err.contains(&format!("expected {expected}")),
        "{err}"
    );
    let err = shop.refuse(&["receive", &imei(UNKNOWN)], 1);
    assert!(err.contains("no case has"), "{err}");
    let err = shop.refuse(&["show", "RMA-2025-99999"], 1);
    assert!(err.contains("rmaboard list"), "{err}");
}

#[test]
fn a_device_in_the_workshop_is_said_before_its_verdict() {
    let shop = Shop::stocked();
    // Expired, opened as goodwill; asking again for an override would be pointless.
    let first = shop.open(LEAP, AT, &["--override", "long-standing reseller"]);
    let err = shop.refuse(
        &["--at", AT, "open", "--imei", &imei(LEAP), "--fault", "x"],
        1,
    );
    assert!(
        err.contains("already has a case that is not shipped yet") && err.contains(&first),
        "{err}"
    );
    assert!(!err.contains("override"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Conflicts

#[test]
fn a_write_on_a_case_changed_meanwhile_is_refused_with_exit_3() {
    let shop = Shop::stocked();
    // The command reads the case, then waits for the write lock we hold; meanwhile
    // "bob" changes the case. If the command was slower to start than our pause, it read
    // bob's version and succeeds legitimately, so try again with a longer pause.
    for pause_ms in [300u64, 1500, 6000] {
        let rma = shop.open(P1, AT, &[]);
        let mut conn = shop.sql();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let child = shop
            .std_cmd("UTC")
            .args(["--user", "alice", "receive", &rma])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(pause_ms));
        tx.execute(
            "UPDATE cases SET fault = 'Edited by bob', version = version + 1 WHERE rma = ?1",
            [&rma],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO events (case_id, at, author, kind, field, from_value, to_value)
             SELECT id, '2025-04-01T10:00:00Z', 'bob', 'edit', 'fault', 'No sound', 'Edited by bob'
             FROM cases WHERE rma = ?1",
            [&rma],
        )
        .unwrap();
        tx.commit().unwrap();
        let before = shop.snapshot();
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            // alice's read came after bob's commit: no conflict to see this time.
            continue;
        }
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&rma) && err.contains("bob"), "{err}");
        assert!(err.contains("nothing was saved"), "{err}");
        assert_eq!(shop.snapshot(), before, "the refused write left a trace");
        let c = shop.show(&rma);
        assert_eq!(c["stage"], "expected");
        assert_eq!(c["fault"], "Edited by bob");
        return;
    }
    panic!("a write based on an old version was never refused");
}

// ---------------------------------------------------------------------------------------
// show, list, export

#[test]
fn list_filters_by_stage_and_clock() {
    let shop = Shop::stocked();
    let expected = case_in(&shop, P1, "expected"); // since 2025-04-01 09:00
    let received = case_in(&shop, P2, "received"); // since 2025-04-02
    let at_mf = case_in(&shop, P3, "at_manufacturer"); // since 2025-04-03
    let shipped = case_in(&shop, P4, "shipped");
    let all: Value = serde_json::from_str(&shop.ok(&["list", "--json"])).unwrap();
    let rmas: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["rma"]))
        .collect();
    assert_eq!(rmas, vec![&expected, &received, &at_mf, &shipped]);
    for c in all.as_array().unwrap() {
        assert_case_object(c);
    }
    assert_eq!(all[1], shop.show(&received));

    let only = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["list", "--json"];
        a.extend_from_slice(args);
        let v: Value = serde_json::from_str(&shop.ok(&a)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| s(&c["rma"]).to_string())
            .collect()
    };
    assert_eq!(only(&["--stage", "at_manufacturer"]), vec![at_mf.clone()]);
    assert_eq!(only(&["--stage", "inspected"]), Vec::<String>::new());
    // On 2025-04-05 only the received case is late (2 days on the bench).
    assert_eq!(
        only(&["--overdue", "--at", "2025-04-05"]),
        vec![received.clone()]
    );
    // A month and a day at the manufacturer is late too; three weeks expected as well.
    assert_eq!(
        only(&["--overdue", "--at", "2025-05-04"]),
        vec![expected.clone(), received.clone(), at_mf.clone()]
    );
    assert_eq!(
        only(&[
            "--overdue",
            "--stage",
            "at_manufacturer",
            "--at",
            "2025-05-04"
        ]),
        vec![at_mf.clone()]
    );
    assert_eq!(
        only(&["--overdue", "--at", "2025-04-03"]),
        Vec::<String>::new()
    );
    shop.refuse(&["list", "--stage", "lost"], 2);

    let human = shop.ok(&["list", "--stage", "received"]);
    assert_eq!(human.lines().count(), 1, "{human}");
    assert!(human.contains(&received) && human.contains("received") && human.contains(&imei(P2)));
    assert_eq!(shop.ok(&["list"]).lines().count(), 4);
}

#[test]
fn export_csv_and_json() {
    let shop = Shop::new();
    let none: Value = serde_json::from_str(&shop.ok(&["export", "--format", "json"])).unwrap();
    assert_eq!(none, Value::Array(vec![]));
    let empty = shop.ok(&["export"]);
    assert_eq!(empty.lines().count(), 1, "only the header: {empty}");

    let shop = Shop::stocked();
    let a = case_in(&shop, P1, "inspected");
    let b = shop.open(P2, AT, &[]);
    shop.ok(&["note", &b, "one"]);
    shop.ok(&["note", &b, "two"]);
    // Values a spreadsheet would run as formulas, and a hand-edited row with control
    // characters, come out harmless.
    shop.sql()
        .execute(
            "UPDATE cases SET fault = ?1 WHERE rma = ?2",
            ["=HYPERLINK(\"x\")\u{1b}[2J\r\nnext", &a],
        )
        .unwrap();

    let csv_text = shop.ok(&["export"]);
    assert!(no_control_bytes(&csv_text), "{csv_text:?}");
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    for k in [
        "rma",
        "imei",
        "stage",
        "outcome",
        "verdict",
        "order_number",
        "customer_number",
        "model",
        "fault",
        "part",
        "tracking_in",
        "manufacturer_ref",
        "tracking_out",
        "rounds",
        "opened_at",
        "updated_at",
        "version",
    ] {
        assert!(
            header.contains(&k.to_string()),
            "the CSV lacks {k}: {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("rma")], a);
    assert_eq!(&rows[0][col("stage")], "inspected");
    assert_eq!(&rows[0][col("outcome")], "repaired");
    assert_eq!(&rows[0][col("manufacturer_ref")], "MF-1");
    assert!(
        rows[0][col("fault")].starts_with("'=HYPERLINK"),
        "{:?}",
        &rows[0]
    );
    assert!(!rows[0][col("fault")].contains('\u{1b}'));
    assert_eq!(&rows[1][col("rma")], b);
    assert_eq!(&rows[1][col("imei")], imei(P2));
    assert_eq!(&rows[1][col("opened_at")], "2025-04-01T09:00:00Z");
    if let Some(n) = header.iter().position(|h| h == "notes") {
        assert_eq!(&rows[1][n], "2");
    }

    let json_text = shop.ok(&["export", "--format", "json"]);
    let all: Value = serde_json::from_str(&json_text).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    for c in all {
        assert_case_object(c);
    }
    assert_eq!(all[1], shop.show(&b));
    assert_eq!(all[1]["notes"].as_array().unwrap().len(), 2);

    // --out writes the file and nothing on stdout.
    let out_path = shop.dir.path().join("export.json");
    let printed = shop.ok(&[
        "export",
        "--format",
        "json",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(printed, "");
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), json_text);
    let err = shop.refuse(
        &[
            "export",
            "--out",
            shop.dir.path().join("no/such/dir/x.csv").to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("could not create"), "{err}");
    shop.refuse(&["export", "--format", "xml"], 2);
}

// ---------------------------------------------------------------------------------------
// Hostile and broken input

#[test]
fn control_characters_are_stored_and_printed_without_the_escape_byte() {
    let shop = Shop::stocked();
    let out = shop.ok(&[
        "--at",
        AT,
        "open",
        "--imei",
        &imei(P1),
        "--fault",
        "Screen\u{1b}[2J flickers\u{202e}gnorw",
    ]);
    let rma = out.trim_end();
    shop.ok(&["note", rma, "Customer says \u{1b}[31mURGENT\u{1b}[0m\u{7}"]);
    shop.ok(&["--user", "eve\u{1b}[2J", "note", rma, "hi"]);

    let conn = shop.sql();
    let fault: String = conn
        .query_row("SELECT fault FROM cases", [], |r| r.get(0))
        .unwrap();
    assert!(
        !fault.contains('\u{1b}') && !fault.contains('\u{202e}'),
        "{fault:?}"
    );
    assert!(
        fault.contains("[2J flickers"),
        "the visible text is kept: {fault:?}"
    );
    let texts: Vec<(String, String)> = conn
        .prepare("SELECT author, text FROM notes ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (author, text) in &texts {
        assert!(
            no_control_bytes(author) && no_control_bytes(text),
            "{author:?} {text:?}"
        );
    }
    assert!(texts[0].1.contains("URGENT"));

    // A row edited by hand in the sqlite3 shell is cleaned on the way out too.
    conn.execute(
        "INSERT INTO notes (case_id, at, author, text)
         SELECT id, '2025-04-02T00:00:00Z', 'mallory' || char(27) || '[2J', 'x' || char(27) || ']0;pwned' || char(7) FROM cases",
        [],
    )
    .unwrap();
    conn.execute("UPDATE cases SET model = 'P30' || char(27) || '[2J'", [])
        .unwrap();
    for args in [vec!["show", rma], vec!["list"], vec!["export"]] {
        let out = shop.ok(&args);
        assert!(
            no_control_bytes(&out),
            "{args:?} printed a control character: {out:?}"
        );
    }
    let json = shop.ok(&["show", rma, "--json"]);
    assert!(!json.contains('\u{1b}'), "{json:?}");
    serde_json::from_str::<Value>(&json).unwrap();
}

#[test]
fn usage_errors_exit_with_2_and_change_nothing() {
    let shop = Shop::stocked();
    for args in [
        vec!["bogus"],
        vec!["sales"],
        vec!["sales", "import"],
        vec!["warranty"],
        vec!["open", "--fault", "x"],
        vec!["receive"],
        vec![
            "inspect",
            "RMA-2025-00001",
            "--in-house",
            "--pass",
            "--fail",
        ],
        vec!["ship", "RMA-2025-00001", "--tracking"],
        vec!["list", "--overdue=yes"],
        vec!["--no-such-flag", "list"],
    ] {
        let err = shop.refuse(&args, 2);
        assert!(
            err.starts_with("error: ") || err.contains("Usage:"),
            "{args:?}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// configuration

#[test]
fn the_config_file_sets_the_clocks_and_a_broken_one_is_named() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "received"); // since 2025-04-02
    let config = shop.dir.path().join("config.toml");
    let late_on = |day: &str| -> usize {
        let out = Command::from_std(shop.std_cmd("UTC"))
            .env("RMABOARD_CONFIG", &config)
            .env(
                "RMABOARD_SYSTEM_CONFIG",
                "/nonexistent/rmaboard/config.toml",
            )
            .args(["--at", day, "list", "--overdue", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_str(&String::from_utf8(out.stdout).unwrap()).unwrap();
        v.as_array().unwrap().len()
    };
    // Default: two days on the bench.
    assert_eq!(late_on("2025-04-05"), 1);
    std::fs::write(&config, "[clocks]\nreceived_days = 5\n").unwrap();
    assert_eq!(late_on("2025-04-05"), 0);
    assert_eq!(late_on("2025-04-08"), 1);

    std::fs::write(&config, "[clocks]\nrecieved_days = 5\n").unwrap();
    let before = shop.snapshot();
    let out = Command::from_std(shop.std_cmd("UTC"))
        .env("RMABOARD_CONFIG", &config)
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .args(["note", &rma, "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("recieved_days") && err.contains("config.toml"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(shop.snapshot(), before);
}

// ---------------------------------------------------------------------------------------
// demo

#[test]
fn demo_fills_a_database_with_cases_in_every_stage() {
    let shop = Shop::empty();
    let out = shop.ok(&["--at", "2026-06-15 10:00", "demo", "--no-board"]);
    assert_eq!(out, format!("{}\n", shop.db.display()));
    let stages: BTreeSet<String> = shop
        .sql()
        .prepare("SELECT DISTINCT stage FROM cases")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        stages,
        set(&[
            "expected",
            "received",
            "at_manufacturer",
            "inspected",
            "shipped"
        ])
    );
    assert!(shop.count("sales") >= 200);
    assert!(shop.count("notes") > 0);
    let late: Value = serde_json::from_str(&shop.ok(&[
        "--at",
        "2026-06-15 10:00",
        "list",
        "--overdue",
        "--json",
    ]))
    .unwrap();
    assert!(
        !late.as_array().unwrap().is_empty(),
        "the demo has late cases"
    );
    // The demo looks like a configured shop even when this user's config is empty.
    let bodies: Vec<String> = shop
        .sql()
        .prepare("SELECT body FROM outbox")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!bodies.is_empty());
    for body in &bodies {
        assert!(!body.contains("not configured"), "{body}");
    }
    assert!(!shop.dir.path().join("no-config.toml").exists());
    // Not on top of a shop's data.
    let err = shop.refuse(&["demo", "--no-board"], 1);
    assert!(err.contains("already holds data"), "{err}");
}

#[test]
fn undo_of_a_move_out_of_inspected_brings_back_its_inspection_result() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "at_manufacturer");
    shop.ok(&["--at", "2025-04-20", "inspect", &rma, "--pass"]);
    let passed = shop.show(&rma);
    assert_eq!(passed["outcome"], "repaired");
    // A slip of the hand: moved back to the bench.
    shop.ok(&["--at", "2025-04-21", "move", &rma, "--to", "received"]);
    assert_eq!(shop.show(&rma)["outcome"], Value::Null);
    let out = shop.ok(&["--at", "2025-04-22", "undo", &rma]);
    assert!(out.starts_with(&format!("{rma}: ")), "{out}");
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "inspected");
    assert_eq!(c["outcome"], "repaired");
    assert_eq!(c["rounds"], passed["rounds"]);
    assert!(has_event(
        &c,
        "undo",
        "outcome",
        Value::Null,
        "repaired".into()
    ));
}

#[test]
fn undo_of_a_send_brings_back_the_reference_and_clock_it_had() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "at_manufacturer");
    // Stepped back to the bench: the first reference stays with the case.
    shop.ok(&["--at", "2025-04-05", "move", &rma, "--to", "received"]);
    let back = shop.show(&rma);
    assert_eq!(back["manufacturer_ref"], "MF-1");
    // Sent again under another reference, by mistake, and undone.
    shop.ok(&[
        "--at",
        "2025-04-06",
        "send",
        &rma,
        "--manufacturer-ref",
        "MF-2",
    ]);
    assert_eq!(shop.show(&rma)["manufacturer_ref"], "MF-2");
    shop.ok(&["--at", "2025-04-07", "undo", &rma]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "received");
    assert_eq!(c["manufacturer_ref"], "MF-1");
    assert_eq!(c["rounds"], back["rounds"]);
    assert_eq!(c["stage_since"], back["stage_since"]);
    assert!(has_event(
        &c,
        "undo",
        "manufacturer_ref",
        "MF-2".into(),
        "MF-1".into()
    ));
    // A first send taken back leaves no reference behind.
    let fresh = case_in(&shop, P2, "received");
    let received = shop.show(&fresh);
    shop.ok(&[
        "--at",
        "2025-04-06",
        "send",
        &fresh,
        "--manufacturer-ref",
        "MF-9",
    ]);
    shop.ok(&["--at", "2025-04-07", "undo", &fresh]);
    let c = shop.show(&fresh);
    assert_eq!(c["manufacturer_ref"], Value::Null);
    assert_eq!(c["stage_since"], received["stage_since"]);
}

#[test]
fn undo_of_a_shipment_or_a_receipt_brings_back_the_tracking_numbers_they_had() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "inspected");
    let inspected = shop.show(&rma);
    shop.ok(&[
        "--at",
        "2025-04-11",
        "ship",
        &rma,
        "--tracking",
        "RR123456785CN",
    ]);
    shop.ok(&["--at", "2025-04-12", "undo", &rma]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "inspected");
    assert_eq!(c["tracking_out"], Value::Null);
    assert_eq!(c["outcome"], inspected["outcome"]);
    assert_eq!(c["stage_since"], inspected["stage_since"]);

    let parcel = case_in(&shop, P2, "expected");
    let expected = shop.show(&parcel);
    shop.ok(&[
        "--at",
        "2025-04-02",
        "receive",
        &parcel,
        "--tracking-in",
        "1Z999AA10123456784",
    ]);
    shop.ok(&["--at", "2025-04-03", "undo", &parcel]);
    let c = shop.show(&parcel);
    assert_eq!(c["stage"], "expected");
    assert_eq!(c["tracking_in"], expected["tracking_in"]);
    assert_eq!(c["stage_since"], expected["stage_since"]);
}

#[test]
fn undo_of_a_void_brings_back_the_verdict_and_no_outcome() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "received");
    let before = shop.show(&rma);
    shop.ok(&[
        "--at",
        "2025-04-05",
        "void",
        &rma,
        "--reason",
        "water_damage",
        "--note",
        "Wet",
    ]);
    let void = shop.show(&rma);
    assert_eq!(void["outcome"], "returned_unrepaired");
    shop.ok(&["--at", "2025-04-06", "undo", &rma]);
    let c = shop.show(&rma);
    for field in [
        "stage",
        "outcome",
        "verdict",
        "verdict_reason",
        "stage_since",
    ] {
        assert_eq!(c[field], before[field], "{field}");
    }
    // As before the void, it can go to the manufacturer.
    shop.ok(&[
        "--at",
        "2025-04-07",
        "send",
        &rma,
        "--manufacturer-ref",
        "MF-3",
    ]);
}

#[test]
fn undo_takes_back_my_failed_inspection_with_its_round_and_clock() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "at_manufacturer");
    let before = shop.show(&rma);
    assert_eq!(before["rounds"], 1);
    shop.ok(&[
        "--at",
        "2025-04-20",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "still dead",
    ]);
    assert_eq!(shop.show(&rma)["rounds"], 2);
    let out = shop.ok(&["--at", "2025-04-21", "undo", &rma]);
    assert!(out.starts_with(&format!("{rma}: ")), "{out}");
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "at_manufacturer");
    assert_eq!(c["rounds"], 1);
    assert_eq!(c["outcome"], Value::Null);
    assert_eq!(c["stage_since"], before["stage_since"]);
    assert!(has_event(&c, "undo", "rounds", "2".into(), "1".into()));
    // Nothing of mine is left to take back on it.
    let err = shop.refuse(&["undo", &rma], 1);
    assert!(err.contains("nothing") || err.contains("no move"), "{err}");

    // After a pass, a failed inspection goes back to inspected with its outcome.
    shop.ok(&["--at", "2025-04-22", "inspect", &rma, "--pass"]);
    let passed = shop.show(&rma);
    shop.ok(&[
        "--at",
        "2025-04-23",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "scratched",
    ]);
    shop.ok(&["--at", "2025-04-24", "undo", &rma]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "inspected");
    assert_eq!(c["outcome"], "repaired");
    assert_eq!(c["rounds"], 1);
    assert_eq!(c["stage_since"], passed["stage_since"]);
}

#[test]
fn undo_of_an_in_house_failure_goes_back_to_inspected() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "received");
    shop.ok(&[
        "--at",
        "2025-04-05",
        "inspect",
        &rma,
        "--in-house",
        "--pass",
    ]);
    shop.ok(&[
        "--at",
        "2025-04-06",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "no sound",
    ]);
    assert_eq!(shop.stage(&rma), "received");
    shop.ok(&["--at", "2025-04-07", "undo", &rma]);
    let c = shop.show(&rma);
    assert_eq!(c["stage"], "inspected");
    assert_eq!(c["outcome"], "repaired_in_house");
    assert_eq!(c["rounds"], 0);
}

#[test]
fn undo_is_refused_when_a_colleague_changed_the_case_since() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "at_manufacturer");
    shop.ok(&[
        "--at",
        "2025-04-20",
        "inspect",
        &rma,
        "--fail",
        "--note",
        "still dead",
    ]);
    shop.ok(&[
        "--user",
        "ben",
        "--at",
        "2025-04-21",
        "inspect",
        &rma,
        "--pass",
    ]);
    let err = shop.refuse(&["--at", "2025-04-22", "undo", &rma], 1);
    assert!(err.contains("failed"), "{err}");
    assert!(err.contains("ben passed its inspection since"), "{err}");
    assert_eq!(shop.show(&rma)["rounds"], 2);
    // An ordinary move of mine is undone the same way.
    let other = case_in(&shop, P1 + 1, "received");
    shop.ok(&["--at", "2025-04-05", "move", &other, "--to", "expected"]);
    shop.ok(&["--at", "2025-04-06", "undo", &other]);
    assert_eq!(shop.stage(&other), "received");
}

/// A colleague's correction made on the board (the edit form), as `by`.
fn edit_on_the_board(shop: &Shop, rma: &str, by: &str, edit: rmaboard::domain::case::Edit) {
    use chrono::TimeZone;
    let mut store = rmaboard::store::Store::open(&shop.db).unwrap();
    let case = store.find(rma).unwrap();
    store
        .apply(
            case.id,
            case.version,
            rmaboard::domain::case::Change::Edit(edit),
            by,
            chrono::Utc.with_ymd_and_hms(2025, 4, 8, 10, 0, 0).unwrap(),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap();
}

#[test]
fn undo_is_refused_when_a_colleague_corrected_the_reference_or_tracking_number_since() {
    use rmaboard::domain::TrackingNumber;
    use rmaboard::domain::case::{Edit, Patch};
    let shop = Shop::stocked();
    // A send with a mistyped reference, corrected by ben: undoing it would clear his.
    let rma = case_in(&shop, P1, "received");
    shop.ok(&[
        "--at",
        "2025-04-07",
        "send",
        &rma,
        "--manufacturer-ref",
        "MF-77l",
    ]);
    let fix = |r: &str| Edit {
        manufacturer_ref: Some(r.into()),
        ..Edit::default()
    };
    edit_on_the_board(&shop, &rma, "ben", fix("MF-771"));
    let err = shop.refuse(&["--at", "2025-04-09", "undo", &rma], 1);
    assert!(
        err.contains("but ben corrected its manufacturer reference since"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    let c = shop.show(&rma);
    assert_eq!(
        (c["stage"].as_str(), c["manufacturer_ref"].as_str()),
        (Some("at_manufacturer"), Some("MF-771"))
    );

    // A receipt's tracking number corrected by ben: the same.
    let parcel = case_in(&shop, P2, "expected");
    shop.ok(&[
        "--at",
        "2025-04-02",
        "receive",
        &parcel,
        "--tracking-in",
        "1Z999AA10123456784",
    ]);
    let number = Edit {
        tracking_in: Patch::Set(TrackingNumber::parse("RR123456785CN").unwrap()),
        ..Edit::default()
    };
    edit_on_the_board(&shop, &parcel, "ben", number);
    let err = shop.refuse(&["--at", "2025-04-09", "undo", &parcel], 1);
    assert!(
        err.contains("but ben corrected its inbound tracking number since"),
        "{err}"
    );
    assert_eq!(shop.show(&parcel)["tracking_in"], "RR123456785CN");

    // My own correction too: the undo would throw it away as well.
    let mine = case_in(&shop, P3, "received");
    shop.ok(&[
        "--at",
        "2025-04-07",
        "send",
        &mine,
        "--manufacturer-ref",
        "MF-8",
    ]);
    edit_on_the_board(&shop, &mine, USER, fix("MF-88"));
    let err = shop.refuse(&["--at", "2025-04-09", "undo", &mine], 1);
    assert!(
        err.contains("but you corrected its manufacturer reference since"),
        "{err}"
    );
}

#[test]
fn undo_of_a_void_says_the_verdict_it_gives_back_in_words_when_the_registry_changed_since() {
    let shop = Shop::stocked();
    let rma = case_in(&shop, P1, "received");
    assert_eq!(shop.show(&rma)["verdict"], "covered");
    // The registry now says an accessory was sold (corrected by hand in the database):
    // today's rules would not cover it, so they cannot give back the verdict's sentence.
    let corrected = shop
        .sql()
        .execute(
            "UPDATE sales SET category = 'accessory' WHERE imei = ?1",
            [imei(P1)],
        )
        .unwrap();
    assert_eq!(corrected, 1);
    shop.ok(&[
        "--at",
        "2025-04-05",
        "void",
        &rma,
        "--reason",
        "water_damage",
        "--note",
        "Wet",
    ]);
    shop.ok(&["--at", "2025-04-06", "undo", &rma]);
    let c = shop.show(&rma);
    assert_eq!(c["verdict"], "covered");
    let reason = c["verdict_reason"].as_str().unwrap();
    assert_eq!(reason, "Covered by the 1-year guarantee.");
}

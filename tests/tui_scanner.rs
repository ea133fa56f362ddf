//! A barcode scanner at the real binary: the board in a pseudo-terminal, each scan written
//! as one burst (the whole number and its Enter, Tab or CR-LF in one write, as a scanner
//! types it within a few milliseconds), and the screen read back through a small terminal
//! emulator. A scan never answers a question or picks a menu entry; it closes what is
//! open and finds its case, or fills the form field in use.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_rmaboard");
/// A valid China Post S10 that no demo case has.
const S10: &str = "RP123456785CN";

/// What the bytes written so far show on a `cols` x `rows` screen: the cursor moves,
/// clears and text of the board's output, colours ignored.
fn render(bytes: &[u8], cols: usize, rows: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut grid = vec![vec![' '; cols]; rows];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    let mut params = String::new();
                    let mut fin = ' ';
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            fin = c;
                            break;
                        }
                        params.push(c);
                    }
                    let nums: Vec<usize> = params
                        .trim_start_matches('?')
                        .split(';')
                        .map(|p| p.parse().unwrap_or(0))
                        .collect();
                    let n = |i: usize| nums.get(i).copied().filter(|&v| v > 0).unwrap_or(1);
                    match fin {
                        'H' | 'f' => {
                            row = (n(0) - 1).min(rows - 1);
                            col = (n(1) - 1).min(cols - 1);
                        }
                        'J' if params == "2" => grid = vec![vec![' '; cols]; rows],
                        'K' => grid[row][col..].fill(' '),
                        'A' => row = row.saturating_sub(n(0)),
                        'B' => row = (row + n(0)).min(rows - 1),
                        'C' => col = (col + n(0)).min(cols - 1),
                        'D' => col = col.saturating_sub(n(0)),
                        'G' => col = (n(0) - 1).min(cols - 1),
                        // ?1049h/l: the alternate screen, entered and left clean.
                        'h' | 'l' if params == "?1049" => grid = vec![vec![' '; cols]; rows],
                        _ => {}
                    }
                }
                _ => {
                    chars.next();
                }
            },
            '\r' => col = 0,
            '\n' => row = (row + 1).min(rows - 1),
            '\u{8}' => col = col.saturating_sub(1),
            c if c.is_control() => {}
            c => {
                if col < cols {
                    grid[row][col] = c;
                }
                col += 1;
            }
        }
    }
    grid.iter()
        .map(|l| l.iter().collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The board's screen with blanks squeezed, so a sentence wrapped in a box still reads.
fn squeezed(screen: &str) -> String {
    screen
        .replace(['│', '└', '┘', '┌', '┐', '─'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The real board on a demo database in a pseudo-terminal.
struct Bench {
    dir: tempfile::TempDir,
    db: PathBuf,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    input: File,
    size: (usize, usize),
}

impl Bench {
    fn open(cols: u16, rows: u16) -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let mut bench = Bench {
            child: Command::new("true").spawn().unwrap(),
            output: Arc::default(),
            input: File::open("/dev/null").unwrap(),
            size: (usize::from(cols), usize::from(rows)),
            db,
            dir,
        };
        let filled = bench.cli(&["demo", "--no-board"]);
        assert!(filled.status.success(), "{filled:?}");

        let (master, slave_path) = rmaboard::tui::bench::open_pty(cols, rows).unwrap();
        let slave = File::options()
            .read(true)
            .write(true)
            .open(&slave_path)
            .unwrap();
        let mut cmd = Command::new(BIN);
        cmd.args(["--db", bench.db.to_str().unwrap()])
            .env("TERM", "xterm-256color")
            .env("RMABOARD_USER", "scanner")
            .env("RMABOARD_CONFIG", bench.dir.path().join("config.toml"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        rmaboard::sys::with_controlling_terminal(&mut cmd);
        bench.child = cmd.spawn().unwrap();
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&bench.output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        bench.input = master;
        bench.wait_for("RMA-2026-");
        bench.wait_for("scanner");
        bench
    }

    /// The command line on the same database.
    fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(BIN)
            .args(["--db", self.db.to_str().unwrap()])
            .args(args)
            .env("RMABOARD_USER", "scanner")
            .env("RMABOARD_CONFIG", self.dir.path().join("config.toml"))
            .output()
            .unwrap()
    }

    /// The cases in `stage`, as `rmaboard list --json` gives them.
    fn cases(&self, stage: &str) -> Vec<serde_json::Value> {
        let out = self.cli(&["list", "--stage", stage, "--json"]);
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// One case as the store has it now.
    fn case(&self, rma: &str) -> serde_json::Value {
        let out = self.cli(&["show", rma, "--json"]);
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn screen(&self) -> String {
        render(&self.output.lock().unwrap(), self.size.0, self.size.1)
    }

    /// Wait until the screen (blanks squeezed) holds `text`; returns that screen.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&squeezed(&screen)) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "{what:?} never appeared; the screen showed:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// A scanner's burst: everything in one write.
    fn scan(&mut self, burst: &str) {
        self.input.write_all(burst.as_bytes()).unwrap();
        self.input.flush().unwrap();
    }

    /// A person at the keyboard: one key at a time, `gap` apart, and a pause after.
    fn type_slowly(&mut self, keys: &str, gap: Duration) {
        for c in keys.chars() {
            let mut b = [0u8; 4];
            self.input
                .write_all(c.encode_utf8(&mut b).as_bytes())
                .unwrap();
            self.input.flush().unwrap();
            std::thread::sleep(gap);
        }
    }

    /// A key a person presses, then lets go of the keyboard for a moment.
    fn press(&mut self, key: &str) {
        self.type_slowly(key, Duration::from_millis(120));
    }

    fn quit(mut self) {
        self.press("\u{1b}");
        self.press("\u{1b}");
        self.press("q");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the board did not quit; the screen showed:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rma(case: &serde_json::Value) -> String {
    case["rma"].as_str().unwrap().to_string()
}

#[test]
fn a_scan_into_the_inspection_question_records_nothing_and_finds_its_case() {
    let mut b = Bench::open(80, 24);
    let at_maker = rma(&b.cases("at_manufacturer")[0]);
    let other = rma(&b.cases("received")[0]);
    // Show the case at the manufacturer, then `>`: "[p] Passed / [f] Failed".
    b.scan(&format!("{at_maker}\r"));
    b.wait_for("In stage since");
    b.press(">");
    b.wait_for("How did the inspection go?");
    // An S10 (its P would pick "Passed", its Enter the marked answer) in one burst.
    b.scan(&format!("{S10}\r"));
    let screen = b.wait_until("the scan's answer", |s| {
        s.contains("No case has") || s.contains("passed inspection")
    });
    let case = b.case(&at_maker);
    assert_eq!(case["stage"], "at_manufacturer", "{case}\n{screen}");
    assert_eq!(case["outcome"], serde_json::Value::Null, "{case}");
    assert!(!screen.contains("How did the inspection go?"), "{screen}");
    b.wait_for(&format!(
        "Put the question about {at_maker} aside for the scan of {S10}: nothing was answered."
    ));
    // A scan into the question is acted on whole: here another case's RMA, shown.
    b.press("\u{1b}");
    b.press(">");
    b.wait_for("How did the inspection go?");
    b.scan(&format!("{other}\r"));
    let screen = b.wait_for(&format!(
        "Put the question about {at_maker} aside for the scan of {other}"
    ));
    assert!(
        squeezed(&screen).contains(&format!("{other}: ")),
        "{screen}"
    );
    assert_eq!(b.case(&at_maker)["stage"], "at_manufacturer");
    b.quit();
}

#[test]
fn a_scan_into_the_next_stage_menu_picks_nothing() {
    let mut b = Bench::open(80, 24);
    let received = rma(&b.cases("received")[0]);
    b.scan(&format!("{received}\r"));
    b.wait_for("In stage since");
    b.press(">");
    b.wait_for("Where does it go next?");
    // "SI…": lower case these would send it or repair it in-house.
    b.scan("SI0000000001\r");
    let screen = b.wait_until("the menu gone", |s| !s.contains("Where does it go next?"));
    assert!(
        !squeezed(&screen).contains("manufacturer reference"),
        "{screen}"
    );
    b.wait_for(&format!(
        "Put the question about {received} aside for the scan of SI0000000001"
    ));
    assert_eq!(b.case(&received)["stage"], "received");
    b.quit();
}

#[test]
fn scanning_parcel_b_while_asked_about_parcel_a_answers_nothing_for_a() {
    let mut b = Bench::open(80, 24);
    let parcels: Vec<(String, String)> = b
        .cases("expected")
        .iter()
        .filter_map(|c| Some((rma(c), c["tracking_in"].as_str()?.to_string())))
        .take(2)
        .collect();
    let [(rma_a, parcel_a), (rma_b, parcel_b)] = &parcels[..] else {
        panic!("the demo has two expected parcels: {parcels:?}");
    };
    b.scan(&format!("{parcel_a}\r"));
    b.wait_for("This parcel was expected. Mark it received now?");
    b.wait_for(rma_a);
    // Parcel B, CR-LF ended: its Enter must not be A's yes, and B is not lost.
    b.scan(&format!("{parcel_b}\r\n"));
    let screen = b.wait_until("the scan's answer", |s| {
        s.contains(&format!("{rma_b}: ")) || s.contains(&format!("{rma_a} received."))
    });
    assert_eq!(b.case(rma_a)["stage"], "expected", "{screen}");
    let screen = b.wait_for(&format!(
        "Put the question about {rma_a} aside for the scan of {parcel_b}: nothing was answered."
    ));
    // B's own question is asked.
    assert!(screen.contains("Mark it received now?"), "{screen}");
    // The person answers B's question.
    b.press("y");
    b.wait_for(&format!("{rma_b} received."));
    assert_eq!(b.case(rma_b)["stage"], "received");
    assert_eq!(b.case(rma_a)["stage"], "expected");
    b.quit();
}

#[test]
fn a_scan_ended_by_tab_finds_its_case() {
    let mut b = Bench::open(80, 24);
    let case = rma(&b.cases("inspected")[0]);
    b.scan(&format!("{case}\t"));
    let screen = b.wait_for("In stage since");
    assert!(screen.contains(&case), "{screen}");
    assert_eq!(b.case(&case)["stage"], "inspected");
    b.quit();
}

#[test]
fn a_scan_closes_the_report_help_and_outbox_and_is_found_whole() {
    let mut b = Bench::open(160, 45);
    let cases: Vec<String> = b.cases("received").iter().take(3).map(rma).collect();
    // The IMEI, a number starting with a digit: the first digit used to only close.
    let imei = b.case(&cases[2])["imei"].as_str().unwrap().to_string();
    for (open, shown, scanned, found) in [
        ("r", "Workshop report", cases[0].clone(), &cases[0]),
        ("?", "Scan or type an IMEI", cases[1].clone(), &cases[1]),
        ("o", "Outbox: messages to customers", imei, &cases[2]),
    ] {
        b.press("\u{1b}");
        b.press(open);
        b.wait_for(shown);
        b.scan(&format!("{scanned}\r"));
        let screen = b.wait_until(&format!("{found} found after {open}"), |s| {
            s.contains(&format!("{found}: ")) && s.contains("In stage since")
        });
        assert!(!screen.contains(shown), "{open}: {screen}");
    }
    b.quit();
}

#[test]
fn a_scan_into_the_ship_form_fills_the_s10_and_its_enter_saves() {
    let mut b = Bench::open(80, 24);
    let case = rma(&b.cases("inspected")[0]);
    b.scan(&format!("{case}\r"));
    b.wait_for("In stage since");
    b.press(">");
    b.wait_for("S10");
    b.scan(&format!("{S10}\r"));
    b.wait_for(&format!("{case} shipped"));
    let shipped = b.case(&case);
    assert_eq!(shipped["stage"], "shipped", "{shipped}");
    assert_eq!(shipped["tracking_out"], S10, "{shipped}");
    b.quit();
}

#[test]
fn a_number_typed_by_hand_still_finds_its_case_and_never_answers() {
    let mut b = Bench::open(80, 24);
    let at_maker = rma(&b.cases("at_manufacturer")[0]);
    // A person types the RMA number key by key, 60 ms apart, and Enter.
    b.type_slowly(&format!("{at_maker}\r"), Duration::from_millis(60));
    b.wait_for("In stage since");
    b.press(">");
    b.wait_for("How did the inspection go?");
    // Typed by hand into the question: its capital starts a number, not an answer.
    b.type_slowly(&format!("{S10}\r"), Duration::from_millis(60));
    b.wait_for(&format!(
        "Put the question about {at_maker} aside for the scan of {S10}"
    ));
    assert_eq!(b.case(&at_maker)["stage"], "at_manufacturer");
    // The question's own keys still answer when a person types them.
    b.press("\u{1b}");
    b.press(">");
    b.wait_for("How did the inspection go?");
    b.press("p");
    b.wait_for(&format!("{at_maker} passed inspection."));
    assert_eq!(b.case(&at_maker)["stage"], "inspected");
    b.quit();
}

#[test]
fn a_parcel_of_several_devices_is_unpacked_by_scanning_each_imei() {
    let mut b = Bench::open(100, 30);
    // The demo's reseller parcel: several cases expected under one tracking number.
    let expected = b.cases("expected");
    let mut by_parcel: std::collections::BTreeMap<String, Vec<&serde_json::Value>> =
        Default::default();
    for c in &expected {
        if let Some(t) = c["tracking_in"].as_str() {
            by_parcel.entry(t.to_string()).or_default().push(c);
        }
    }
    let (parcel, cases) = by_parcel
        .iter()
        .find(|(_, cases)| cases.len() >= 3)
        .expect("the demo has a parcel of several devices");
    b.scan(&format!("{parcel}\r"));
    b.wait_for(&format!("Parcel {parcel}: 0 of {} out", cases.len()));
    // Two devices come out of the box; a device of no case of ours is scanned too.
    let imei = |c: &serde_json::Value| c["imei"].as_str().unwrap().to_string();
    b.scan(&format!("{}\r", imei(cases[0])));
    b.wait_for("1 of");
    b.scan(&format!("{}\r", imei(cases[1])));
    b.wait_for(&format!("Parcel {parcel}: 2 of {} out", cases.len()));
    b.scan("352096990000079\r");
    b.wait_for("not expected in this parcel");
    assert_eq!(b.case(&rma(cases[0]))["stage"], "expected");
    b.press("\r");
    b.wait_for(&format!("Parcel {parcel}: 2 cases received"));
    assert_eq!(b.case(&rma(cases[0]))["stage"], "received");
    assert_eq!(b.case(&rma(cases[1]))["stage"], "received");
    for left in &cases[2..] {
        assert_eq!(b.case(&rma(left))["stage"], "expected");
    }
    b.quit();
}

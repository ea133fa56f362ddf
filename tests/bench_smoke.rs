//! The benchmark itself runs, at a tiny size (timings are never asserted: they belong to
//! `rmaboard bench run` on a real store, see BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn bench_generate_and_run_at_a_tiny_size() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.sqlite");
    let csv = dir.path().join("sales.csv");
    let bin = env!("CARGO_BIN_EXE_rmaboard");
    let gen_out = Command::new(bin)
        .args(["--db", db.to_str().unwrap(), "bench", "generate"])
        .args(["--sales", "3000", "--cases", "400", "--seed", "3", "--csv"])
        .arg(&csv)
        .env("RMABOARD_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert!(gen_out.status.success(), "{gen_out:?}");
    let text = String::from_utf8_lossy(&gen_out.stdout);
    assert!(text.contains("3000 sales, 400 cases"), "{text}");
    let lines = std::fs::read_to_string(&csv).unwrap().lines().count();
    assert_eq!(lines, 3001, "header and one line per sale");

    // Generating into a store that holds data is refused.
    let again = Command::new(bin)
        .args([
            "--db",
            db.to_str().unwrap(),
            "bench",
            "generate",
            "--sales",
            "10",
        ])
        .env("RMABOARD_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));

    let run = Command::new(bin)
        .args(["--db", db.to_str().unwrap(), "bench", "run"])
        .args([
            "--import-rows",
            "2000",
            "--import-runs",
            "2",
            "--samples",
            "20",
        ])
        .args(["--boards", "1,2", "--idle-secs", "1", "--colleagues", "1"])
        .env("RMABOARD_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for figure in [
        "import",
        "frame, cursor and pane keys",
        "frame, search keystroke",
        "bytes, cursor move down",
        "bytes, pane switch",
        "open (start to first frame)",
        "peak RSS of the board",
        "move alone",
        "move, 4 writers",
        "find (RMA, IMEI, tracking)",
        "search keystroke",
        "import, sqlite3 shell .import",
        "import, sqlite3 shell, product's schema",
        "import again (all unchanged)",
        "import a second file on top",
        "open, floor (echo in a pseudo-terminal)",
        "open above the floor",
        "server, 1 board: CPU per idle minute",
        "server, 2 boards: change shown on every board",
        "server, 2 boards: move, 1 colleague",
        "server, 2 boards: peak RSS of a board",
        "server, write capacity (p99 <= 50 ms)",
    ] {
        assert!(out.contains(figure), "no {figure:?} in\n{out}");
    }
    assert!(!out.contains("not measured"), "{out}");
    // The generated store is consistent.
    let doctor = Command::new(bin)
        .args(["--db", db.to_str().unwrap(), "doctor"])
        .env("RMABOARD_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert!(doctor.status.success(), "{doctor:?}");
}

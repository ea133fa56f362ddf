//! `rmaboard bench run`: the figures staff feel, measured on a generated store.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::demo::Rng;
use crate::domain::Stage;
use crate::domain::case::Change;
use crate::store::{Result, Store, StoreError};

/// What `rmaboard bench run` measures.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The generated store to measure (it is written to: moves and notes).
    pub db: PathBuf,
    /// Rows for the import figure (a CSV is generated into a temporary folder).
    pub import_rows: u64,
    /// Samples per timed figure.
    pub samples: usize,
    /// Import runs, each beside a run of the sqlite3 shell, alternating.
    pub import_runs: usize,
    /// Measure the import figures only.
    pub import_only: bool,
}

/// Timings in microseconds, sorted.
pub(crate) struct Samples(pub(crate) Vec<u128>);

impl Samples {
    pub(crate) fn collect(mut v: Vec<u128>) -> Samples {
        v.sort_unstable();
        Samples(v)
    }

    /// The `p` quantile (0.0 to 1.0), in milliseconds.
    pub(crate) fn pct(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let i = ((self.0.len() as f64 - 1.0) * p).round() as usize;
        self.0[i.min(self.0.len() - 1)] as f64 / 1000.0
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, u128) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_micros())
}

/// CPU seconds (user and system) of this process and of its waited-for children, from
/// `/proc/self/stat` (Linux).
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let per_second = crate::sys::clock_ticks_per_second() as f64;
    // utime, stime, cutime, cstime: fields 14 to 17 of the line, 12 to 15 after ')'.
    let own = (tick(11)? + tick(12)?) as f64 / per_second;
    let children = (tick(13)? + tick(14)?) as f64 / per_second;
    Some((own, children))
}

/// The same CSV through the sqlite3 shell's `.import` into a table of the same columns
/// with a unique IMEI index, as a shop would without rmaboard: wall and CPU seconds.
/// `None` when there is no `sqlite3` to run.
fn sqlite3_import(csv: &Path, db: &Path) -> Option<std::result::Result<(f64, f64), String>> {
    sqlite3_script(
        db,
        &format!(
            "CREATE TABLE sales ({SALES_COLUMNS});\n\
             CREATE UNIQUE INDEX sales_imei ON sales (imei);\n\
             .import --csv --skip 1 '{}' sales\n",
            csv.display()
        ),
    )
}

/// The CSV's columns, in its order.
const SALES_COLUMNS: &str = "imei, order_number, customer_number, customer_name, \
    customer_email, customer_address, country, model, category, dispatched_on";

/// The same CSV through the sqlite3 shell into the product's own schema (a database made
/// by `Store::open`: the registry kept in IMEI order, WAL), doing the database work the
/// product's import does for the sales themselves: in one transaction, the rows
/// `.import`ed into a temporary table and inserted. What is left between this and the
/// product's import is the reading, the checks, the hand-over of the rows and the few
/// thousand customer rows the product also writes. The temporary table costs the shell a
/// copy of the rows the product does not make (its file is 10 columns, the registry 11);
/// kept in memory (`temp_store = MEMORY`) it was slower still.
fn sqlite3_import_product_schema(
    csv: &Path,
    db: &Path,
) -> Option<std::result::Result<(f64, f64), String>> {
    if let Err(e) = Store::open(db) {
        return Some(Err(e.to_string()));
    }
    sqlite3_script(
        db,
        &format!(
            "PRAGMA cache_size = -262144;\n\
             BEGIN IMMEDIATE;\n\
             CREATE TEMP TABLE incoming ({SALES_COLUMNS});\n\
             .import --csv --skip 1 '{}' incoming\n\
             INSERT INTO sales ({SALES_COLUMNS}) SELECT * FROM incoming;\n\
             COMMIT;\n",
            csv.display()
        ),
    )
}

/// Run `script` through the sqlite3 shell on `db`, stopping at the first error: wall and
/// CPU seconds. `None` when there is no `sqlite3` to run.
fn sqlite3_script(db: &Path, script: &str) -> Option<std::result::Result<(f64, f64), String>> {
    let before = cpu_seconds();
    let started = Instant::now();
    let child = Command::new("sqlite3")
        .arg("-bail")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(e.to_string())),
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        if let Err(e) = stdin.write_all(script.as_bytes()) {
            return Some(Err(e.to_string()));
        }
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => return Some(Err(e.to_string())),
    };
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Some(Err(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    let cpu = cpu_seconds()
        .zip(before)
        .map_or(f64::NAN, |(a, b)| a.1 - b.1);
    Some(Ok((wall, cpu)))
}

/// Peak resident memory of this process, from the kernel (Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

struct Report(Vec<Figure>);

impl Report {
    fn row(&mut self, what: &str, value: String, target: &str) {
        self.0.push((what.to_string(), value, target.to_string()));
    }

    fn print(&self) {
        let w = self.0.iter().map(|r| r.0.len()).max().unwrap_or(10);
        let v = self.0.iter().map(|r| r.1.len()).max().unwrap_or(10);
        println!("{:<w$}  {:<v$}  target", "figure", "measured");
        for (what, value, target) in &self.0 {
            println!("{what:<w$}  {value:<v$}  {target}");
        }
    }
}

fn sample_keys(store: &Store, column: &str, n: usize) -> Result<Vec<String>> {
    let sql =
        format!("SELECT {column} FROM cases WHERE {column} IS NOT NULL ORDER BY random() LIMIT ?1");
    let mut stmt = store.connection().prepare(&sql)?;
    let rows = stmt.query_map([n as i64], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Background writers for the "move under load" figure; killed on drop.
struct Writers(Vec<Child>);

impl Drop for Writers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start_writers(db: &Path, n: usize) -> Result<Writers> {
    let exe = std::env::current_exe().map_err(|source| StoreError::Io {
        action: "find the running program",
        path: PathBuf::from("rmaboard"),
        source,
    })?;
    let mut children = Vec::new();
    for i in 0..n {
        let child = Command::new(&exe)
            .args(["bench", "writer", "--seed", &i.to_string(), "--db"])
            .arg(db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| StoreError::Io {
                action: "start a background writer",
                path: exe.clone(),
                source,
            })?;
        children.push(child);
    }
    // Let them get going.
    std::thread::sleep(Duration::from_millis(300));
    Ok(Writers(children))
}

/// Notes on random shipped cases (never the ones being moved), hundreds a second, until
/// killed. Each writer pauses 0.5-2.5 ms after a commit: a process that begins its next
/// write microseconds after the last keeps SQLite's write lock from everyone waiting
/// (see BENCHMARKS.md), which no program of the shop does; people and scripts leave gaps.
pub fn writer(db: &Path, seed: u64) -> Result<()> {
    let mut store = Store::open(db)?;
    let ids: Vec<i64> = {
        let mut stmt = store
            .connection()
            .prepare("SELECT id FROM cases WHERE stage = 'shipped' LIMIT 2000")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    if ids.is_empty() {
        return Ok(());
    }
    let mut rng = Rng::new(seed);
    loop {
        let id = ids[(rng.next_u64() % ids.len() as u64) as usize];
        match store.add_note(id, "background writer", "bench", Utc::now()) {
            Ok(_) | Err(StoreError::Busy(_)) => {}
            Err(e) => return Err(e),
        }
        std::thread::sleep(Duration::from_micros(500 + rng.next_u64() % 2000));
    }
}

/// Move a case between at-manufacturer and received, whichever it is not in, with its
/// event: how long the commit took, in microseconds.
pub(crate) fn toggle_move(store: &mut Store, id: i64) -> Result<u128> {
    let case = store.case_by_id(id)?;
    let to = if case.stage == Stage::AtManufacturer {
        Stage::Received
    } else {
        Stage::AtManufacturer
    };
    let (r, t) = timed(|| {
        store.apply(
            id,
            case.version,
            Change::Move { to },
            "bench",
            Utc::now(),
            &crate::paperwork::Settings::default(),
        )
    });
    r.map(|_| t)
}

/// Ids of up to `n` random cases at the manufacturer: cases a move can go back and forth on.
pub(crate) fn cases_at_manufacturer(store: &Store, n: usize) -> Result<Vec<i64>> {
    let mut stmt = store.connection().prepare(
        "SELECT id FROM cases WHERE stage = 'at_manufacturer' ORDER BY random() LIMIT ?1",
    )?;
    let rows = stmt.query_map([n as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Stage moves back and forth on cases at the manufacturer, each with its event; with
/// the number that gave up waiting for the write lock (the busy timeout).
fn time_moves(store: &mut Store, n: usize) -> Result<(Samples, usize)> {
    let ids = cases_at_manufacturer(store, 50)?;
    let mut times = Vec::with_capacity(n);
    let mut timed_out = 0;
    for k in 0..n {
        let Some(&id) = ids.get(k % ids.len().max(1)) else {
            break;
        };
        match toggle_move(store, id) {
            Ok(t) => times.push(t),
            Err(StoreError::Busy(_)) => timed_out += 1,
            Err(e) => return Err(e),
        }
    }
    Ok((Samples::collect(times), timed_out))
}

fn bench_io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// One import of `csv` through `rmaboard sales import`'s code: the summary, wall and CPU
/// seconds of this process (both threads).
fn product_import(
    store: &mut Store,
    csv: &Path,
    today: chrono::NaiveDate,
) -> Result<(crate::store::ImportSummary, f64, f64)> {
    let cpu_before = cpu_seconds();
    let (summary, us) =
        timed(|| crate::import::import_file(store, csv, today, false, &mut |_| {}, &mut |_, _| {}));
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map_or(f64::NAN, |(a, b)| a.0 - b.0);
    let summary = summary.map_err(|e| StoreError::BadKey(e.to_string()))?;
    Ok((summary, us as f64 / 1e6, cpu))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn spread(v: &[f64]) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if v.len() > 1 {
        format!(" ({lo:.2}-{hi:.2})")
    } else {
        String::new()
    }
}

/// The import figures: a generated CSV into an empty database through the product's
/// import, each run beside the sqlite3 shell's `.import` of the same file (alternating,
/// so both see the same machine); then the same file again into the full registry (every
/// row unchanged) and a second file of new sales on top.
fn import_figures(report: &mut Report, opts: &RunOptions) -> Result<()> {
    let dir =
        tempfile::tempdir().map_err(bench_io("make a temporary folder", &std::env::temp_dir()))?;
    let csv = dir.path().join("sales.csv");
    let today = Utc::now().date_naive();
    super::write_sales_csv(&csv, opts.import_rows, 7, today).map_err(bench_io("write", &csv))?;
    let runs = opts.import_runs.max(1);
    let (mut walls, mut cpus, mut ratios, mut cpu_ratios) = (vec![], vec![], vec![], vec![]);
    let (mut shell_walls, mut shell_cpus) = (vec![], vec![]);
    let mut shell_error = None;
    // The shell again, doing the product's database work on its schema.
    let (mut same_walls, mut same_cpus, mut same_ratios, mut same_cpu_ratios) =
        (vec![], vec![], vec![], vec![]);
    let mut same_error = None;
    let mut imported = 0;
    let db = dir.path().join("import.sqlite");
    for run in 0..runs {
        // A fresh database each run; the last one stays for the figures below.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        let mut fresh = Store::open(&db)?;
        let (summary, wall, cpu) = product_import(&mut fresh, &csv, today)?;
        drop(fresh);
        imported = summary.imported;
        walls.push(wall);
        cpus.push(cpu);
        let shell_db = dir.path().join(format!("shell{run}.sqlite"));
        match sqlite3_import(&csv, &shell_db) {
            Some(Ok((shell_wall, shell_cpu))) => {
                shell_walls.push(shell_wall);
                shell_cpus.push(shell_cpu);
                ratios.push(wall / shell_wall);
                cpu_ratios.push(cpu / shell_cpu.max(1e-9));
            }
            Some(Err(e)) => shell_error = Some(format!("not measured: {e}")),
            None => shell_error = Some("skipped: no sqlite3 on the PATH".into()),
        }
        let _ = std::fs::remove_file(&shell_db);
        let same_db = dir.path().join(format!("same{run}.sqlite"));
        match sqlite3_import_product_schema(&csv, &same_db) {
            Some(Ok((same_wall, same_cpu))) => {
                same_walls.push(same_wall);
                same_cpus.push(same_cpu);
                same_ratios.push(wall / same_wall);
                same_cpu_ratios.push(cpu / same_cpu.max(1e-9));
            }
            Some(Err(e)) => same_error = Some(format!("not measured: {e}")),
            None => same_error = Some("skipped: no sqlite3 on the PATH".into()),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = same_db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    let wall = median(walls.clone());
    report.row(
        "import",
        format!(
            "{:.0} rows/s ({imported} rows in {wall:.2} s{}, CPU {:.2} s{}; median of {runs})",
            imported as f64 / wall,
            spread(&walls),
            median(cpus.clone()),
            spread(&cpus)
        ),
        ">= 250000 rows/s",
    );
    let references = [
        (
            "import, sqlite3 shell .import",
            "unique IMEI index, no checks",
            "import vs sqlite3 shell",
            "run by run",
            "wall <= 1.0x, CPU <= 1.2x",
            shell_error,
            (shell_walls, shell_cpus, ratios, cpu_ratios),
        ),
        (
            "import, sqlite3 shell, product's schema",
            "the registry table, no checks, no customers",
            "import vs shell, product's schema",
            "run by run: the checks' and reading's share",
            "-",
            same_error,
            (same_walls, same_cpus, same_ratios, same_cpu_ratios),
        ),
    ];
    for (name, what, versus, how, target, error, (walls, cpus, ratios, cpu_ratios)) in references {
        if let Some(e) = error {
            report.row(name, e, "-");
            continue;
        }
        report.row(
            name,
            format!(
                "{:.2} s{}, CPU {:.2} s{} ({what})",
                median(walls.clone()),
                spread(&walls),
                median(cpus.clone()),
                spread(&cpus)
            ),
            "-",
        );
        report.row(
            versus,
            format!(
                "wall {:.2}x{}, CPU {:.2}x{} ({how})",
                median(ratios.clone()),
                spread(&ratios),
                median(cpu_ratios.clone()),
                spread(&cpu_ratios)
            ),
            target,
        );
    }

    let mut full = Store::open(&db)?;
    let (again, wall, cpu) = product_import(&mut full, &csv, today)?;
    report.row(
        "import again (all unchanged)",
        format!(
            "{} rows in {wall:.2} s, CPU {cpu:.2} s, into {imported} sales",
            again.unchanged
        ),
        "-",
    );
    let second = dir.path().join("more.csv");
    super::write_sales_csv_from(&second, opts.import_rows, opts.import_rows, 8, today)
        .map_err(bench_io("write", &second))?;
    let (more, wall, cpu) = product_import(&mut full, &second, today)?;
    report.row(
        "import a second file on top",
        format!(
            "{} rows in {wall:.2} s, CPU {cpu:.2} s, into {imported} sales",
            more.imported
        ),
        "-",
    );
    Ok(())
}

/// A measured figure: what, the value, the target.
pub type Figure = (String, String, String);

/// Run every measurement; `frames` measures the board on the store and returns its rows.
pub fn run(opts: &RunOptions, frames: &mut dyn FnMut(&Path) -> Vec<Figure>) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "rmaboard bench on {} ({cores} cores), release build: {}",
        opts.db.display(),
        !cfg!(debug_assertions)
    );
    let mut report = Report(Vec::new());
    let mut store = Store::open(&opts.db)?;
    let counts = store.stage_counts()?;
    println!(
        "store: {} sales, {} cases ({} active)",
        store.sales_count()?,
        counts.iter().sum::<u64>(),
        counts[..4].iter().sum::<u64>()
    );

    if opts.import_rows > 0 {
        import_figures(&mut report, opts)?;
    }
    if opts.import_only {
        report.print();
        return Ok(());
    }

    for row in frames(&opts.db) {
        report.row(&row.0, row.1, &row.2);
    }

    let (moves, _) = time_moves(&mut store, opts.samples)?;
    report.row(
        "move alone",
        format!(
            "median {:.2} ms, p99 {:.2} ms",
            moves.pct(0.5),
            moves.pct(0.99)
        ),
        "median <= 2 ms",
    );
    {
        let _writers = start_writers(&opts.db, 4)?;
        let (moves, timed_out) = time_moves(&mut store, opts.samples)?;
        report.row(
            "move, 4 writers",
            format!(
                "median {:.2} ms, p99 {:.2} ms, {timed_out} timed out",
                moves.pct(0.5),
                moves.pct(0.99)
            ),
            "-",
        );
    }

    let mut finds = Vec::new();
    for column in ["rma", "imei", "tracking_out"] {
        for key in sample_keys(&store, column, opts.samples / 3 + 1)? {
            let (r, t) = timed(|| store.find(&key));
            // An IMEI with two cases is an ambiguity, also an answer.
            if let Err(e) = r
                && !matches!(e, StoreError::Ambiguous { .. })
            {
                return Err(e);
            }
            finds.push(t);
        }
    }
    let finds = Samples::collect(finds);
    report.row(
        "find (RMA, IMEI, tracking)",
        format!(
            "median {:.3} ms, p99 {:.3} ms",
            finds.pct(0.5),
            finds.pct(0.99)
        ),
        "<= 1 ms",
    );

    // Search as you type: every prefix of customer names, models, faults and numbers.
    let mut rng = Rng::new(11);
    let mut words = sample_keys(&store, "fault", 5)?;
    words.extend(sample_keys(&store, "tracking_in", 5)?);
    words.extend(sample_keys(&store, "customer_number", 5)?);
    words.push(format!("#{}", rng.range(0, 1999)));
    words.push("Hub".into());
    let mut keystrokes = Vec::new();
    for word in &words {
        let chars: Vec<char> = word.chars().take(12).collect();
        for n in 1..=chars.len() {
            let q: String = chars[..n].iter().collect();
            let (r, t) = timed(|| store.search(&q, 50));
            r?;
            keystrokes.push(t);
        }
    }
    let keystrokes = Samples::collect(keystrokes);
    report.row(
        "search keystroke",
        format!(
            "median {:.1} ms, p99 {:.1} ms ({} keystrokes)",
            keystrokes.pct(0.5),
            keystrokes.pct(0.99),
            keystrokes.0.len()
        ),
        "p99 <= 30 ms",
    );
    if let Some(kib) = peak_rss_kib() {
        report.row(
            "peak RSS (this run)",
            format!("{:.1} MB", kib as f64 / 1024.0),
            "-",
        );
    }
    report.print();
    Ok(())
}

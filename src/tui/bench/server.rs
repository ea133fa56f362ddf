//! What one shop server holds: N boards, each the real binary in its own pseudo-terminal
//! polling the database as in real use, while colleagues write at a shop's pace; then
//! how many moves a second the database takes before its slowest answers pass 50 ms.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::process::BoardProcess;
use crate::bench::{Figure, Samples, cases_at_manufacturer, toggle_move};
use crate::demo::Rng;
use crate::store::{Store, StoreError};

/// What the server section measures.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The numbers of boards to run side by side, one measurement each.
    pub boards: Vec<usize>,
    /// How long the boards are left alone for their idle CPU.
    pub idle: Duration,
    /// Colleagues writing at a shop's pace (a note or a move every two seconds each).
    pub writers: usize,
}

/// The figures for every number of boards; a step that fails is reported in its row.
pub fn figures(db: &Path, opts: &ServerOptions) -> Vec<Figure> {
    let mut rows = Vec::new();
    for &n in &opts.boards {
        match with_boards(db, n, opts) {
            Ok(mut r) => rows.append(&mut r),
            Err(e) => rows.push((
                format!("server, {n} boards"),
                format!("not measured: {e}"),
                String::new(),
            )),
        }
    }
    match write_capacity(db) {
        Ok(row) => rows.push(row),
        Err(e) => rows.push((
            "server, write capacity".into(),
            format!("not measured: {e}"),
            String::new(),
        )),
    }
    rows
}

/// Colleagues at work: each adds a note to a shipped case every two seconds or so, until
/// dropped.
struct Colleagues {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Colleagues {
    fn start(db: &Path, n: usize) -> anyhow::Result<Colleagues> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        for seed in 0..n {
            let mut store = Store::open(db)?;
            let ids: Vec<i64> = {
                let mut stmt = store
                    .connection()
                    .prepare("SELECT id FROM cases WHERE stage = 'shipped' LIMIT 500")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            let stop = Arc::clone(&stop);
            threads.push(std::thread::spawn(move || {
                let mut rng = Rng::new(seed as u64 + 100);
                while !stop.load(Ordering::Relaxed) && !ids.is_empty() {
                    let id = ids[(rng.next_u64() % ids.len() as u64) as usize];
                    let _ = store.add_note(id, "checked the box", "colleague", Utc::now());
                    let pause = 1500 + rng.next_u64() % 1000;
                    let until = Instant::now() + Duration::from_millis(pause);
                    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }));
        }
        Ok(Colleagues { stop, threads })
    }
}

impl Drop for Colleagues {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Wait until no board has drawn anything for `calm`, at most `limit`.
fn settle(boards: &[BoardProcess], calm: Duration, limit: Duration) {
    let start = Instant::now();
    let mut last: Vec<usize> = boards.iter().map(BoardProcess::drawn).collect();
    let mut quiet_since = Instant::now();
    while start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
        let now: Vec<usize> = boards.iter().map(BoardProcess::drawn).collect();
        if now != last {
            last = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= calm {
            return;
        }
    }
}

fn with_boards(db: &Path, n: usize, opts: &ServerOptions) -> anyhow::Result<Vec<Figure>> {
    let exe = std::env::current_exe()?;
    let mut boards = Vec::with_capacity(n);
    for _ in 0..n {
        boards.push(BoardProcess::spawn(&exe, db, 160, 45)?);
    }
    for b in &boards {
        b.wait_for(b"? help", Duration::from_secs(60))?;
    }
    settle(&boards, Duration::from_millis(500), Duration::from_secs(5));

    // Idle: nobody types, nothing changes; what the polling costs.
    let before: Vec<f64> = boards
        .iter()
        .filter_map(BoardProcess::cpu_seconds)
        .collect();
    std::thread::sleep(opts.idle);
    let after: Vec<f64> = boards
        .iter()
        .filter_map(BoardProcess::cpu_seconds)
        .collect();
    anyhow::ensure!(
        before.len() == n && after.len() == n,
        "a board's CPU time could not be read"
    );
    let used: f64 = after.iter().zip(&before).map(|(a, b)| a - b).sum();
    let per_minute = 60.0 / opts.idle.as_secs_f64();
    let per_board_ms = used / n as f64 * per_minute * 1000.0;
    let share = used / opts.idle.as_secs_f64() * 100.0;

    let _colleagues = Colleagues::start(db, opts.writers)?;
    let mut store = Store::open(db)?;
    let ids = cases_at_manufacturer(&store, 20)?;
    anyhow::ensure!(!ids.is_empty(), "the store has no case at the manufacturer");

    // A change made here, until every board has drawn something since.
    let mut shown = Vec::new();
    for trial in 0..5 {
        settle(&boards, Duration::from_millis(300), Duration::from_secs(3));
        for b in &boards {
            b.clear();
        }
        let made = Instant::now();
        toggle_move(&mut store, ids[trial % ids.len()])?;
        let mut waiting: Vec<usize> = (0..n).collect();
        while !waiting.is_empty() && made.elapsed() < Duration::from_secs(10) {
            waiting.retain(|&i| boards[i].drawn() == 0);
            std::thread::sleep(Duration::from_millis(2));
        }
        anyhow::ensure!(
            waiting.is_empty(),
            "{} boards never showed a change",
            waiting.len()
        );
        shown.push(made.elapsed().as_micros());
    }
    let shown = Samples::collect(shown);

    // Moves while the boards poll and colleagues write, paced like a busy bench.
    let mut moves = Vec::new();
    for k in 0..100 {
        match toggle_move(&mut store, ids[k % ids.len()]) {
            Ok(t) => moves.push(t),
            Err(StoreError::Busy(_)) => moves.push(u128::MAX),
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let moves = Samples::collect(moves);
    let peak_rss = boards.iter().filter_map(BoardProcess::peak_rss_kib).max();
    for b in boards {
        b.quit();
    }
    let label = |what: &str| format!("server, {n} board{}: {what}", if n == 1 { "" } else { "s" });
    Ok(vec![
        (
            label("CPU per idle minute"),
            format!("{per_board_ms:.0} ms per board ({share:.1}% of one core for all)"),
            "-".into(),
        ),
        (
            label("change shown on every board"),
            format!(
                "median {:.0} ms, slowest {:.0} ms of 5",
                shown.pct(0.5),
                shown.pct(1.0)
            ),
            "<= 1000 ms".into(),
        ),
        (
            label(&format!(
                "move, {} colleague{}",
                opts.writers,
                if opts.writers == 1 { "" } else { "s" }
            )),
            format!(
                "median {:.2} ms, p99 {:.2} ms",
                moves.pct(0.5),
                moves.pct(0.99)
            ),
            "p99 <= 50 ms".into(),
        ),
        (
            label("peak RSS of a board"),
            peak_rss.map_or("-".into(), |k| format!("{:.1} MB", k as f64 / 1024.0)),
            "<= 30 MB".into(),
        ),
    ])
}

/// Moves a second from four connections, paced at rising rates for two seconds each,
/// until the slowest 1% take longer than 50 ms or the rate is no longer reached: the
/// highest rate that held.
fn write_capacity(db: &Path) -> anyhow::Result<Figure> {
    const THREADS: usize = 4;
    let ids = cases_at_manufacturer(&Store::open(db)?, 400)?;
    anyhow::ensure!(
        ids.len() >= THREADS,
        "the store has too few cases at the manufacturer"
    );
    let mut held: Option<(u32, f64)> = None;
    let mut broke = String::new();
    for rate in [25u32, 50, 100, 200, 400, 800, 1600] {
        let every = Duration::from_secs_f64(THREADS as f64 / f64::from(rate));
        let run_for = Duration::from_secs(2);
        let mut handles = Vec::new();
        for (t, chunk) in ids.chunks(ids.len().div_ceil(THREADS)).enumerate() {
            let mut store = Store::open(db)?;
            let chunk = chunk.to_vec();
            handles.push(std::thread::spawn(move || -> Vec<u128> {
                let start = Instant::now() + every.mul_f64(t as f64 / THREADS as f64);
                let mut times = Vec::new();
                let mut k = 0usize;
                loop {
                    let due = start + every * k as u32;
                    if due.duration_since(start) >= run_for {
                        return times;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    // Latency counts from when the move was due: a queue shows.
                    let late = Instant::now().saturating_duration_since(due).as_micros();
                    match toggle_move(&mut store, chunk[k % chunk.len()]) {
                        Ok(t) => times.push(t + late),
                        Err(_) => times.push(u128::MAX),
                    }
                    k += 1;
                }
            }));
        }
        let started = Instant::now();
        let mut all = Vec::new();
        for h in handles {
            all.extend(
                h.join()
                    .map_err(|_| anyhow::anyhow!("a writer thread failed"))?,
            );
        }
        let achieved = all.len() as f64 / started.elapsed().as_secs_f64();
        let samples = Samples::collect(all);
        let p99 = samples.pct(0.99);
        if p99 <= 50.0 && achieved >= 0.9 * f64::from(rate) {
            held = Some((rate, p99));
        } else {
            broke = format!("; at {rate}/s: p99 {p99:.0} ms, {achieved:.0} done/s");
            break;
        }
    }
    let value = match held {
        Some((rate, p99)) => format!("{rate} moves/s held (p99 {p99:.1} ms){broke}"),
        None => format!("not even 25 moves/s{broke}"),
    };
    Ok((
        "server, write capacity (p99 <= 50 ms)".into(),
        value,
        "-".into(),
    ))
}

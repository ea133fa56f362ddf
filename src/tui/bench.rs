//! The board's figures for `rmaboard bench run`: frame time and bytes on the wire, measured
//! in this process through the real crossterm backend into a counting sink; start-up time
//! and memory, measured on the real binary in a pseudo-terminal.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::{Rect, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};

use super::backend::LeanBackend;
use super::keymap::KeyMap;
use super::{Board, Msg};
use crate::bench::Figure;
use crate::config::Config;
use crate::workshop::{Setup, Workshop};

#[cfg(unix)]
mod process;
#[cfg(unix)]
pub mod server;

/// Counts what the backend writes: the bytes an SSH link has to carry.
#[derive(Clone, Default)]
struct Wire(Arc<AtomicU64>);

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The board's backend, timed, and ratatui's own, for its bytes beside.
struct Terminals {
    lean: Terminal<LeanBackend<Wire>>,
    plain: Terminal<CrosstermBackend<Wire>>,
}

impl Terminals {
    /// Both terminals at `w` x `h`, with the wires their bytes go to.
    fn new(w: u16, h: u16) -> anyhow::Result<(Terminals, Wire, Wire)> {
        let (wire, plain_wire) = (Wire::default(), Wire::default());
        let viewport = || TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        };
        let terminals = Terminals {
            lean: Terminal::with_options(
                LeanBackend::with_size(wire.clone(), Size::new(w, h)),
                viewport(),
            )?,
            plain: Terminal::with_options(CrosstermBackend::new(plain_wire.clone()), viewport())?,
        };
        Ok((terminals, wire, plain_wire))
    }
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) as f64 * p).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

/// Figures for one store, at 160x45.
pub fn figures(db: &Path) -> Vec<Figure> {
    let mut rows = Vec::new();
    match frames(db) {
        Ok(mut r) => rows.append(&mut r),
        Err(e) => rows.push(("frame".into(), format!("not measured: {e}"), String::new())),
    }
    match startup(db) {
        Ok(mut r) => rows.append(&mut r),
        Err(e) => rows.push(("open".into(), format!("not measured: {e}"), String::new())),
    }
    rows
}

/// Feed the board the worker's and the reader's answers, drawing when they change the
/// screen, as the event loop does, until none is due. The time each such frame took is
/// added to `answer_frames`.
fn settle(
    board: &mut Board,
    terminals: &mut Terminals,
    answer_frames: &mut Vec<f64>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let t = Instant::now();
        if board.pump() {
            terminals.lean.draw(|f| board.draw(f))?;
            answer_frames.push(t.elapsed().as_secs_f64() * 1000.0);
            terminals.plain.draw(|f| board.draw(f))?;
        }
        if !board.waiting() {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "the board's reader never answered"
        );
        std::thread::sleep(Duration::from_micros(100));
    }
}

fn frames(db: &Path) -> anyhow::Result<Vec<Figure>> {
    let ws = Workshop::open(
        Setup::new(db, "bench", Config::default()),
        crate::workshop::wall_clock(),
    )?;
    let (w, h) = (160, 45);
    // As in real use: writes on the worker, the slow reads on the reader thread.
    let mut board = Board::new(
        ws,
        KeyMap::default_keys(),
        crate::domain::time::Zone::Local,
        (w, h),
    )
    .with_worker()?;
    let (mut terminals, wire, plain_wire) = Terminals::new(w, h)?;
    let mut answer_frames = Vec::new();
    let started = Instant::now();
    board.start();
    terminals.lean.draw(|f| board.draw(f))?;
    let first_frame = started.elapsed().as_secs_f64() * 1000.0;
    terminals.plain.draw(|f| board.draw(f))?;
    settle(&mut board, &mut terminals, &mut answer_frames)?;
    let counted = started.elapsed().as_secs_f64() * 1000.0;
    // A key: the frame that answers it (key, update, draw: what the UI thread does before
    // the next key is read), then whatever follows from it (the reader's answers, drawn
    // as they come). The bytes are the frame's and those that follow, together.
    // The same frames also go through ratatui's own crossterm backend, untimed, for its
    // bytes beside the board's.
    let mut plain_scroll = Vec::new();
    let mut step = |board: &mut Board, msg: Msg, answers: &mut Vec<f64>| {
        let before = wire.0.load(Ordering::Relaxed);
        let plain_before = plain_wire.0.load(Ordering::Relaxed);
        let start = Instant::now();
        board.send(msg);
        terminals.lean.draw(|f| board.draw(f))?;
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        terminals.plain.draw(|f| board.draw(f))?;
        settle(board, &mut terminals, answers)?;
        let shown = start.elapsed().as_secs_f64() * 1000.0;
        let plain = plain_wire.0.load(Ordering::Relaxed) - plain_before;
        anyhow::Ok((ms, shown, wire.0.load(Ordering::Relaxed) - before, plain))
    };
    let (mut times, mut down_bytes, mut switch_bytes, mut scroll_bytes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..40 {
        // From the top of the pane, moves within the visible window...
        let (t, ..) = step(&mut board, key(KeyCode::Char('g')), &mut answer_frames)?;
        times.push(t);
        for _ in 0..5 {
            let (t, _, b, _) = step(&mut board, key(KeyCode::Char('j')), &mut answer_frames)?;
            times.push(t);
            down_bytes.push(b as f64);
        }
        let dir = if round % 8 < 4 { 'l' } else { 'h' };
        let (t, _, b, _) = step(&mut board, key(KeyCode::Char(dir)), &mut answer_frames)?;
        times.push(t);
        switch_bytes.push(b as f64);
    }
    // ...and past its bottom edge, where the whole pane scrolls by one card.
    step(&mut board, key(KeyCode::Char('g')), &mut answer_frames)?;
    for n in 0..40 {
        let (t, _, b, plain) = step(&mut board, key(KeyCode::Char('j')), &mut answer_frames)?;
        times.push(t);
        if n >= 25 {
            scroll_bytes.push(b as f64);
            plain_scroll.push(plain as f64);
        }
    }
    let mut nav = times.clone();
    // Search as you type: each keystroke's frame shows the query; the store's answer
    // for it follows from the reader.
    let (mut search, mut search_shown) = (Vec::new(), Vec::new());
    for word in ["Reboots", "RR0300", "Hub #1", "CECT-SR-88"] {
        step(&mut board, key(KeyCode::Char('/')), &mut answer_frames)?;
        for c in word.chars() {
            let (t, shown, ..) = step(&mut board, key(KeyCode::Char(c)), &mut answer_frames)?;
            times.push(t);
            search.push(t);
            search_shown.push(shown);
        }
        step(&mut board, key(KeyCode::Esc), &mut answer_frames)?;
    }
    // The same scrolling move where the focused pane spans the terminal's width (80x24:
    // one pane with tabs), so the terminal can scroll it.
    board.send(Msg::Resize(80, 24));
    let (narrow, narrow_plain) = scroll_move_bytes(&mut board, 80, 24)?;
    let n = times.len();
    let (n_answers, answers_p99) = (answer_frames.len(), pct(&mut answer_frames, 0.99));
    Ok(vec![
        (
            "frame, all keys (key + update + draw)".into(),
            format!(
                "median {:.2} ms, p99 {:.2} ms ({n} keys at {w}x{h})",
                pct(&mut times, 0.5),
                pct(&mut times, 0.99)
            ),
            "p99 <= 2 ms".into(),
        ),
        (
            "frame, cursor and pane keys".into(),
            format!(
                "median {:.2} ms, p99 {:.2} ms",
                pct(&mut nav, 0.5),
                pct(&mut nav, 0.99)
            ),
            "p99 <= 2 ms".into(),
        ),
        (
            "frame, search keystroke".into(),
            format!(
                "median {:.2} ms, p99 {:.2} ms",
                pct(&mut search, 0.5),
                pct(&mut search, 0.99)
            ),
            "p99 <= 2 ms".into(),
        ),
        (
            "search keystroke, results on screen".into(),
            format!(
                "median {:.2} ms, p99 {:.2} ms (key to the frame with its answer)",
                pct(&mut search_shown, 0.5),
                pct(&mut search_shown, 0.99)
            ),
            "p99 <= 30 ms".into(),
        ),
        (
            "frame, answers drawn as they come".into(),
            format!(
                "median {:.2} ms, p99 {answers_p99:.2} ms ({n_answers} frames)",
                pct(&mut answer_frames, 0.5),
            ),
            "-".into(),
        ),
        (
            "first frame in-process, then counts".into(),
            format!("{first_frame:.1} ms to the first frame, counts drawn at {counted:.1} ms"),
            "-".into(),
        ),
        (
            "bytes, cursor move down".into(),
            format!(
                "median {:.0} B, max {:.0} B",
                pct(&mut down_bytes, 0.5),
                pct(&mut down_bytes, 1.0)
            ),
            "<= 400 B".into(),
        ),
        (
            "bytes, cursor move that scrolls".into(),
            format!(
                "median {:.0} B, max {:.0} B",
                pct(&mut scroll_bytes, 0.5),
                pct(&mut scroll_bytes, 1.0)
            ),
            "<= 400 B".into(),
        ),
        (
            "bytes, the same scrolling move, plain".into(),
            format!(
                "median {:.0} B, max {:.0} B (ratatui's crossterm backend)",
                pct(&mut plain_scroll, 0.5),
                pct(&mut plain_scroll, 1.0)
            ),
            "-".into(),
        ),
        (
            "bytes, cursor move that scrolls, 80x24".into(),
            format!("median {narrow:.0} B (ratatui's crossterm backend: {narrow_plain:.0} B)"),
            "-".into(),
        ),
        (
            "bytes, pane switch".into(),
            format!(
                "median {:.0} B, max {:.0} B",
                pct(&mut switch_bytes, 0.5),
                pct(&mut switch_bytes, 1.0)
            ),
            "<= 4 KB".into(),
        ),
    ])
}

/// The median bytes of a cursor move that scrolls the focused pane by one card, at
/// `w` x `h`, through the board's backend and through ratatui's own.
fn scroll_move_bytes(board: &mut Board, w: u16, h: u16) -> anyhow::Result<(f64, f64)> {
    let (mut terminals, wire, plain_wire) = Terminals::new(w, h)?;
    let mut answers = Vec::new();
    board.send(key(KeyCode::Char('g')));
    terminals.lean.draw(|f| board.draw(f))?;
    terminals.plain.draw(|f| board.draw(f))?;
    settle(board, &mut terminals, &mut answers)?;
    let (mut lean, mut plain) = (Vec::new(), Vec::new());
    for n in 0..40 {
        let before = (
            wire.0.load(Ordering::Relaxed),
            plain_wire.0.load(Ordering::Relaxed),
        );
        board.send(key(KeyCode::Char('j')));
        terminals.lean.draw(|f| board.draw(f))?;
        terminals.plain.draw(|f| board.draw(f))?;
        settle(board, &mut terminals, &mut answers)?;
        if n >= 25 {
            lean.push((wire.0.load(Ordering::Relaxed) - before.0) as f64);
            plain.push((plain_wire.0.load(Ordering::Relaxed) - before.1) as f64);
        }
    }
    Ok((pct(&mut lean, 0.5), pct(&mut plain, 0.5)))
}

/// A pseudo-terminal of `cols` x `rows`: the master, and the path of the slave (also
/// used by the tests that drive the real binary).
#[cfg(unix)]
pub fn open_pty(cols: u16, rows: u16) -> anyhow::Result<(std::fs::File, String)> {
    Ok(crate::sys::open_pty(cols, rows)?)
}

/// Process start to the first complete frame (the status bar, drawn last, is on screen),
/// and the board's peak memory after some use.
#[cfg(unix)]
fn startup(db: &Path) -> anyhow::Result<Vec<Figure>> {
    let exe = std::env::current_exe()?;
    let mut opens = Vec::new();
    let mut rss_kib = 0u64;
    for run in 0..5 {
        let mut board = process::BoardProcess::spawn(&exe, db, 160, 45)?;
        board.wait_for(b"? help", Duration::from_secs(20))?;
        opens.push(board.started().elapsed().as_secs_f64() * 1000.0);
        if run == 0 {
            // Some use: moves, pane switches, a search, the detail view.
            for keys in ["jjjjjjjj", "llll", "/Reboots", "\x1b", "\r", "\x1b", "hhhh"] {
                board.keys(keys)?;
                std::thread::sleep(Duration::from_millis(150));
            }
            rss_kib = board.peak_rss_kib().unwrap_or(0);
        }
        board.quit();
    }
    // The floor: `echo` started the same way, until its text arrives.
    let mut floor = Vec::new();
    for _ in 0..5 {
        let mut echo = std::process::Command::new("echo");
        echo.arg("? help");
        let p = process::BoardProcess::spawn_command(echo, 160, 45)?;
        p.wait_for(b"? help", Duration::from_secs(20))?;
        floor.push(p.started().elapsed().as_secs_f64() * 1000.0);
        p.quit();
    }
    // The same binary on an empty database (made first, so its creation is not timed).
    let dir = tempfile::tempdir()?;
    let empty_db = dir.path().join("empty.sqlite");
    drop(crate::store::Store::open(&empty_db)?);
    let mut empty = Vec::new();
    for _ in 0..5 {
        let board = process::BoardProcess::spawn(&exe, &empty_db, 160, 45)?;
        board.wait_for(b"? help", Duration::from_secs(20))?;
        empty.push(board.started().elapsed().as_secs_f64() * 1000.0);
        board.quit();
    }
    let median = pct(&mut opens, 0.5);
    let floor = pct(&mut floor, 0.5);
    let empty = pct(&mut empty, 0.5);
    Ok(vec![
        (
            "open (start to first frame)".into(),
            format!(
                "median {median:.1} ms of 5, slowest {:.1} ms",
                pct(&mut opens, 1.0)
            ),
            "<= 50 ms".into(),
        ),
        (
            "open, floor (echo in a pseudo-terminal)".into(),
            format!("median {floor:.1} ms of 5"),
            "-".into(),
        ),
        (
            "open, empty database".into(),
            format!("median {empty:.1} ms of 5"),
            "-".into(),
        ),
        (
            "open above the floor".into(),
            format!(
                "{:.1} ms; {:.2}x the empty database's",
                median - floor,
                median / empty
            ),
            "<= 15 ms; <= 2x".into(),
        ),
        (
            "peak RSS of the board".into(),
            format!("{:.1} MB", rss_kib as f64 / 1024.0),
            "<= 40 MB".into(),
        ),
    ])
}

#[cfg(not(unix))]
fn startup(_db: &Path) -> anyhow::Result<Vec<Figure>> {
    anyhow::bail!("needs a Unix pseudo-terminal")
}

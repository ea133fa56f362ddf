//! The board: a keyboard-driven ratatui console for the workshop bench.
//!
//! `app` holds the state and a pure `update(Msg) -> Vec<Effect>` (the messages and effects
//! are in `protocol`); each overlay (forms, questions, search, report, outbox, help) is a
//! file in `overlay` that reads its own keys; `runtime` carries out the work the app asks
//! for through the [`Workshop`], writes and long jobs on a worker thread so the board never
//! waits; `views` only draw. Keys reach the app through `keymap`, which maps them to the
//! `action`s of the mode in use (the board, the detail view, the open overlay) and whose
//! table also writes the help overlay and the status-bar hints.

pub mod action;
pub mod app;
pub mod backend;
#[cfg(feature = "bench")]
pub mod bench;
pub mod form;
pub mod hints;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod overlay;
pub mod protocol;
pub mod runtime;
pub mod scanner;
pub mod theme;
pub mod views;

use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{self, Event, KeyEventKind};

use crate::workshop::Workshop;
pub use app::App;
pub use protocol::Msg;
pub use runtime::{Board, Executor};

/// How often the board looks for changes from other terminals and updates ages.
const TICK: Duration = Duration::from_millis(250);
/// How often the board looks for the worker's answers while it has work.
const POLL_BUSY: Duration = Duration::from_millis(15);
/// How often the board looks for the reader's answers (counts, search results) while
/// one is due: they take milliseconds, and a person waits for them.
const POLL_READ: Duration = Duration::from_millis(2);

/// Run the board on `ws` until the user quits. The terminal is always restored.
pub fn run(ws: Workshop) -> anyhow::Result<()> {
    let (keymap, key_problem) = keymap::KeyMap::load(ws.setup().config_dir.as_deref());
    // The theme drops colours under NO_COLOR itself; crossterm's own handling would also
    // reset reverse video, which marks the selection.
    crossterm::style::force_color_output(true);
    let mut terminal = init_terminal()?;
    let result = (|| {
        let size = terminal.size()?;
        let zone = crate::domain::time::Zone::Local;
        let mut board = Board::new(ws, keymap, zone, (size.width, size.height)).with_worker()?;
        board.start();
        if let Some(problem) = key_problem {
            board.send(Msg::Error(problem.to_string()));
        }
        // The first frame, before anything held back for after it.
        terminal.draw(|frame| board.draw(frame))?;
        let result = event_loop(&mut terminal, &mut board);
        // `q` waits for a save under way; Ctrl-C quits at once, dropping a save that
        // still waits for the database.
        board.cancel_wait();
        board.finish();
        result
    })();
    ratatui::restore();
    result
}

/// The board's terminal: what ratatui's `try_init` does (a panic hook that restores the
/// terminal first, raw mode, the alternate screen), with the backend that writes fewer
/// bytes.
fn init_terminal() -> std::io::Result<BoardTerminal> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        ratatui::restore();
        hook(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    ratatui::Terminal::new(backend::LeanBackend::new(std::io::stdout()))
}

/// The terminal the board draws on.
type BoardTerminal = ratatui::Terminal<backend::LeanBackend<std::io::Stdout>>;

fn event_loop(terminal: &mut BoardTerminal, board: &mut Board) -> anyhow::Result<()> {
    let mut last_tick = Instant::now();
    let mut scanner = scanner::ScanDetector::new();
    let mut changed = false;
    loop {
        // Characters held back to be told apart change nothing on screen yet.
        if board.pump() || changed {
            terminal.draw(|frame| board.draw(frame))?;
        }
        changed = false;
        // While the worker has answers to come, look for them often; while characters are
        // held back, wake when they are known to be typed.
        let wait = if board.reading() {
            POLL_READ
        } else if board.waiting() {
            POLL_BUSY
        } else {
            TICK
        };
        let mut wait = wait.min(TICK.saturating_sub(last_tick.elapsed()));
        if let Some(deadline) = scanner.deadline() {
            wait = wait.min(deadline.saturating_duration_since(Instant::now()));
        }
        if event::poll(wait)? {
            // Take everything already typed before drawing again: a scanner types a
            // whole number at once. Each key is stamped as it is read, for the scanner
            // detector to tell a burst from a person.
            loop {
                match event::read()? {
                    // Over SSH and in tmux only presses are reliable; releases and
                    // repeats would act twice.
                    Event::Key(key) if key.kind == KeyEventKind::Press => {
                        for msg in scanner.feed(key, Instant::now()) {
                            board.send(msg);
                            changed = true;
                        }
                    }
                    Event::Resize(w, h) => {
                        board.send(Msg::Resize(w, h));
                        changed = true;
                    }
                    _ => {}
                }
                if board.app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        for msg in scanner.expire(Instant::now()) {
            board.send(msg);
            changed = true;
        }
        if board.app.quit {
            return Ok(());
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            board.send(Msg::Tick(Utc::now()));
            changed = true;
        }
    }
}

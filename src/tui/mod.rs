//! The board: a keyboard-driven ratatui console for the workshop bench.
//!
//! `app` holds the state and a pure `update`; `runtime` carries out the store work the app
//! asks for; `views` only draw. Keys reach the app through `keymap`, whose table also
//! writes the help overlay and the status-bar hints.

pub mod action;
pub mod app;
pub mod bench;
pub mod form;
pub mod hints;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod runtime;
pub mod theme;
pub mod views;

use std::time::{Duration, Instant};

use chrono::{Local, Offset, Utc};
use crossterm::event::{self, Event, KeyEventKind};

use crate::config::{Config, config_dir};
use crate::store::Store;
pub use app::{App, Msg};
pub use runtime::Board;

/// How often the board looks for changes from other terminals and updates ages.
const TICK: Duration = Duration::from_millis(250);

/// Run the board on `store` until the user quits. The terminal is always restored.
pub fn run(store: Store, config: &Config, user: &str) -> anyhow::Result<()> {
    let (keymap, key_problem) = keymap::KeyMap::load(config_dir().as_deref());
    // The theme drops colours under NO_COLOR itself; crossterm's own handling would also
    // reset reverse video, which marks the selection.
    crossterm::style::force_color_output(true);
    // try_init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::try_init()?;
    let result = (|| {
        let size = terminal.size()?;
        let offset = Local::now().offset().fix();
        let mut board = Board::new(
            store,
            config,
            user,
            keymap,
            Box::new(Utc::now),
            offset,
            (size.width, size.height),
        );
        board.start();
        if let Some(problem) = key_problem {
            board.send(Msg::Error(problem.to_string()));
        }
        let result = event_loop(&mut terminal, &mut board);
        board.finish();
        result
    })();
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, board: &mut Board) -> anyhow::Result<()> {
    let mut last_tick = Instant::now();
    loop {
        terminal.draw(|frame| board.draw(frame))?;
        if event::poll(TICK.saturating_sub(last_tick.elapsed()))? {
            // Take everything already typed before drawing again: a scanner types a
            // whole number at once.
            loop {
                match event::read()? {
                    // Over SSH and in tmux only presses are reliable; releases and
                    // repeats would act twice.
                    Event::Key(key) if key.kind == KeyEventKind::Press => board.send(Msg::Key(key)),
                    Event::Resize(w, h) => board.send(Msg::Resize(w, h)),
                    _ => {}
                }
                if board.app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        if board.app.quit {
            return Ok(());
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            // A board runs for days: follow the clock change to and from summer time.
            board.app.settings.offset = Local::now().offset().fix();
            board.send(Msg::Tick(Utc::now()));
        }
    }
}

//! Text typed by one user is drawn on other users' terminals. Even text that reached the
//! database without going through rmaboard (an old import, a hand edit) must not steer a
//! terminal: the board's bytes on the wire carry no escape sequence from the data.
//!
//! Two layers stand in the way: rmaboard cleans text before drawing, and ratatui's buffer
//! itself drops control and zero-width characters (with rmaboard's cleaning switched off,
//! this test still passes). It guards the whole path to the wire, whichever layer holds.
//! Text printed outside ratatui (show, list, export) relies on rmaboard's cleaning alone
//! and is tested in tests/cli.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use crossterm::event::KeyCode;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use rusqlite::Connection;
use tui_support::*;

#[derive(Clone, Default)]
struct Wire(Arc<Mutex<Vec<u8>>>);

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const PAYLOADS: [&str; 4] = [
    "\u{1b}[2J",           // clear the screen
    "\u{1b}]0;owned\u{7}", // set the window title
    "\u{9b}31m",           // C1 control sequence introducer
    "\u{202e}",            // right-to-left override
];

#[test]
fn an_escape_payload_in_the_database_cannot_clear_another_users_screen() {
    let shop = workshop();
    // Written straight into the file, past every check rmaboard makes on input.
    let conn = Connection::open(&shop.path).unwrap();
    let evil = format!("hello {} world", PAYLOADS.concat());
    conn.execute(
        "INSERT INTO notes (case_id, at, author, text) VALUES (1, '2026-03-02T09:00:00Z', ?1, ?2)",
        [&evil, &evil],
    )
    .unwrap();
    conn.execute(
        "UPDATE cases SET fault = ?1, model = ?1 WHERE id = 1",
        [&evil],
    )
    .unwrap();
    conn.execute(
        "UPDATE sales SET customer_name = ?1 WHERE imei = (SELECT imei FROM cases WHERE id = 1)",
        [&evil],
    )
    .unwrap();

    let wire = Wire::default();
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(wire.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 160, 45)),
        },
    )
    .unwrap();
    let mut b = shop.board("ben", 160, 45);
    terminal.draw(|f| b.draw(f)).unwrap();
    // The case's detail, with the note, the fault and the customer.
    scan(&mut b, "RMA-2026-00001");
    terminal.draw(|f| b.draw(f)).unwrap();
    let detail = screen(&mut b, 160, 45);
    assert!(
        detail.contains("hello"),
        "the detail view shows the note:\n{detail}"
    );
    // And the search overlay listing it.
    press(&mut b, KeyCode::Esc);
    press(&mut b, KeyCode::Char('/'));
    type_text(&mut b, "hello");
    terminal.draw(|f| b.draw(f)).unwrap();

    let bytes = wire.0.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&bytes);
    for p in PAYLOADS {
        assert!(!text.contains(p), "payload {p:?} reached the terminal");
    }
    // Every escape on the wire is the backend's own: cursor moves, colours, cursor show
    // and hide; none is a screen clear or an operating-system command.
    for (i, _) in text.match_indices('\u{1b}') {
        let seq: String = text[i + 1..].chars().take(12).collect();
        assert!(seq.starts_with('['), "not a CSI sequence: {seq:?}");
        assert!(
            !seq.starts_with("[2J") && !seq.starts_with("[3J"),
            "{seq:?}"
        );
    }
}

//! The board's writes run on its worker: while a colleague's connection holds the
//! database's write lock, the board keeps drawing and answering keys, says what it is
//! saving, can stop waiting, and finishes the move once the lock is free.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::time::{Duration, Instant};

use chrono::FixedOffset;
use crossterm::event::KeyCode;
use rmaboard::config::Config;
use rmaboard::domain::Stage;
use rmaboard::tui::Board;
use rmaboard::tui::keymap::KeyMap;
use rmaboard::tui::overlay::Overlay;
use tui_support::*;

/// A board whose writes go to its worker thread, as in real use.
fn board_with_worker(shop: &Shop) -> Board {
    let ws = workshop_on(shop.store(), "anna", Config::default());
    let mut b = Board::new(
        ws,
        KeyMap::default_keys(),
        FixedOffset::east_opt(0).unwrap(),
        (100, 30),
    )
    .with_worker()
    .unwrap();
    b.start();
    settle(&mut b);
    b
}

/// Feed the worker's answers until it has nothing left to do.
fn settle(b: &mut Board) {
    let started = Instant::now();
    while b.waiting() {
        b.pump();
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the worker never answered"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    b.pump();
}

/// Pump and draw until the screen shows `text`, as the event loop does.
fn until_shown(b: &mut Board, text: &str) -> String {
    let started = Instant::now();
    loop {
        b.pump();
        let shown = screen(b, 100, 30);
        if shown.contains(text) {
            return shown;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never showed {text:?}:\n{shown}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Another terminal holding the write lock, as a colleague's long write would.
fn hold_write_lock(shop: &Shop) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(&shop.path).unwrap();
    c.execute_batch("BEGIN IMMEDIATE").unwrap();
    c
}

/// Open the send form for the Received case RMA-2026-00004 and type a reference.
fn send_to_manufacturer(b: &mut Board, reference: &str) {
    scan(b, &device(3).to_string());
    press(b, KeyCode::Char('>'));
    press(b, KeyCode::Char('s'));
    type_text(b, reference);
    press(b, KeyCode::Enter);
}

#[test]
fn a_move_waits_for_a_colleagues_lock_while_the_board_answers_keys() {
    let shop = workshop();
    let mut b = board_with_worker(&shop);
    let lock = hold_write_lock(&shop);

    send_to_manufacturer(&mut b, "ZTE-77001");
    // The form closed as the move was sent; the board says what it waits for.
    assert!(b.app.overlay.is_none(), "{:?}", b.app.overlay);
    let shown = until_shown(&mut b, "saving RMA-2026-00004 (waiting for the database");
    assert!(shown.contains("stop waiting"), "{shown}");

    // Meanwhile the board answers: back from the details, a pane to the right, the help
    // and out of it, each drawn.
    press(&mut b, KeyCode::Esc);
    assert!(matches!(b.app.screen, rmaboard::tui::app::Screen::Board));
    let before = b.app.focus;
    press(&mut b, KeyCode::Char('l'));
    assert_ne!(b.app.focus, before, "the pane key was not answered");
    press(&mut b, KeyCode::Char('?'));
    assert!(matches!(b.app.overlay, Some(Overlay::Help(_))));
    assert!(screen(&mut b, 100, 30).contains("Help: keys"));
    press(&mut b, KeyCode::Esc);
    assert!(b.app.overlay.is_none());
    assert!(b.waiting(), "the move must still be waiting");
    assert_eq!(stage_of(&shop.store(), "RMA-2026-00004"), Stage::Received);

    // A second move meanwhile (receiving an expected parcel) is refused with a
    // sentence, not queued behind the first.
    while b.app.focus != Stage::Expected {
        press(&mut b, KeyCode::Char('h'));
    }
    press(&mut b, KeyCode::Char('>'));
    let said = b.app.message.clone().map(|m| m.text).unwrap_or_default();
    assert!(said.starts_with("Still saving RMA-2026-00004"), "{said}");
    assert_eq!(
        b.app.saving.as_ref().map(|s| s.what.as_str()),
        Some("RMA-2026-00004")
    );

    // The colleague finishes: the move goes through, and nothing typed meanwhile is
    // replayed into a popup.
    lock.execute_batch("COMMIT").unwrap();
    settle(&mut b);
    assert!(b.app.saving.is_none());
    let case = shop.store().find("RMA-2026-00004").unwrap();
    assert_eq!(case.stage, Stage::AtManufacturer);
    assert_eq!(case.manufacturer_ref.as_deref(), Some("ZTE-77001"));
    let shown = until_shown(&mut b, "RMA-2026-00004 sent to the manufacturer");
    assert!(!shown.contains("waiting for the database"), "{shown}");
    b.finish();
}

#[test]
fn stopping_the_wait_saves_nothing_and_says_so() {
    let shop = workshop();
    let mut b = board_with_worker(&shop);
    let lock = hold_write_lock(&shop);

    send_to_manufacturer(&mut b, "ZTE-77002");
    until_shown(&mut b, "waiting for the database");
    ctrl(&mut b, 'x');
    let shown = until_shown(&mut b, "You stopped waiting for the database");
    assert!(shown.contains("nothing was saved"), "{shown}");
    settle(&mut b);
    // The send form comes back with what was typed, so the user can try again.
    let Some(Overlay::Form(form)) = &b.app.overlay else {
        panic!("the form did not come back: {:?}", b.app.overlay)
    };
    assert!(form.error.is_some());
    drop(lock);
    assert_eq!(stage_of(&shop.store(), "RMA-2026-00004"), Stage::Received);

    // With the lock free, saving the same form again works.
    press(&mut b, KeyCode::Enter);
    settle(&mut b);
    let case = shop.store().find("RMA-2026-00004").unwrap();
    assert_eq!(case.stage, Stage::AtManufacturer);
    assert_eq!(case.manufacturer_ref.as_deref(), Some("ZTE-77002"));
    b.finish();
}

/// At start the cards are drawn before the counts over the whole store, which the
/// reader counts meanwhile: until they come each count is a placeholder (never a number
/// that is not yet true), and when they come they are the store's.
#[test]
fn the_first_frame_shows_the_cards_and_the_counts_follow() {
    let shop = workshop();
    let expected = shop.board("anna", 100, 30).app.counts;
    let ws = workshop_on(shop.store(), "anna", Config::default());
    let mut b = Board::new(
        ws,
        KeyMap::default_keys(),
        FixedOffset::east_opt(0).unwrap(),
        (100, 30),
    )
    .with_worker()
    .unwrap();
    b.start();
    // The first frame, before any answer from the reader was taken in.
    let first = screen(&mut b, 100, 30);
    assert!(!b.app.counted);
    assert!(first.contains("RMA-2026-"), "no cards:\n{first}");
    assert!(
        first.contains(" Received … "),
        "no placeholder in the tabs:\n{first}"
    );
    assert!(first.contains("… at work"), "{first}");
    settle(&mut b);
    assert!(b.app.counted);
    assert_eq!(b.app.counts, expected);
    // Counted after its own first heartbeat: the board is among the people at work.
    assert_eq!(b.app.people, 1);
    let after = screen(&mut b, 100, 30);
    assert!(!after.contains('…'), "a placeholder stayed:\n{after}");
    let received = expected[Stage::ALL
        .iter()
        .position(|&s| s == Stage::Received)
        .unwrap()];
    assert!(
        after.contains(&format!(" Received {received}")),
        "the count is not shown:\n{after}"
    );
}

/// The heartbeat every few seconds is a write, with its commit: with a reader it is
/// written there, on another connection, so the UI thread never waits for it (its own
/// connection sees another's commit), and the count of people at work still comes.
#[test]
fn the_heartbeat_is_written_off_the_ui_thread() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let shop = workshop();
    // A clock the test moves on, so that each heartbeat writes a new time.
    let ahead = Arc::new(AtomicI64::new(0));
    let clock = {
        let ahead = ahead.clone();
        Arc::new(move || now() + chrono::Duration::seconds(ahead.load(Ordering::Relaxed)))
    };
    let store = shop.store();
    let setup = rmaboard::workshop::Setup::new(store.path(), "anna", Config::default());
    let ws = rmaboard::workshop::Workshop::with_store(store, setup, clock);
    let mut b = Board::new(
        ws,
        KeyMap::default_keys(),
        FixedOffset::east_opt(0).unwrap(),
        (100, 30),
    )
    .with_worker()
    .unwrap();
    b.start();
    settle(&mut b);
    assert_eq!(b.app.people, 1);
    let seen = || -> String {
        rusqlite::Connection::open(&shop.path)
            .unwrap()
            .query_row("SELECT max(seen_at) FROM sessions", [], |r| r.get(0))
            .unwrap()
    };
    let (version, first) = (b.store().data_version().unwrap(), seen());
    // A minute on: the heartbeat is due.
    ahead.store(61, Ordering::Relaxed);
    b.app.people = 0;
    b.send(rmaboard::tui::Msg::Tick(b.now()));
    // Not counted on the UI thread's time: the count follows from the reader.
    assert_eq!(b.app.people, 0);
    settle(&mut b);
    assert_eq!(b.app.people, 1);
    assert!(seen() > first, "no heartbeat was written");
    assert_ne!(
        b.store().data_version().unwrap(),
        version,
        "the heartbeat was written on the board's own connection"
    );
    b.finish();
}

//! Marked cards on a board over a real store: one move for all of them, a colleague's move
//! of a marked card, and the board with marks at 80x24 and 160x45.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::time::{Duration, Instant};

use chrono::FixedOffset;
use crossterm::event::KeyCode;
use rmaboard::config::Config;
use rmaboard::domain::Stage;
use rmaboard::domain::case::Change;
use rmaboard::tui::Board;
use rmaboard::tui::keymap::KeyMap;
use tui_support::*;

fn board(shop: &Shop, size: (u16, u16)) -> Board {
    let mut b = shop.board("anna", size.0, size.1);
    // The temporary folder's name changes with every run.
    b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
    b
}

fn message(b: &Board) -> String {
    b.app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Focus Received and mark its first and third cards (RMA-3 and RMA-11).
fn mark_two_received(b: &mut Board) {
    press(b, KeyCode::Char('l'));
    press(b, KeyCode::Char(' '));
    press(b, KeyCode::Char('j'));
    press(b, KeyCode::Char('j'));
    press(b, KeyCode::Char(' '));
}

#[test]
fn the_board_with_marks() {
    let shop = workshop();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = board(&shop, (w, h));
        mark_two_received(&mut b);
        insta::assert_snapshot!(format!("marked_{w}x{h}"), screen(&mut b, w, h));
    }
}

#[test]
fn marked_cards_are_sent_to_the_manufacturer_together() {
    let shop = workshop();
    let mut b = board(&shop, (160, 45));
    mark_two_received(&mut b);
    press(&mut b, KeyCode::Char('>'));
    press(&mut b, KeyCode::Char('s'));
    type_text(&mut b, "zte-500");
    press(&mut b, KeyCode::Enter);
    assert_eq!(
        message(&b),
        "RMA-2026-00003, RMA-2026-00011 sent to the manufacturer (zte-500)."
    );
    let store = shop.store();
    for rma in ["RMA-2026-00003", "RMA-2026-00011"] {
        let case = store.find(rma).unwrap();
        assert_eq!(case.stage, Stage::AtManufacturer);
        assert_eq!(case.manufacturer_ref.as_deref(), Some("zte-500"));
    }
    // The one in between was not marked and stays.
    assert_eq!(stage_of(&store, "RMA-2026-00004"), Stage::Received);
    assert_eq!(b.app.marked_count(), 0);
    let text = screen(&mut b, 160, 45);
    assert!(!text.contains("marked"), "{text}");
}

#[test]
fn a_colleagues_move_of_a_marked_card_unmarks_it_and_names_it() {
    let shop = workshop();
    let mut b = board(&shop, (160, 45));
    mark_two_received(&mut b);
    // Ben sends RMA-11 to the manufacturer from his terminal.
    ben_does(
        &shop,
        "RMA-2026-00011",
        Change::Send {
            manufacturer_ref: "BEN-1".into(),
        },
    );
    b.send(rmaboard::tui::Msg::ExternalChange);
    assert_eq!(
        message(&b),
        "RMA-2026-00011 left Received (now in At manufacturer), so it is no longer marked."
    );
    assert_eq!(b.app.marked_count(), 1);
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("1 marked"), "{text}");
}

/// Refused before the S10 number is asked for: no number is typed in vain.
#[test]
fn a_parcel_for_two_customers_is_refused_and_nothing_moves() {
    let shop = workshop();
    let mut b = board(&shop, (160, 45));
    // Inspected: RMA-8 and RMA-7, sold to different customers.
    for _ in 0..3 {
        press(&mut b, KeyCode::Char('l'));
    }
    assert_eq!(b.app.focus, Stage::Inspected);
    press(&mut b, KeyCode::Char(' '));
    press(&mut b, KeyCode::Char('j'));
    press(&mut b, KeyCode::Char(' '));
    press(&mut b, KeyCode::Char('>'));
    let store = shop.store();
    let customers: Vec<String> = ["RMA-2026-00007", "RMA-2026-00008"]
        .iter()
        .map(|rma| store.find(rma).unwrap().customer_number)
        .collect();
    assert_ne!(customers[0], customers[1]);
    assert!(
        b.app.overlay.is_none(),
        "no S10 is asked: {:?}",
        b.app.overlay
    );
    let error = message(&b);
    assert!(
        error.starts_with("A parcel goes to one customer")
            && error.contains("RMA-2026-00007")
            && error.contains("RMA-2026-00008"),
        "{error}"
    );
    assert_eq!(stage_of(&store, "RMA-2026-00007"), Stage::Inspected);
    assert_eq!(stage_of(&store, "RMA-2026-00008"), Stage::Inspected);
    assert_eq!(b.app.marked_count(), 2);
}

#[test]
fn marked_cards_are_saved_on_the_worker_and_wait_for_a_colleagues_lock_together() {
    let shop = workshop();
    let ws = workshop_on(shop.store(), "anna", Config::default());
    let mut b = Board::new(
        ws,
        KeyMap::default_keys(),
        FixedOffset::east_opt(0).unwrap(),
        (160, 45),
    )
    .with_worker()
    .unwrap();
    b.start();
    mark_two_received(&mut b);
    let lock = rusqlite::Connection::open(&shop.path).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    press(&mut b, KeyCode::Char('<'));
    let started = Instant::now();
    loop {
        b.pump();
        let shown = screen(&mut b, 160, 45);
        if shown.contains("saving the 2 marked cases (waiting for the database") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{shown}");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Nothing moved while the lock is held; the board still answers keys.
    assert_eq!(stage_of(&shop.store(), "RMA-2026-00003"), Stage::Received);
    lock.execute_batch("COMMIT").unwrap();
    let started = Instant::now();
    while b.waiting() {
        b.pump();
        assert!(started.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(5));
    }
    b.pump();
    assert_eq!(
        message(&b),
        "RMA-2026-00003, RMA-2026-00011 moved back to Expected."
    );
    let store = shop.store();
    assert_eq!(stage_of(&store, "RMA-2026-00003"), Stage::Expected);
    assert_eq!(stage_of(&store, "RMA-2026-00011"), Stage::Expected);
    assert_eq!(b.app.marked_count(), 0);
}

/// A reseller's name with a character no font has: the parcel is shipped, its bill
/// written with a stand-in, and the board's message line names the character.
#[test]
fn a_bill_with_a_letter_no_font_has_is_written_and_the_board_names_the_letter() {
    let shop = workshop();
    rusqlite::Connection::open(&shop.path)
        .unwrap()
        .execute(
            "UPDATE sales SET customer_name = 'Shop \u{10FFFD} One' WHERE customer_number = 'C-1001'",
            [],
        )
        .unwrap();
    ben_does(
        &shop,
        "RMA-2026-00005",
        Change::InspectPass {
            in_house: false,
            note: None,
        },
    );
    let mut b = board(&shop, (160, 45));
    for _ in 0..3 {
        press(&mut b, KeyCode::Char('l'));
    }
    assert_eq!(b.app.focus, Stage::Inspected);
    // RMA-8 and RMA-5 are that reseller's: one parcel.
    press(&mut b, KeyCode::Char(' '));
    press(&mut b, KeyCode::Char('j'));
    press(&mut b, KeyCode::Char('j'));
    press(&mut b, KeyCode::Char(' '));
    let marked: Vec<String> = b
        .app
        .pane(Stage::Inspected)
        .marked
        .iter()
        .map(|t| t.rma.clone())
        .collect();
    assert_eq!(marked, ["RMA-2026-00008", "RMA-2026-00005"]);
    press(&mut b, KeyCode::Char('>'));
    type_text(&mut b, "RR123456785CN");
    press(&mut b, KeyCode::Enter);
    let said = message(&b);
    assert!(said.contains("shipped together"), "{said}");
    assert!(
        said.contains("Warning: no font has the character") && said.contains("U+10FFFD"),
        "{said}"
    );
    let bills: Vec<_> = std::fs::read_dir(shop.dir.path().join("bills"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    // The shop shipped two bills before (its Shipped pane).
    assert_eq!(bills, ["B-000003-RMA-2026-00008+1.pdf"]);
}

/// A colleague receives one device of a parcel while it is being unpacked: Enter is
/// refused, the parcel stays with its ticks, that case leaves the list, named, and Enter
/// again receives the others.
#[test]
fn a_parcel_received_in_part_elsewhere_is_unpacked_again_without_losing_the_ticks() {
    let shop = workshop();
    let expected: Vec<(String, String)> = {
        let conn = rusqlite::Connection::open(&shop.path).unwrap();
        let mut stmt = conn
            .prepare("SELECT rma, imei FROM cases WHERE stage = 'expected' ORDER BY id LIMIT 2")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(expected.len(), 2);
    rusqlite::Connection::open(&shop.path)
        .unwrap()
        .execute(
            "UPDATE cases SET tracking_in = 'RR070000002NL' WHERE stage = 'expected'
             AND id IN (SELECT id FROM cases WHERE stage = 'expected' ORDER BY id LIMIT 2)",
            [],
        )
        .unwrap();
    let mut b = board(&shop, (80, 24));
    scan(&mut b, "RR070000002NL");
    for (_, imei) in &expected[..2] {
        scan(&mut b, imei);
    }
    assert!(screen(&mut b, 80, 24).contains("2 of 2 out"));
    ben_does(&shop, &expected[1].0, Change::Receive { tracking_in: None });
    press(&mut b, KeyCode::Enter);
    let text = screen(&mut b, 80, 24);
    let Some(rmaboard::tui::overlay::Overlay::Parcel(parcel)) = &b.app.overlay else {
        panic!("the parcel stays open: {text}")
    };
    let left: Vec<(&str, bool)> = parcel
        .cases
        .iter()
        .map(|c| (c.target.rma.as_str(), c.ticked))
        .collect();
    assert_eq!(left, [(expected[0].0.as_str(), true)]);
    let note = parcel.note.clone().unwrap();
    assert!(
        note.contains(&format!("{} (now in Received)", expected[1].0))
            && note.contains("Nothing was received"),
        "{note}"
    );
    assert_eq!(stage_of(&shop.store(), &expected[0].0), Stage::Expected);
    press(&mut b, KeyCode::Enter);
    assert!(b.app.overlay.is_none(), "{:?}", b.app.overlay);
    assert_eq!(stage_of(&shop.store(), &expected[0].0), Stage::Received);
}

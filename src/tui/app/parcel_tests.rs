//! Unpacking an inbound parcel of several expected cases, with no store and no
//! terminal: a scanned tracking number opens it, each scanned IMEI ticks its case, Enter
//! receives the ticked ones in one move, Esc saves nothing.

use crossterm::event::KeyCode;

use super::App;
use super::tests::{case, key, message, now, screen, settings, type_text};
use crate::demo::make_imei;
use crate::domain::Stage;
use crate::domain::case::{Case, Change};
use crate::tui::overlay::Overlay;
use crate::tui::protocol::{Effect, Msg, Scan, ScanEnd};

const PARCEL: &str = "RR123456785NL";

/// Three cases expected under one inbound tracking number, each its own device.
fn parcel_cases() -> Vec<Case> {
    (1..=3)
        .map(|seq| Case {
            imei: make_imei(35_209_611, seq),
            tracking_in: Some(PARCEL.into()),
            model: format!("CECT Model {seq}"),
            ..case(seq, Stage::Expected)
        })
        .collect()
}

fn scan(app: &mut App, text: &str) -> Vec<Effect> {
    app.update(Msg::Scan(Scan {
        text: text.into(),
        end: Some(ScanEnd::Enter),
    }))
}

/// A board on which the parcel's tracking number was scanned and found.
fn unpacking() -> App {
    let mut app = App::new(settings(), now(), (160, 45));
    app.start();
    let fx = scan(&mut app, PARCEL);
    assert!(
        matches!(fx.as_slice(), [Effect::Find(k)] if k == PARCEL),
        "{fx:?}"
    );
    app.update(Msg::ParcelFound {
        tracking: PARCEL.into(),
        cases: parcel_cases(),
    });
    app
}

fn parcel(app: &App) -> &crate::tui::overlay::Parcel {
    match &app.overlay {
        Some(Overlay::Parcel(p)) => p,
        other => panic!("no parcel open: {other:?}"),
    }
}

fn ticked(app: &App) -> Vec<bool> {
    parcel(app).cases.iter().map(|c| c.ticked).collect()
}

#[test]
fn a_tracking_number_of_several_expected_cases_opens_the_parcel_listing_them() {
    let app = unpacking();
    assert_eq!(ticked(&app), vec![false, false, false]);
    assert_eq!(app.focus, Stage::Expected);
    let shown = screen(&app, 160, 45);
    assert!(
        shown.contains(&format!("Parcel {PARCEL}: 0 of 3 out")),
        "{shown}"
    );
    for c in parcel_cases() {
        assert!(shown.contains(&c.rma.to_string()), "{shown}");
        assert!(shown.contains(&c.model), "{shown}");
        assert!(shown.contains(c.imei.tail(6)), "{shown}");
    }
}

#[test]
fn a_read_only_board_names_the_parcel_but_opens_nothing() {
    let mut app = App::new(
        crate::tui::app::Settings {
            read_only: true,
            ..settings()
        },
        now(),
        (160, 45),
    );
    app.start();
    app.update(Msg::ParcelFound {
        tracking: PARCEL.into(),
        cases: parcel_cases(),
    });
    assert!(app.overlay.is_none());
    assert!(message(&app).contains("3 cases"), "{}", message(&app));
    assert!(
        message(&app).contains("RMA-2026-00002"),
        "{}",
        message(&app)
    );
}

#[test]
fn each_scanned_imei_ticks_its_case_once() {
    let mut app = unpacking();
    let second = parcel_cases()[1].imei.to_string();
    assert!(scan(&mut app, &second).is_empty());
    assert_eq!(ticked(&app), vec![false, true, false]);
    let note = parcel(&app).note.clone().unwrap();
    assert!(
        note.contains("RMA-2026-00002") && note.contains("1 of 3"),
        "{note}"
    );
    // Scanned twice (the box turned over): still one.
    scan(&mut app, &second);
    assert_eq!(ticked(&app), vec![false, true, false]);
    assert!(parcel(&app).note.as_deref().unwrap().contains("already"));
    // Typed by hand, ended with Enter: the same as a scan, and Enter does not finish.
    let first = parcel_cases()[0].imei.to_string();
    assert!(type_text(&mut app, &first).is_empty());
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(ticked(&app), vec![true, true, false]);
    assert!(screen(&app, 160, 45).contains("2 of 3 out"));
}

#[test]
fn an_imei_not_in_the_parcel_is_looked_up_and_said_in_the_parcel() {
    let mut app = unpacking();
    let stranger = make_imei(35_209_699, 7);
    let fx = scan(&mut app, stranger.as_str());
    assert!(
        matches!(fx.as_slice(), [Effect::ParcelStray(i)] if *i == stranger),
        "{fx:?}"
    );
    assert_eq!(ticked(&app), vec![false, false, false]);
    let said =
        format!("IMEI {stranger} is not expected in this parcel, and the shop did not sell it.");
    app.update(Msg::ParcelStray(said.clone()));
    assert_eq!(parcel(&app).note.as_deref(), Some(said.as_str()));
    // Not an IMEI at all: said at once, nothing asked of the store.
    assert!(scan(&mut app, "RR999").is_empty());
    let note = parcel(&app).note.clone().unwrap();
    assert!(note.contains("RR999 is not an IMEI"), "{note}");
}

#[test]
fn enter_receives_only_the_ticked_cases_in_one_move() {
    let mut app = unpacking();
    let cases = parcel_cases();
    scan(&mut app, cases[0].imei.as_str());
    scan(&mut app, cases[2].imei.as_str());
    let fx = key(&mut app, KeyCode::Enter);
    let [
        Effect::ApplyMany {
            targets,
            change,
            done,
        },
    ] = fx.as_slice()
    else {
        panic!("one move expected: {fx:?}");
    };
    let ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![cases[0].id, cases[2].id]);
    assert!(targets.iter().all(|t| t.version == 3));
    assert_eq!(*change, Change::Receive { tracking_in: None });
    assert!(
        done.contains("2 cases received (RMA-2026-00001, RMA-2026-00003)"),
        "{done}"
    );
    assert!(
        done.contains("Still expected, not in the box: RMA-2026-00002"),
        "{done}"
    );
    assert!(app.overlay.is_none());
}

#[test]
fn enter_while_another_save_is_under_way_keeps_the_parcel_and_its_ticks() {
    let mut app = unpacking();
    app.saving = Some(crate::tui::app::Saving {
        what: "RMA-2026-00009".into(),
        from: None,
        waiting: true,
    });
    scan(&mut app, parcel_cases()[0].imei.as_str());
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(ticked(&app), vec![true, false, false]);
    assert!(
        message(&app).starts_with("Still saving RMA-2026-00009"),
        "{}",
        message(&app)
    );
    // Once it is saved, Enter receives the parcel.
    app.saving = None;
    let fx = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyMany { .. }]),
        "{fx:?}"
    );
}

#[test]
fn enter_with_nothing_ticked_saves_nothing_and_says_why() {
    let mut app = unpacking();
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        parcel(&app)
            .note
            .as_deref()
            .unwrap()
            .contains("Nothing is out of the box")
    );
}

#[test]
fn esc_leaves_the_parcel_with_nothing_saved() {
    let mut app = unpacking();
    scan(&mut app, parcel_cases()[0].imei.as_str());
    // The first Esc clears a number half typed; the next leaves.
    type_text(&mut app, "35");
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(parcel(&app).typed.is_empty());
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(app.overlay.is_none());
    assert!(
        message(&app).contains("nothing was received"),
        "{}",
        message(&app)
    );
}

#[test]
fn a_refused_receive_keeps_the_parcel_and_its_ticks_and_names_the_case() {
    let mut app = unpacking();
    let cases = parcel_cases();
    scan(&mut app, cases[0].imei.as_str());
    scan(&mut app, cases[2].imei.as_str());
    let fx = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyMany { .. }]),
        "{fx:?}"
    );
    // A colleague received the third device meanwhile: the store refuses the whole move.
    let fx = app.update(Msg::Refused {
        error: "1 of 2 cases could not be saved, so nothing was saved: RMA-2026-00003 was changed by ben at 2026-03-03 11:00 (it is now received).".into(),
        conflict: true,
    });
    assert_eq!(ticked(&app), vec![true, false, true]);
    let note = parcel(&app).note.clone().unwrap();
    assert!(
        note.contains("RMA-2026-00003") && note.contains("Nothing was received"),
        "{note}"
    );
    assert!(screen(&app, 80, 24).contains("RMA-2026-00003"));
    // The parcel's cases are read again.
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadMarked(ids) if *ids == vec![1, 2, 3])),
        "{fx:?}"
    );
    let mut now: Vec<Case> = parcel_cases();
    now[2].stage = Stage::Received;
    now[2].version = 4;
    app.update(Msg::MarkedLoaded(now));
    // The case received elsewhere leaves the list, named; the ticks of the others stay.
    assert_eq!(ticked(&app), vec![true, false]);
    let note = parcel(&app).note.clone().unwrap();
    assert!(
        note.contains("RMA-2026-00003") && note.contains("Received"),
        "{note}"
    );
    // Enter again receives what is left ticked.
    let fx = key(&mut app, KeyCode::Enter);
    let [Effect::ApplyMany { targets, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(targets.iter().map(|t| t.id).collect::<Vec<_>>(), vec![1]);
}

#[test]
fn backspace_with_nothing_typed_unticks_the_last_ticked_case() {
    let mut app = unpacking();
    let cases = parcel_cases();
    scan(&mut app, cases[2].imei.as_str());
    scan(&mut app, cases[0].imei.as_str());
    assert_eq!(ticked(&app), vec![true, false, true]);
    // A number half typed: Backspace takes back a character, nothing is unticked.
    type_text(&mut app, "35");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(parcel(&app).typed, "3");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(ticked(&app), vec![true, false, true]);
    // Nothing typed: the last device ticked goes back in the box, then the one before.
    assert!(key(&mut app, KeyCode::Backspace).is_empty());
    assert_eq!(ticked(&app), vec![false, false, true]);
    let note = parcel(&app).note.clone().unwrap();
    assert!(
        note.contains("RMA-2026-00001") && note.contains("1 of 3"),
        "{note}"
    );
    key(&mut app, KeyCode::Backspace);
    assert_eq!(ticked(&app), vec![false, false, false]);
    key(&mut app, KeyCode::Backspace);
    assert!(
        parcel(&app)
            .note
            .as_deref()
            .unwrap()
            .contains("Nothing is ticked")
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("Backspace untick the last"), "{text}");
}

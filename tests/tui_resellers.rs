//! One reseller on the board: the picker narrows as you type, every pane shows only that
//! reseller's cases and the status bar says so; the Inspected pane counts what is ready
//! for a reseller, and one key marks it all to ship as one parcel.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use crossterm::event::KeyCode;
use rmaboard::domain::case::Change;
use rmaboard::domain::{S10, Stage};
use rmaboard::tui::Board;
use rmaboard::tui::overlay::Overlay;
use tui_support::*;

fn board(shop: &Shop) -> Board {
    let mut b = shop.board("anna", 160, 45);
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

/// Every case shown in every pane.
fn shown(b: &Board) -> Vec<(String, String)> {
    Stage::ALL
        .into_iter()
        .flat_map(|s| b.app.pane(s).cases.clone())
        .map(|c| (c.rma.to_string(), c.customer_number))
        .collect()
}

#[test]
fn c_picks_a_reseller_by_typing_and_every_pane_shows_only_theirs() {
    let shop = workshop();
    let mut b = board(&shop);
    press(&mut b, KeyCode::Char('c'));
    let Some(Overlay::Resellers(picker)) = &b.app.overlay else {
        panic!("{:?}", b.app.overlay)
    };
    // The three resellers with cases, by name: Handy Hub, Movil Sur, Phone Corner Lyon.
    let numbers: Vec<&str> = picker
        .shown()
        .iter()
        .map(|r| r.customer_number.as_str())
        .collect();
    assert_eq!(numbers, ["C-1000", "C-1002", "C-1001"]);
    type_text(&mut b, "lyon");
    let Some(Overlay::Resellers(picker)) = &b.app.overlay else {
        panic!()
    };
    let names: Vec<&str> = picker.shown().iter().map(|r| r.label()).collect();
    assert_eq!(names, ["Phone Corner Lyon"]);
    press(&mut b, KeyCode::Enter);
    assert!(b.app.overlay.is_none());
    let cases = shown(&b);
    let rmas: Vec<&str> = cases.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rmas, ["RMA-2026-00002", "RMA-2026-00005", "RMA-2026-00008"]);
    assert!(cases.iter().all(|(_, c)| c == "C-1001"));
    // Counts, late markers and titles follow the filter.
    assert_eq!(b.app.counts, [1, 0, 1, 1, 0]);
    assert_eq!(b.app.late, [1, 0, 1, 1, 0]);
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("Phone Corner Lyon only · c clears"), "{text}");
    assert!(text.contains("Received (0)"), "{text}");
    // c again: everyone's.
    press(&mut b, KeyCode::Char('c'));
    assert!(b.app.reseller.is_none());
    assert_eq!(shown(&b).len(), 10);
    assert_eq!(message(&b), "Every reseller's cases are shown again.");
    assert!(!screen(&mut b, 160, 45).contains(" only "));
}

#[test]
fn a_scanned_case_of_another_reseller_lifts_the_filter_and_says_so() {
    let shop = workshop();
    let mut b = board(&shop);
    press(&mut b, KeyCode::Char('c'));
    type_text(&mut b, "C-1001");
    press(&mut b, KeyCode::Enter);
    scan(&mut b, "RMA-2026-00003");
    assert!(b.app.reseller.is_none());
    assert!(
        message(&b).contains("It is a case of C-1002, not of Phone Corner Lyon (C-1001)"),
        "{}",
        message(&b)
    );
    assert_eq!(b.app.focus, Stage::Received);
    assert_eq!(
        b.app
            .pane(Stage::Received)
            .selected_case()
            .unwrap()
            .rma
            .to_string(),
        "RMA-2026-00003"
    );
}

#[test]
fn a_scanned_case_of_the_reseller_shown_is_found_in_their_pane() {
    let shop = workshop();
    let mut b = board(&shop);
    press(&mut b, KeyCode::Char('c'));
    type_text(&mut b, "movil");
    press(&mut b, KeyCode::Enter);
    // RMA-9 was shipped two days ago, inside the Shipped pane's window; RMA-3 is late.
    assert_eq!(b.app.counts, [0, 2, 1, 0, 1]);
    assert_eq!(b.app.late, [0, 1, 0, 0, 0]);
    // Received holds RMA-3 and RMA-11 of Movil Sur: the second is the second row.
    scan(&mut b, "RMA-2026-00011");
    assert!(b.app.reseller.is_some());
    assert_eq!(b.app.pane(Stage::Received).selected, 1);
    assert_eq!(
        b.app
            .pane(Stage::Received)
            .selected_case()
            .unwrap()
            .rma
            .to_string(),
        "RMA-2026-00011"
    );
}

#[test]
fn the_inspected_pane_counts_what_is_ready_and_one_key_marks_it_to_ship_as_one_parcel() {
    let shop = workshop();
    // Ben passes RMA-5 (Phone Corner Lyon), which joins RMA-8 of the same reseller.
    ben_does(
        &shop,
        "RMA-2026-00005",
        Change::InspectPass {
            in_house: false,
            note: None,
        },
    );
    let mut b = board(&shop);
    for _ in 0..3 {
        press(&mut b, KeyCode::Char('l'));
    }
    assert_eq!(b.app.focus, Stage::Inspected);
    assert_eq!(
        b.app
            .pane(Stage::Inspected)
            .selected_case()
            .unwrap()
            .rma
            .to_string(),
        "RMA-2026-00008"
    );
    let ready = b.app.ready_for_selected().unwrap();
    assert_eq!((ready.label(), ready.cases), ("Phone Corner Lyon", 2));
    // Every reseller with inspected devices is counted at the pane's foot.
    press(&mut b, KeyCode::Char('x'));
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("│2 ready for Phone Corner Lyon"), "{text}");
    assert!(text.contains("│1 ready for Handy Hub GmbH"), "{text}");
    // Two parcels could go: p asks whose, the selected card's reseller first.
    press(&mut b, KeyCode::Char('p'));
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("Ship one reseller's parcel"), "{text}");
    press(&mut b, KeyCode::Enter);
    assert_eq!(
        message(&b),
        "2 cases ready for Phone Corner Lyon (C-1001) marked: > ships them together in one parcel (one S10)."
    );
    let marked: Vec<String> = b
        .app
        .pane(Stage::Inspected)
        .marked
        .iter()
        .map(|t| t.rma.clone())
        .collect();
    assert_eq!(marked, ["RMA-2026-00008", "RMA-2026-00005"]);
    // RMA-7 (another reseller) stays out of it.
    press(&mut b, KeyCode::Char('>'));
    type_text(&mut b, "RR123456785CN");
    press(&mut b, KeyCode::Enter);
    assert!(
        message(&b).starts_with(
            "RMA-2026-00008, RMA-2026-00005 shipped together with RR123456785CN. Bill B-"
        ),
        "{}",
        message(&b)
    );
    // One parcel, one bill listing both devices.
    assert!(message(&b).contains("+1.pdf"), "{}", message(&b));
    let store = shop.store();
    for rma in ["RMA-2026-00008", "RMA-2026-00005"] {
        let c = store.find(rma).unwrap();
        assert_eq!(c.stage, Stage::Shipped);
        assert_eq!(c.tracking_out.as_deref(), Some("RR123456785CN"));
    }
    assert_eq!(stage_of(&store, "RMA-2026-00007"), Stage::Inspected);
}

#[test]
fn ready_needs_a_selected_inspected_case() {
    let shop = workshop();
    // Nothing left in Inspected.
    for (rma, s10) in [
        ("RMA-2026-00007", "RR123456785CN"),
        ("RMA-2026-00008", "RR473124832CN"),
    ] {
        ben_does(
            &shop,
            rma,
            Change::Ship {
                tracking: S10::parse(s10).unwrap(),
            },
        );
    }
    let mut b = board(&shop);
    press(&mut b, KeyCode::Char('p'));
    assert!(
        message(&b).starts_with("No inspected case is selected"),
        "{}",
        message(&b)
    );
    assert_eq!(b.app.marked_count(), 0);
}

#[test]
fn the_picker_and_one_resellers_board() {
    let shop = workshop();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        press(&mut b, KeyCode::Char('c'));
        type_text(&mut b, "o");
        insta::assert_snapshot!(format!("picker_{w}x{h}"), screen(&mut b, w, h));
        press(&mut b, KeyCode::Down);
        press(&mut b, KeyCode::Enter);
        insta::assert_snapshot!(format!("one_reseller_{w}x{h}"), screen(&mut b, w, h));
    }
}

/// `b`: a reseller's request file opened from the board, through the same verb as
/// `open --batch`: all or nothing, every bad row named with its line.
#[test]
fn a_request_file_is_opened_from_the_board_all_or_nothing() {
    let shop = workshop();
    let mut store = shop.store();
    let sold = |n: usize| rmaboard::domain::Sale {
        customer_number: "C-1001".into(),
        customer_name: Some("Phone Corner Lyon".into()),
        dispatched_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(),
        ..common_sale(&device(n))
    };
    store
        .import_sales([(2, Ok(sold(20))), (3, Ok(sold(21)))], false, &mut |_| {})
        .unwrap();
    let cases_before = store.stage_counts().unwrap().iter().sum::<u64>();
    let messages_before = store.outbox(true).unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "imei,fault\n{},No sound\n35209611000001,Cracked\n",
            device(20)
        ),
    )
    .unwrap();
    let good = dir.path().join("box.csv");
    std::fs::write(
        &good,
        format!(
            "imei,fault\n{},No sound\n{},Cracked screen\n",
            device(20),
            device(21)
        ),
    )
    .unwrap();

    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        press(&mut b, KeyCode::Char('b'));
        let text = screen(&mut b, w, h);
        assert!(text.contains("Open a reseller's request file"), "{text}");
        type_text(&mut b, bad.to_str().unwrap());
        press(&mut b, KeyCode::Enter);
        let Some(Overlay::Form(form)) = &b.app.overlay else {
            panic!("the form comes back: {:?}", b.app.overlay)
        };
        let error = form.error.clone().unwrap();
        assert!(
            error.starts_with("1 bad row, so nothing was opened") && error.contains("\nline 3: "),
            "{error}"
        );
        let text = screen(&mut b, w, h);
        assert!(text.contains("line 3:"), "{text}");
        assert_eq!(
            shop.store().stage_counts().unwrap().iter().sum::<u64>(),
            cases_before
        );
    }

    let mut b = board(&shop);
    press(&mut b, KeyCode::Char('b'));
    type_text(&mut b, good.to_str().unwrap());
    press(&mut b, KeyCode::Enter);
    assert!(b.app.overlay.is_none(), "{:?}", b.app.overlay);
    let said = message(&b);
    assert!(
        said.starts_with("2 cases opened from box.csv (RMA-"),
        "{said}"
    );
    let store = shop.store();
    assert_eq!(
        store.stage_counts().unwrap().iter().sum::<u64>(),
        cases_before + 2
    );
    for n in [20, 21] {
        assert_eq!(stage_of(&store, device(n).as_str()), Stage::Expected);
    }
    // One message for the reseller, naming both.
    assert_eq!(store.outbox(true).unwrap().len(), messages_before + 1);
}

fn common_sale(imei: &rmaboard::domain::Imei) -> rmaboard::domain::Sale {
    rmaboard::domain::Sale {
        imei: imei.clone(),
        order_number: "SO-9001".into(),
        customer_number: "C-1001".into(),
        customer_name: None,
        customer_email: Some("service@lyon.example".into()),
        customer_address: None,
        country: None,
        customer_phone: None,
        model: "CECT P30 Pro".into(),
        category: rmaboard::domain::Category::Phone,
        dispatched_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(),
    }
}

/// A file with more bad rows than the screen holds: the first ones show, then how many
/// more and where to see them all, and the form's keys stay on the screen.
#[test]
fn many_bad_rows_show_the_first_and_say_how_many_more() {
    let shop = workshop();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    let mut csv = String::from("imei,fault\n");
    for _ in 0..30 {
        csv.push_str("35209611000001,Cracked\n");
    }
    std::fs::write(&bad, csv).unwrap();
    let mut b = shop.board("anna", 80, 24);
    press(&mut b, KeyCode::Char('b'));
    type_text(&mut b, bad.to_str().unwrap());
    press(&mut b, KeyCode::Enter);
    let text = screen(&mut b, 80, 24);
    assert!(
        text.contains("30 bad rows, so nothing was opened"),
        "{text}"
    );
    assert!(text.contains("line 2:"), "{text}");
    assert!(!text.contains("line 31:"), "{text}");
    let shown = text.matches("line ").count();
    assert!(text.contains(&format!("and {} more", 30 - shown)), "{text}");
    assert!(text.contains("rmaboard open --batch"), "{text}");
    assert!(text.contains("next / save"), "the form's keys stay: {text}");
}

/// The command the refusal names is pasted into a shell as it is: a path with spaces and
/// quotes comes out quoted.
#[test]
fn the_command_that_lists_every_bad_row_pastes_into_a_shell() {
    let shop = workshop();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("Lyon's box $HOME (2).csv");
    std::fs::write(&bad, "imei,fault\n35209611000001,Cracked\n").unwrap();
    let mut b = shop.board("anna", 80, 24);
    press(&mut b, KeyCode::Char('b'));
    type_text(&mut b, bad.to_str().unwrap());
    press(&mut b, KeyCode::Enter);
    let Some(Overlay::Form(form)) = &b.app.overlay else {
        panic!("the form comes back: {:?}", b.app.overlay)
    };
    let error = form.error.clone().unwrap();
    let command = error
        .split('`')
        .find(|part| part.starts_with("rmaboard open --batch "))
        .unwrap_or_else(|| panic!("{error}"));
    // The shell reads back the very path.
    let words = command.replacen("rmaboard open --batch", "printf %s", 1);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&words)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        bad.to_str().unwrap(),
        "{command}"
    );
}

/// Many resellers with devices ready to ship: the Inspected pane lists the first few and
/// how many more, and keeps most of its rows for cards.
#[test]
fn many_resellers_ready_leave_the_inspected_pane_its_cards() {
    let shop = workshop();
    let many: Vec<_> = (1..=30)
        .map(|i| rmaboard::store::ResellerOnBoard {
            customer_number: format!("C-{}", 2000 + i),
            name: Some(format!("Reseller {i}")),
            cases: 1,
        })
        .collect();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        b.app.focus = Stage::Inspected;
        screen(&mut b, w, h);
        // Drawn as it is: a resize would load what is ready from the store again.
        b.app.update(rmaboard::tui::Msg::ReadyLoaded(many.clone()));
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| b.draw(f)).unwrap();
        let text = t.backend().to_string();
        assert!(text.contains("28 more resellers: 28 ready"), "{text}");
        assert!(text.contains("RMA-2026-00007"), "{text}");
        insta::assert_snapshot!(format!("many_ready_{w}x{h}"), text);
    }
}

//! Marked cards, with no store and no terminal: marking, refreshes from other terminals,
//! and one move on all of them.

use crossterm::event::KeyCode;

use super::App;
use super::tests::{case, key, message, now, screen, settings, type_text};
use crate::domain::case::{Case, Change};
use crate::domain::{S10, Stage};
use crate::tui::overlay::{ChoiceKind, Overlay};
use crate::tui::protocol::{BoardData, Effect, Msg, Target};
use crate::workshop::Counts;

/// A board whose `stage` pane holds cases `seqs`, the first one selected.
fn board_of(stage: Stage, seqs: &[u32]) -> App {
    let mut app = App::new(settings(), now(), (160, 45));
    app.start();
    let cases: Vec<Case> = seqs.iter().map(|&s| case(s, stage)).collect();
    load(&mut app, stage, cases);
    app.focus = stage;
    app
}

/// The store answers a reload with these cases in `stage`'s pane.
fn load(app: &mut App, stage: Stage, cases: Vec<Case>) -> Vec<Effect> {
    let mut counts = [0; 5];
    counts[Stage::ALL.iter().position(|&s| s == stage).unwrap()] = cases.len() as u64;
    app.update(Msg::Loaded(Box::new(BoardData {
        counts: Some(Counts {
            counts,
            people: 1,
            ..Counts::default()
        }),
        windows: vec![(stage, 0, cases)],
        requests: Vec::new(),
    })))
}

fn space(app: &mut App) -> Vec<Effect> {
    key(app, KeyCode::Char(' '))
}

/// Mark the first `n` cards of the focused pane.
fn mark(app: &mut App, n: usize) {
    for _ in 0..n {
        assert!(space(app).is_empty());
        key(app, KeyCode::Down);
    }
}

fn ids(targets: &[Target]) -> Vec<i64> {
    targets.iter().map(|t| t.id).collect()
}

#[test]
fn space_marks_and_unmarks_the_selected_card_and_the_screen_shows_it_without_colour() {
    let mut app = board_of(Stage::Received, &[1, 2, 3]);
    mark(&mut app, 2);
    assert_eq!(ids(&app.pane(Stage::Received).marked), [1, 2]);
    assert_eq!(app.marked_count(), 2);
    let text = screen(&app, 160, 45);
    assert!(text.contains("* RMA-2026-00001"), "{text}");
    assert!(text.contains("* RMA-2026-00002"), "{text}");
    assert!(text.contains("  RMA-2026-00003"), "{text}");
    assert!(text.contains("2 marked · Esc clears"), "{text}");
    // Space on a marked card unmarks it.
    key(&mut app, KeyCode::Up);
    space(&mut app);
    assert_eq!(ids(&app.pane(Stage::Received).marked), [1]);
    assert!(screen(&app, 80, 24).contains("1 marked"));
}

#[test]
fn esc_on_the_board_clears_every_mark() {
    let mut app = board_of(Stage::Received, &[1, 2]);
    mark(&mut app, 2);
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.marked_count(), 0);
    assert_eq!(message(&app), "Marks cleared (2 cards).");
    assert!(!screen(&app, 160, 45).contains("marked"));
}

#[test]
fn marks_survive_a_refresh_and_a_case_moved_elsewhere_is_unmarked_and_named() {
    let mut app = board_of(Stage::Received, &[1, 2, 3]);
    mark(&mut app, 2);
    // Another terminal wrote: the board reloads, then asks how the marked cases are.
    let fx = load(&mut app, Stage::Received, vec![case(1, Stage::Received)]);
    let [Effect::LoadMarked(asked), Effect::LoadReady] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(asked, &[1, 2]);
    let mut first = case(1, Stage::Received);
    first.version = 9;
    let fx = app.update(Msg::MarkedLoaded(vec![
        first,
        case(2, Stage::AtManufacturer),
    ]));
    assert!(fx.is_empty());
    let marked = &app.pane(Stage::Received).marked;
    assert_eq!(ids(marked), [1]);
    // The mark follows the case's latest version, as the card does.
    assert_eq!(marked[0].version, 9);
    assert_eq!(
        message(&app),
        "RMA-2026-00002 left Received (now in At manufacturer), so it is no longer marked."
    );
}

#[test]
fn forward_on_marked_cards_asks_once_and_moves_them_all_in_one_write() {
    let mut app = board_of(Stage::Received, &[1, 2, 3]);
    mark(&mut app, 2);
    assert!(key(&mut app, KeyCode::Char('>')).is_empty());
    let Some(Overlay::Choice(choice)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(choice.kind, ChoiceKind::AfterReceived);
    key(&mut app, KeyCode::Char('s'));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(form.title(), "Send 2 marked cases to the manufacturer");
    type_text(&mut app, "MF-77");
    let fx = key(&mut app, KeyCode::Enter);
    let [
        Effect::ApplyMany {
            targets,
            change,
            done,
        },
    ] = fx.as_slice()
    else {
        panic!("one write for all: {fx:?}")
    };
    assert_eq!(ids(targets), [1, 2]);
    assert_eq!(
        change,
        &Change::Send {
            manufacturer_ref: "MF-77".into()
        }
    );
    assert_eq!(
        done,
        "RMA-2026-00001, RMA-2026-00002 sent to the manufacturer (MF-77)."
    );
    assert_eq!(app.saving.as_ref().unwrap().what, "the 2 marked cases");
    // Saved: the marks go, the sentence names every case, the board reloads.
    let fx = app.update(Msg::AppliedMany {
        ids: vec![1, 2],
        done: done.clone(),
    });
    assert!(matches!(fx.as_slice(), [Effect::Reload(_)]), "{fx:?}");
    assert_eq!(app.marked_count(), 0);
    assert!(app.saving.is_none());
    assert_eq!(
        message(&app),
        "RMA-2026-00001, RMA-2026-00002 sent to the manufacturer (MF-77)."
    );
}

#[test]
fn a_refused_move_on_marked_cards_brings_the_form_back_and_keeps_the_marks() {
    let mut app = board_of(Stage::Inspected, &[4, 5]);
    mark(&mut app, 2);
    key(&mut app, KeyCode::Char('>'));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("ship asks for the S10 once: {:?}", app.overlay)
    };
    assert_eq!(form.title(), "Ship 2 marked cases back to the customer");
    type_text(&mut app, "RR123456785CN");
    let fx = key(&mut app, KeyCode::Enter);
    let [Effect::ApplyMany { change, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        change,
        &Change::Ship {
            tracking: S10::parse("RR123456785CN").unwrap()
        }
    );
    let fx = app.update(Msg::Refused {
        error: "1 case refused, so nothing was saved for any case: RMA-2026-00005: no.".into(),
        conflict: false,
    });
    assert!(fx.is_empty());
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the form comes back: {:?}", app.overlay)
    };
    assert!(form.error.as_deref().unwrap().contains("RMA-2026-00005"));
    assert_eq!(app.marked_count(), 2);
    // Saving again still means every marked case.
    let fx = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyMany { targets, .. }] if targets.len() == 2),
        "{fx:?}"
    );
}

#[test]
fn moves_that_ask_nothing_go_at_once_for_every_marked_card() {
    let mut app = board_of(Stage::Expected, &[1, 2]);
    mark(&mut app, 2);
    let fx = key(&mut app, KeyCode::Char('>'));
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyMany { change: Change::Receive { tracking_in: None }, done, .. }]
            if done == "RMA-2026-00001, RMA-2026-00002 received."),
        "{fx:?}"
    );
    app.update(Msg::AppliedMany {
        ids: vec![1, 2],
        done: String::new(),
    });

    let mut app = board_of(Stage::AtManufacturer, &[6, 7]);
    mark(&mut app, 2);
    let fx = key(&mut app, KeyCode::Char('<'));
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyMany { change: Change::Move { to: Stage::Received, undo: false }, targets, .. }]
            if targets.len() == 2),
        "{fx:?}"
    );
}

#[test]
fn void_asks_one_form_for_the_marked_cards_and_unmarked_panes_act_on_the_selection() {
    let mut app = board_of(Stage::Received, &[1, 2]);
    mark(&mut app, 1);
    key(&mut app, KeyCode::Char('v'));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(form.title(), "1 marked case: void, return unrepaired");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.marked_count(), 0);
    // No marks: the selected card, as always.
    let fx = key(&mut app, KeyCode::Char('<'));
    assert!(
        matches!(fx.as_slice(), [Effect::Apply { target, .. }] if target.id == 2),
        "{fx:?}"
    );
}

#[test]
fn my_own_move_of_a_marked_card_unmarks_it_without_a_word() {
    let mut app = board_of(Stage::Received, &[1, 2]);
    mark(&mut app, 2);
    app.update(Msg::Applied {
        case: Box::new(case(1, Stage::AtManufacturer)),
        done: "RMA-2026-00001 sent to the manufacturer.".into(),
        locate: false,
    });
    assert_eq!(ids(&app.pane(Stage::Received).marked), [2]);
    assert_eq!(message(&app), "RMA-2026-00001 sent to the manufacturer.");
}

fn reseller(number: &str, name: &str, cases: u64) -> crate::store::ResellerOnBoard {
    crate::store::ResellerOnBoard {
        customer_number: number.into(),
        name: Some(name.into()),
        cases,
    }
}

#[test]
fn c_filters_every_pane_to_the_picked_reseller_and_c_again_clears() {
    let mut app = board_of(Stage::Received, &[1, 2]);
    mark(&mut app, 1);
    let fx = key(&mut app, KeyCode::Char('c'));
    assert!(
        matches!(fx.as_slice(), [Effect::LoadResellers(_)]),
        "{fx:?}"
    );
    app.update(Msg::ResellersLoaded(vec![
        reseller("C-7", "Smart Gent BV", 5),
        reseller("C-8", "Movil Sur SL", 2),
    ]));
    type_text(&mut app, "gent");
    let Some(Overlay::Resellers(picker)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(picker.shown().len(), 1);
    let fx = key(&mut app, KeyCode::Enter);
    let [Effect::Reload(r)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(r.customer.as_deref(), Some("C-7"));
    assert!(r.windows.iter().all(|q| q.offset == 0));
    assert_eq!(app.marked_count(), 0);
    assert_eq!(
        message(&app),
        "Showing only Smart Gent BV (C-7): c shows every reseller again. The marks were cleared."
    );
    assert!(screen(&app, 160, 45).contains("Smart Gent BV only · c clears"));
    // Every reload keeps to that reseller until c clears it.
    let fx = key(&mut app, KeyCode::Char('x'));
    assert!(matches!(fx.as_slice(), [Effect::Reload(r)] if r.customer.as_deref() == Some("C-7")));
    let fx = key(&mut app, KeyCode::Char('c'));
    assert!(
        matches!(fx.as_slice(), [Effect::Reload(r)] if r.customer.is_none()),
        "{fx:?}"
    );
    assert!(app.reseller.is_none());
    assert!(!screen(&app, 160, 45).contains("only"));
}

#[test]
fn the_inspected_pane_names_what_is_ready_for_the_selected_cards_reseller() {
    let mut app = board_of(Stage::Inspected, &[7, 8]);
    app.show_expected = false;
    app.update(Msg::ReadyLoaded(vec![reseller("C-1", "Smart Gent BV", 5)]));
    assert!(screen(&app, 160, 45).contains("└ 5 ready for Smart Gent BV ─"));
    // One pane on a small screen: room for the key too.
    app.size = (80, 24);
    assert!(screen(&app, 80, 24).contains("└ 5 ready for Smart Gent BV · p marks them ─"));
    let fx = key(&mut app, KeyCode::Char('p'));
    assert!(
        matches!(fx.as_slice(), [Effect::MarkReady(c)] if c == "C-1"),
        "{fx:?}"
    );
    app.update(Msg::ReadyCases {
        customer: "C-1".into(),
        cases: vec![case(7, Stage::Inspected), case(8, Stage::Inspected)],
    });
    assert_eq!(ids(&app.pane(Stage::Inspected).marked), [7, 8]);
    key(&mut app, KeyCode::Char('>'));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("one S10 for the parcel: {:?}", app.overlay)
    };
    assert_eq!(form.title(), "Ship 2 marked cases back to the customer");
}

#[test]
fn a_name_pasted_into_the_reseller_picker_narrows_it_and_does_not_close_it() {
    let mut app = board_of(Stage::Received, &[1, 2]);
    key(&mut app, KeyCode::Char('c'));
    app.update(Msg::ResellersLoaded(vec![
        reseller("C-7", "Smart Gent BV", 5),
        reseller("C-8", "Movil Sur SL", 2),
    ]));
    // A whole word at once, as a paste or a fast burst arrives: no Enter or Tab after it.
    app.update(Msg::Scan(crate::tui::protocol::Scan {
        text: "Smart".into(),
        end: None,
    }));
    let Some(Overlay::Resellers(picker)) = &app.overlay else {
        panic!("the picker stays open: {:?}", app.overlay)
    };
    assert_eq!(picker.input.text(), "Smart");
    assert_eq!(picker.shown().len(), 1);
}

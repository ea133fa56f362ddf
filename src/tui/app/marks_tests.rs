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
        requests: Some(Vec::new()),
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

/// `>` on the marked cards of the Inspected pane: the store finds they may go out as one
/// parcel.
fn ship_marked(app: &mut App) {
    let fx = key(app, KeyCode::Char('>'));
    let [Effect::CheckParcel(ids)] = fx.as_slice() else {
        panic!("the parcel is checked first: {fx:?}")
    };
    app.update(Msg::ParcelChecked {
        ids: ids.clone(),
        problem: None,
    });
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
    ship_marked(&mut app);
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
        matches!(fx.as_slice(), [Effect::ApplyMany { change: Change::Move { to: Stage::Received }, targets, .. }]
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
    assert!(screen(&app, 160, 45).contains("│5 ready for Smart Gent BV"));
    assert!(screen(&app, 160, 45).contains("└ p marks a parcel "));
    app.size = (80, 24);
    assert!(screen(&app, 80, 24).contains("│5 ready for Smart Gent BV"));
    // With one reseller ready, p marks its cases at once.
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
    ship_marked(&mut app);
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

#[test]
fn undo_of_a_move_of_several_cases_asks_once_and_takes_them_all_back_together() {
    let mut app = board_of(Stage::Shipped, &[1, 2, 3]);
    assert!(matches!(
        key(&mut app, KeyCode::Char('u')).as_slice(),
        [Effect::OfferUndo]
    ));
    let back = |seq: u32| {
        (
            Target::of(&case(seq, Stage::Shipped)),
            Change::UndoMove {
                to: Stage::Inspected,
                before: Default::default(),
            },
        )
    };
    app.update(Msg::UndoOffer {
        case: Box::new(case(1, Stage::Shipped)),
        from: Stage::Inspected,
        to: Stage::Shipped,
        failed: None,
        before: Default::default(),
        together: vec![back(2), back(3)],
    });
    let Some(Overlay::Choice(choice)) = &app.overlay else {
        panic!("asked first: {:?}", app.overlay)
    };
    assert_eq!(
        choice.question(),
        "Your last move took RMA-2026-00001, RMA-2026-00002, RMA-2026-00003 from Inspected to Shipped together. Move all 3 back to Inspected?"
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("RMA-2026-00001 and 2 more"), "{text}");
    let fx = key(&mut app, KeyCode::Char('y'));
    let [Effect::ApplySteps { steps, done }] = fx.as_slice() else {
        panic!("one write for the three cases: {fx:?}")
    };
    assert_eq!(steps, &vec![back(1), back(2), back(3)]);
    assert_eq!(
        done,
        "Undone together: RMA-2026-00001, RMA-2026-00002, RMA-2026-00003; they are back in Inspected."
    );
    // Refused (a colleague moved one meanwhile): the store's sentence names it, and
    // nothing was undone.
    app.update(Msg::Refused {
        error: "RMA-2026-00002 was changed by ben at 2026-03-03 11:00".into(),
        conflict: true,
    });
    assert!(
        message(&app).contains("RMA-2026-00002"),
        "{}",
        message(&app)
    );
}

/// Three resellers with inspected devices, the most first, as the store gives them.
fn three_ready() -> Vec<crate::store::ResellerOnBoard> {
    vec![
        reseller("C-1", "Smart Gent BV", 5),
        reseller("C-2", "张伟 Mobile", 3),
        reseller("C-3", "Łukasiewicz GSM", 1),
    ]
}

#[test]
fn the_inspected_pane_says_what_is_ready_for_every_reseller() {
    let mut app = board_of(Stage::Inspected, &[7, 8]);
    app.update(Msg::ReadyLoaded(three_ready()));
    for (w, h) in [(160, 45), (80, 24)] {
        app.size = (w, h);
        let text = screen(&app, w, h);
        for line in [
            "5 ready for Smart Gent BV",
            "3 ready for 张伟 Mobile",
            "1 ready for Łukasiewicz GSM",
        ] {
            assert!(text.contains(line), "{w}x{h}: {line}\n{text}");
        }
        // The cards keep their place above the list.
        assert!(text.contains("RMA-2026-00007"), "{text}");
    }
    // More resellers than the pane has room for: the last line says how many more.
    let many: Vec<_> = (1..=30)
        .map(|i| reseller(&format!("C-{i}"), &format!("Shop {i}"), 1))
        .collect();
    app.update(Msg::ReadyLoaded(many));
    app.size = (80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("1 ready for Shop 1 "), "{text}");
    assert!(text.contains("more resellers"), "{text}");
    assert!(app.rows_of(Stage::Inspected) >= 1);
}

#[test]
fn the_ready_list_leaves_most_of_the_inspected_pane_to_its_cards() {
    let mut app = board_of(Stage::Inspected, &[7, 8]);
    let many: Vec<_> = (1..=30)
        .map(|i| reseller(&format!("C-{i}"), &format!("Shop {i}"), 1))
        .collect();
    app.update(Msg::ReadyLoaded(many));
    for (w, h) in [(80, 24), (160, 45)] {
        app.size = (w, h);
        let g = app.geometry();
        let lines = app.ready_lines();
        assert!(lines.len() <= 3, "{w}x{h}: {lines:?}");
        assert!(
            lines.last().unwrap().contains("more resellers"),
            "{lines:?}"
        );
        // At least four fifths of the pane's rows hold cards.
        assert!(
            app.rows_of(Stage::Inspected) * 5 >= g.rows * 4,
            "{w}x{h}: {} of {} rows",
            app.rows_of(Stage::Inspected),
            g.rows
        );
    }
}

#[test]
fn the_ship_together_key_asks_whose_parcel_when_several_are_ready() {
    let mut app = board_of(Stage::Inspected, &[7, 8]);
    app.update(Msg::ReadyLoaded(three_ready()));
    // The selected card (case 7) is C-1's in these tests; its reseller is picked first.
    assert!(key(&mut app, KeyCode::Char('p')).is_empty());
    let Some(Overlay::Resellers(picker)) = &app.overlay else {
        panic!("a picker of what is ready: {:?}", app.overlay)
    };
    assert_eq!(picker.shown().len(), 3);
    let text = screen(&app, 80, 24);
    assert!(text.contains("Ship one reseller's parcel"), "{text}");
    assert!(text.contains("3 ready"), "{text}");
    // The status bar says what Enter does here, not what it does in the filter.
    assert!(!text.contains("Enter show"), "{text}");
    key(&mut app, KeyCode::Down);
    let fx = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(fx.as_slice(), [Effect::MarkReady(c)] if c == "C-2"),
        "{fx:?}"
    );
    assert!(app.overlay.is_none());
}

#[test]
fn marked_cards_of_two_customers_are_refused_before_the_s10_is_asked() {
    let mut app = board_of(Stage::Inspected, &[7, 8]);
    mark(&mut app, 2);
    let fx = key(&mut app, KeyCode::Char('>'));
    let [Effect::CheckParcel(ids)] = fx.as_slice() else {
        panic!("the parcel is checked first: {fx:?}")
    };
    assert_eq!(ids, &vec![7, 8]);
    assert!(app.overlay.is_none());
    let problem = "A parcel goes to one customer: RMA-2026-00007 is C-1's, RMA-2026-00008 is C-2's. Ship them in separate parcels.";
    app.update(Msg::ParcelChecked {
        ids: vec![7, 8],
        problem: Some(problem.into()),
    });
    assert!(app.overlay.is_none(), "no S10 is asked for");
    assert_eq!(message(&app), problem);
    // One customer at one address: the S10 is asked for, once.
    key(&mut app, KeyCode::Char('>'));
    app.update(Msg::ParcelChecked {
        ids: vec![7, 8],
        problem: None,
    });
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("one S10 for the parcel: {:?}", app.overlay)
    };
    assert_eq!(form.title(), "Ship 2 marked cases back to the customer");
}

#[test]
fn a_wrong_s10_is_said_once_in_the_ship_form() {
    let mut app = board_of(Stage::Inspected, &[7]);
    key(&mut app, KeyCode::Char('>'));
    assert!(matches!(&app.overlay, Some(Overlay::Form(_))));
    type_text(&mut app, "RR123456789CN");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    for (w, h) in [(80, 24), (160, 45)] {
        let text = screen(&app, w, h);
        assert_eq!(
            text.matches("wrong check digit").count(),
            1,
            "{w}x{h}:\n{text}"
        );
    }
}

#[test]
fn undo_of_cases_moved_together_from_different_stages_names_where_each_goes_back() {
    let mut app = board_of(Stage::Received, &[1, 2, 3]);
    let back = |seq: u32, to: Stage| {
        (
            Target::of(&case(seq, Stage::Received)),
            Change::UndoMove {
                to,
                before: Default::default(),
            },
        )
    };
    app.update(Msg::UndoOffer {
        case: Box::new(case(1, Stage::Received)),
        from: Stage::AtManufacturer,
        to: Stage::Received,
        failed: None,
        before: Default::default(),
        together: vec![back(2, Stage::Inspected), back(3, Stage::AtManufacturer)],
    });
    let Some(Overlay::Choice(choice)) = &app.overlay else {
        panic!("asked first: {:?}", app.overlay)
    };
    assert_eq!(
        choice.question(),
        "Your last move took RMA-2026-00001, RMA-2026-00002, RMA-2026-00003 to Received together. Move RMA-2026-00001, RMA-2026-00003 back to At manufacturer and RMA-2026-00002 back to Inspected?"
    );
    let fx = key(&mut app, KeyCode::Char('y'));
    let [Effect::ApplySteps { steps, done }] = fx.as_slice() else {
        panic!("one write for the three cases: {fx:?}")
    };
    assert_eq!(
        steps,
        &vec![
            back(1, Stage::AtManufacturer),
            back(2, Stage::Inspected),
            back(3, Stage::AtManufacturer)
        ]
    );
    assert_eq!(
        done,
        "Undone together: RMA-2026-00001, RMA-2026-00002, RMA-2026-00003; RMA-2026-00001, RMA-2026-00003 are back in At manufacturer and RMA-2026-00002 in Inspected."
    );
}

//! The app alone, with no store and no terminal: messages in, effects and state out.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{App, MessageKind, Screen, Settings};
use crate::domain::case::{Case, Change};
use crate::domain::rma::RmaNumber;
use crate::domain::warranty::{Part, Verdict};
use crate::domain::{Clocks, Imei, Stage};
use crate::tui::keymap::KeyMap;
use crate::tui::overlay::{ChoiceKind, Outbox, Overlay};
use crate::tui::protocol::{BoardData, Effect, Msg, Scan, ScanEnd};
use crate::tui::theme::Theme;
use crate::workshop::Counts;

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 12, 0, 0).unwrap()
}

pub(super) fn settings() -> Settings {
    Settings {
        user: "anna".into(),
        db: "/srv/rmaboard/rma.sqlite".into(),
        read_only: false,
        clocks: Clocks::default(),
        shipped_days: 14,
        show_expected: true,
        show_requests: true,
        attachments_dir: "/srv/rmaboard/attachments".into(),
        preview_max_bytes: 20 * 1024 * 1024,
        keymap: KeyMap::default_keys(),
        zone: FixedOffset::east_opt(0).unwrap().into(),
    }
}

pub(super) fn case(seq: u32, stage: Stage) -> Case {
    Case {
        id: i64::from(seq),
        rma: RmaNumber::new(2026, seq),
        imei: Imei::parse("490154203237518").unwrap(),
        stage,
        outcome: None,
        verdict: Verdict::Covered,
        verdict_reason: String::new(),
        goodwill: None,
        order_number: "SO-1".into(),
        customer_number: "C-1".into(),
        model: "CECT P30 Pro".into(),
        fault: "no power".into(),
        part: Part::Device,
        tracking_in: None,
        manufacturer_ref: None,
        tracking_out: None,
        rounds: 0,
        claimed_at: now(),
        opened_at: now(),
        stage_since: now(),
        updated_at: now(),
        version: 3,
    }
}

/// A board showing one case, selected in its pane.
fn board_with(settings: Settings, case: Case) -> App {
    let mut app = App::new(settings, now(), (160, 45));
    app.start();
    let stage = case.stage;
    let mut counts = [0; 5];
    counts[Stage::ALL.iter().position(|&s| s == stage).unwrap()] = 1;
    let fx = app.update(Msg::Loaded(Box::new(BoardData {
        counts: Some(Counts {
            counts,
            people: 1,
            ..Counts::default()
        }),
        windows: vec![(stage, 0, vec![case])],
        requests: Some(Vec::new()),
    })));
    // Only the Inspected pane's "ready to ship" counts are asked after a load.
    assert!(fx.iter().all(|e| matches!(e, Effect::LoadReady)), "{fx:?}");
    app.focus = stage;
    app
}

pub(super) fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

pub(super) fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(app, KeyCode::Char(c)))
        .collect()
}

pub(super) fn message(app: &App) -> &str {
    app.message.as_ref().map_or("", |m| m.text.as_str())
}

/// The whole screen as text.
pub(super) fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| crate::tui::views::draw(f, app, &Theme::plain()))
        .unwrap();
    t.backend().to_string()
}

fn rebound(text: &str) -> Settings {
    let mut s = settings();
    s.keymap.merge_user(text).unwrap();
    s
}

#[test]
fn shipping_asks_for_the_s10_and_applies_a_ship_with_it() {
    let mut app = board_with(settings(), case(7, Stage::Inspected));
    assert!(key(&mut app, KeyCode::Char('>')).is_empty());
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("> on an inspected case asks for the S10: {:?}", app.overlay)
    };
    assert_eq!(form.title(), "Ship RMA-2026-00007 back to the customer");
    // One digit off: refused in the form, nothing asked of the store.
    assert!(type_text(&mut app, "RR123456784CN").is_empty());
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("the form stays open")
    };
    // Said under the field, once.
    assert!(form.shows_problem(0).unwrap().contains("check digit"));
    assert!(form.error.is_none());
    for _ in 0..3 {
        key(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "5CN");
    let fx = key(&mut app, KeyCode::Enter);
    let [
        Effect::Apply {
            target,
            change,
            done,
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!((target.id, target.version), (7, 3));
    assert!(
        matches!(change, Change::Ship { tracking } if tracking.as_str() == "RR123456785CN"),
        "{change:?}"
    );
    assert_eq!(done, "RMA-2026-00007 shipped with RR123456785CN.");
    // The form closes as the move is sent (the board answers keys while it is saved)
    // and is kept to come back if the store refuses.
    assert!(app.overlay.is_none());
    assert!(
        matches!(&app.saving, Some(s) if s.what == "RMA-2026-00007" && matches!(s.from, Some(Overlay::Form(_))))
    );
    let fx = app.update(Msg::Applied {
        case: Box::new(case(7, Stage::Shipped)),
        done: done.clone(),
        locate: false,
    });
    assert!(app.overlay.is_none());
    assert!(matches!(fx.as_slice(), [Effect::Reload(_)]), "{fx:?}");
    assert_eq!(message(&app), "RMA-2026-00007 shipped with RR123456785CN.");
}

#[test]
fn a_question_answers_with_its_letters_and_gives_way_to_a_form() {
    let mut app = board_with(settings(), case(4, Stage::Received));
    key(&mut app, KeyCode::Char('>'));
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Choice(c)) if c.kind == ChoiceKind::AfterReceived
    ));
    // `s` asks for the manufacturer's reference.
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert!(
        matches!(&app.overlay, Some(Overlay::Form(f)) if f.title() == "Send RMA-2026-00004 to the manufacturer")
    );
    // Esc leaves the form and says so.
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(message(&app), "Nothing was changed.");

    // ↓ and Enter take the second answer: repaired in-house.
    key(&mut app, KeyCode::Char('>'));
    key(&mut app, KeyCode::Down);
    let fx = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Apply {
                change: Change::InspectPass { in_house: true, .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    // The question closes as the move is sent; the board says what it is saving.
    assert!(app.overlay.is_none());
    assert!(matches!(&app.saving, Some(s) if s.what == "RMA-2026-00004"));
    let fx = app.update(Msg::Refused {
        error: "RMA-2026-00004 was changed by ben".into(),
        conflict: true,
    });
    assert!(app.overlay.is_none());
    assert_eq!(app.message.as_ref().unwrap().kind, MessageKind::Error);
    assert!(matches!(fx.first(), Some(Effect::Reload(_))));
}

#[test]
fn undo_is_asked_first_and_no_keeps_the_move() {
    let mut app = board_with(settings(), case(5, Stage::Received));
    assert!(matches!(
        key(&mut app, KeyCode::Char('u')).as_slice(),
        [Effect::OfferUndo]
    ));
    app.update(Msg::UndoOffer {
        case: Box::new(case(5, Stage::Received)),
        from: Stage::AtManufacturer,
        to: Stage::Received,
        failed: None,
        before: Default::default(),
        together: Vec::new(),
    });
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(message(&app), "Nothing was changed.");
}

#[test]
fn a_rebound_overlay_key_works_and_the_old_one_no_longer_does() {
    let settings = rebound(
        "[[keymap]]\nmode = \"form\"\nrun = \"save\"\non = [\"f2\"]\n\n\
         [[keymap]]\nmode = \"choice\"\nrun = \"down\"\non = [\"tab\"]\n",
    );
    let mut app = board_with(settings, case(6, Stage::AtManufacturer));
    key(&mut app, KeyCode::Char('>'));
    // `j` is no longer "down" in a question; Tab is.
    key(&mut app, KeyCode::Char('j'));
    assert!(matches!(&app.overlay, Some(Overlay::Choice(c)) if c.selected == 0));
    key(&mut app, KeyCode::Tab);
    assert!(matches!(&app.overlay, Some(Overlay::Choice(c)) if c.selected == 1));
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("Failed asks what is still wrong: {:?}", app.overlay)
    };
    assert_eq!(form.title(), "RMA-2026-00006: inspection failed");
    type_text(&mut app, "still dead");
    assert!(ctrl(&mut app, 's').is_empty(), "Ctrl-S no longer saves");
    let fx = key(&mut app, KeyCode::F(2));
    assert!(
        matches!(fx.as_slice(), [Effect::Apply { change: Change::InspectFail { note }, .. }] if note == "still dead"),
        "{fx:?}"
    );
}

#[test]
fn text_fields_take_every_character_even_one_bound_elsewhere() {
    let mut app = board_with(settings(), case(8, Stage::Received));
    key(&mut app, KeyCode::Char('/'));
    // `q` quits and `j` moves on the board; in search they are text.
    let fx = type_text(&mut app, "qj");
    let queries: Vec<&str> = fx
        .iter()
        .map(|e| match e {
            Effect::Search(q) => q.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(queries, ["q", "qj"]);
    assert!(!app.quit);
    app.update(Msg::SearchResults {
        query: "qj".into(),
        cases: vec![case(8, Stage::Received), case(9, Stage::Shipped)],
    });
    key(&mut app, KeyCode::Down);
    let fx = key(&mut app, KeyCode::Enter);
    assert!(matches!(fx.as_slice(), [Effect::Locate(9)]), "{fx:?}");
    assert!(app.overlay.is_none());
}

#[test]
fn a_read_only_board_refuses_to_send_the_outbox() {
    let mut s = settings();
    s.read_only = true;
    let mut app = board_with(s, case(2, Stage::Received));
    assert!(matches!(
        key(&mut app, KeyCode::Char('o')).as_slice(),
        [Effect::LoadOutbox]
    ));
    app.update(Msg::OutboxLoaded(Vec::new()));
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    assert!(
        message(&app).starts_with("the database is read-only"),
        "{}",
        message(&app)
    );
    assert!(matches!(
        app.overlay,
        Some(Overlay::Outbox(Outbox {
            messages: Some(_),
            ..
        }))
    ));
    // Any key that is not the outbox's closes it.
    key(&mut app, KeyCode::Char('x'));
    assert!(app.overlay.is_none());
}

#[test]
fn the_detail_view_scrolls_with_its_own_keys_and_runs_the_boards_commands() {
    let mut app = board_with(settings(), case(3, Stage::Inspected));
    assert!(matches!(
        key(&mut app, KeyCode::Enter).as_slice(),
        [Effect::LoadDetail(3)]
    ));
    app.update(Msg::DetailLoaded(Box::new(
        crate::domain::case::CaseDetail {
            case: case(3, Stage::Inspected),
            sale: None,
            notes: Vec::new(),
            events: Vec::new(),
            attachments: Vec::new(),
        },
    )));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::PageDown);
    assert!(matches!(&app.screen, Screen::Detail(d) if d.scroll == 11));
    // `h` moves between panes on the board; here it does nothing.
    assert!(key(&mut app, KeyCode::Char('h')).is_empty());
    key(&mut app, KeyCode::Char('>'));
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Board));
}

#[test]
fn help_lists_every_modes_keys_and_the_hints_follow_the_overlay() {
    let settings = rebound("[[keymap]]\nmode = \"report\"\nrun = \"close\"\non = [\"f10\"]\n");
    let mut app = board_with(settings, case(3, Stage::Received));
    let board = screen(&app, 160, 45);
    assert!(board.contains("> next stage"), "{board}");
    key(&mut app, KeyCode::Char('?'));
    // Tall enough for the whole help.
    let help = screen(&app, 120, 90);
    for text in [
        "In a form",
        "Next field; save on the last",
        "Ctrl-S",
        "Answering a question",
        "The letter in brackets answers at once.",
        "In search",
        "In the report",
        "The 13 weeks before",
        "← h",
        "F10      Close",
        "In the outbox",
        "Send every waiting message",
        "In a case's details",
    ] {
        assert!(help.contains(text), "{text:?} is not in the help:\n{help}");
    }
    // The status bar shows the help's keys while it is open, not the board's.
    let last_lines: String = help.lines().rev().take(2).collect();
    assert!(last_lines.contains("↑/↓ scroll"), "{last_lines}");
    assert!(!last_lines.contains("next stage"), "{last_lines}");

    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('/'));
    let search = screen(&app, 160, 45);
    let hints = search.lines().rev().nth(1).unwrap();
    assert!(hints.contains("↑/↓ pick  Enter show  Esc close"), "{hints}");
}

/// Ship RMA-2026-00007 from its form: the write goes out and the form closes.
fn ship_sent(app: &mut App) {
    key(app, KeyCode::Char('>'));
    type_text(app, "RR123456785CN");
    let fx = key(app, KeyCode::Enter);
    assert!(matches!(fx.as_slice(), [Effect::Apply { .. }]), "{fx:?}");
    assert!(app.overlay.is_none());
}

#[test]
fn a_refused_save_never_pulls_its_form_over_another_window() {
    let mut app = board_with(settings(), case(7, Stage::Inspected));
    ship_sent(&mut app);
    // While it waits, the user opens the help; the refusal comes meanwhile.
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    app.update(Msg::Refused {
        error: "the database stayed busy".into(),
        conflict: false,
    });
    assert!(
        matches!(app.overlay, Some(Overlay::Help(_))),
        "{:?}",
        app.overlay
    );
    assert!(message(&app).contains("open it again"), "{}", message(&app));
    assert!(app.saving.is_none());

    // With nothing open, the form comes back with the reason.
    key(&mut app, KeyCode::Esc);
    ship_sent(&mut app);
    app.update(Msg::Refused {
        error: "the database stayed busy".into(),
        conflict: false,
    });
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(form.error.as_deref(), Some("the database stayed busy"));
}

#[test]
fn quitting_while_a_save_is_under_way_is_said_not_done() {
    let mut app = board_with(settings(), case(7, Stage::Inspected));
    ship_sent(&mut app);
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit);
    assert!(message(&app).starts_with("Still saving RMA-2026-00007"));
    app.update(Msg::Applied {
        case: Box::new(case(7, Stage::Shipped)),
        done: "shipped".into(),
        locate: false,
    });
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn a_dropped_message_goes_back_to_the_outbox_only_if_nothing_else_was_opened() {
    let mut app = board_with(settings(), case(7, Stage::Inspected));
    key(&mut app, KeyCode::Char('?'));
    let fx = app.update(Msg::Dropped(4));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    key(&mut app, KeyCode::Esc);
    let fx = app.update(Msg::Dropped(5));
    assert!(matches!(fx.as_slice(), [Effect::LoadOutbox]), "{fx:?}");
    assert!(matches!(app.overlay, Some(Overlay::Outbox(_))));
}

fn waiting_message(id: i64, lines: usize) -> crate::paperwork::OutboxMessage {
    crate::paperwork::OutboxMessage {
        id,
        case_id: Some(2),
        request_id: None,
        rma: "RMA-2026-0002".into(),
        rmas: vec!["RMA-2026-0002".into()],
        in_reply_to: None,
        references: Vec::new(),
        kind: crate::paperwork::MessageKind::RmaInstructions,
        to_address: Some("service@hub.example".into()),
        to_name: None,
        subject: "Your RMA".into(),
        body: (1..=lines)
            .map(|n| format!("body line {n}"))
            .collect::<Vec<_>>()
            .join("\n"),
        created_at: now(),
        status: crate::paperwork::OutboxStatus::Pending,
        attempts: 0,
        last_error: None,
        sent_at: None,
        sent_via: None,
        dropped: None,
    }
}

#[test]
fn the_outbox_reloads_on_another_terminals_change_and_pages_its_message() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    app.update(Msg::Resize(80, 24));
    key(&mut app, KeyCode::Char('o'));
    app.update(Msg::OutboxLoaded(vec![waiting_message(1, 40)]));
    // Another terminal drafts a message: the open outbox reloads as the panes do.
    let fx = app.update(Msg::ExternalChange);
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadOutbox)), "{fx:?}");
    app.update(Msg::OutboxLoaded(vec![
        waiting_message(1, 40),
        waiting_message(2, 3),
    ]));
    assert!(screen(&app, 80, 24).contains("2 waiting"));
    // At 80x24 the end of a long message is below the popup until it is paged to.
    assert!(!screen(&app, 80, 24).contains("body line 40"));
    for _ in 0..4 {
        key(&mut app, KeyCode::PageDown);
    }
    assert!(
        matches!(app.overlay, Some(Overlay::Outbox(_))),
        "PgDn pages, not closes"
    );
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("body line 40"), "{shown}");
    assert!(!shown.contains("body line 1\n"), "{shown}");
    assert!(shown.contains("PgUp/PgDn scroll"), "{shown}");
    key(&mut app, KeyCode::PageUp);
    key(&mut app, KeyCode::PageUp);
    key(&mut app, KeyCode::PageUp);
    key(&mut app, KeyCode::PageUp);
    assert!(screen(&app, 80, 24).contains("body line 1 "));
}

#[test]
fn a_sold_device_with_no_case_found_while_a_popup_is_open_offers_n() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    key(&mut app, KeyCode::Char('o'));
    let imei = Imei::parse("490154203237518").unwrap();
    assert!(app.update(Msg::SoldWithoutCase(imei.clone())).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Outbox(_))));
    assert!(
        message(&app).ends_with("has no case: press n to open one"),
        "{}",
        message(&app)
    );
    key(&mut app, KeyCode::Esc);
    let fx = app.update(Msg::SoldWithoutCase(imei));
    assert!(matches!(fx.as_slice(), [Effect::Assess { .. }]), "{fx:?}");
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
}

#[test]
fn a_long_message_box_sits_inside_the_boards_frame() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    app.update(Msg::Resize(80, 24));
    app.update(Msg::Error(
        "the database is locked by a colleague's long write: wait a moment and try again, or ask who is importing the sales registry right now".into(),
    ));
    let shown = screen(&app, 80, 24);
    let rows: Vec<&str> = shown.lines().collect();
    // The last row above the message line is the panes' bottom edge, whole.
    let edge = rows[rows.len() - 3];
    assert!(edge.starts_with("\"└─") && edge.ends_with("┘\""), "{shown}");
    assert!(!shown.contains("└└") && !shown.contains("┘┘"), "{shown}");
    // The box's rows keep the frame's sides.
    let boxed: Vec<&&str> = rows
        .iter()
        .filter(|r| r.contains("┌ ✗") || r.contains("the sales registry"))
        .collect();
    assert!(!boxed.is_empty(), "{shown}");
    assert!(boxed.iter().all(|r| r.starts_with("\"│")), "{shown}");
}

#[test]
fn the_outbox_marks_a_message_with_no_address_for_a_person() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    key(&mut app, KeyCode::Char('o'));
    let mut lost = waiting_message(1, 3);
    lost.to_address = None;
    lost.attempts = 1;
    lost.last_error = Some("RMA-2026-0002 has no usable customer email address".into());
    app.update(Msg::OutboxLoaded(vec![lost, waiting_message(2, 3)]));
    let shown = screen(&app, 160, 45);
    assert!(shown.contains("no address: drop it"), "{shown}");
    assert!(!shown.contains("failed 1x"), "{shown}");
}

fn scan(app: &mut App, text: &str, end: Option<ScanEnd>) -> Vec<Effect> {
    app.update(Msg::Scan(Scan {
        text: text.into(),
        end,
    }))
}

fn finds(fx: &[Effect]) -> Option<&str> {
    match fx {
        [Effect::Find(k)] => Some(k.as_str()),
        _ => None,
    }
}

#[test]
fn a_scan_into_the_inspection_question_answers_nothing_and_says_so() {
    let mut app = board_with(settings(), case(3, Stage::AtManufacturer));
    key(&mut app, KeyCode::Char('>'));
    assert!(matches!(&app.overlay, Some(Overlay::Choice(c)) if c.kind == ChoiceKind::Inspect));
    // Its P and its Enter were "Passed" and "the marked answer".
    let fx = scan(&mut app, "RP123456785CN", Some(ScanEnd::Enter));
    assert_eq!(finds(&fx), Some("RP123456785CN"), "{fx:?}");
    assert!(app.overlay.is_none());
    assert!(app.saving.is_none());
    // What the scan found is said after the question put aside.
    app.update(Msg::Error("no case has RP123456785CN".into()));
    assert_eq!(
        message(&app),
        "Put the question about RMA-2026-00003 aside for the scan of RP123456785CN: nothing was answered. No case has RP123456785CN"
    );
    // Only once: the next answer is told alone.
    app.update(Msg::Error("again".into()));
    assert_eq!(message(&app), "again");
    // Put aside for a case that is found: both said.
    key(&mut app, KeyCode::Char('>'));
    let fx = scan(&mut app, "RMA-2026-00007", Some(ScanEnd::Enter));
    assert_eq!(finds(&fx), Some("RMA-2026-00007"));
    app.update(Msg::Found {
        scanned: Some("RMA-2026-00007".into()),
        case: Box::new(case(7, Stage::Received)),
        position: Some(0),
    });
    assert!(
        message(&app).starts_with("Put the question about RMA-2026-00003 aside for the scan of RMA-2026-00007: nothing was answered. RMA-2026-00007: "),
        "{}",
        message(&app)
    );
}

#[test]
fn a_scan_into_the_next_stage_menu_opens_no_form() {
    let mut app = board_with(settings(), case(4, Stage::Received));
    key(&mut app, KeyCode::Char('>'));
    let fx = scan(&mut app, "SI0000000001", Some(ScanEnd::Enter));
    assert_eq!(finds(&fx), Some("SI0000000001"));
    assert!(app.overlay.is_none(), "{:?}", app.overlay);
}

#[test]
fn scanning_parcel_b_while_asked_about_parcel_a_leaves_a_unanswered() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    let mut a = case(5, Stage::Expected);
    a.tracking_in = Some("RR123456785CN".into());
    app.update(Msg::Found {
        scanned: Some("RR123456785CN".into()),
        case: Box::new(a),
        position: Some(0),
    });
    assert!(
        matches!(&app.overlay, Some(Overlay::Choice(c)) if c.kind == ChoiceKind::ReceiveScanned)
    );
    let fx = scan(&mut app, "RR987654321DE", Some(ScanEnd::Enter));
    assert_eq!(finds(&fx), Some("RR987654321DE"), "{fx:?}");
    assert!(app.overlay.is_none());
    assert!(app.saving.is_none());
    app.update(Msg::Error("no case has RR987654321DE".into()));
    assert!(
        message(&app).starts_with(
            "Put the question about RMA-2026-00005 aside for the scan of RR987654321DE"
        ),
        "{}",
        message(&app)
    );
}

#[test]
fn digits_and_capitals_typed_into_a_question_start_a_number_and_never_answer() {
    // A scanner too slow to be told from a person, or a number typed by hand.
    let mut app = board_with(settings(), case(3, Stage::AtManufacturer));
    key(&mut app, KeyCode::Char('>'));
    assert!(type_text(&mut app, "RP123456785CN").is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(app.scan, "RP123456785CN");
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(finds(&fx), Some("RP123456785CN"), "{fx:?}");
    app.update(Msg::Error("no case".into()));
    assert!(message(&app).starts_with("Put the question about RMA-2026-00003 aside"));
    // Cleared with Esc instead: the question is said to be left unanswered.
    key(&mut app, KeyCode::Char('>'));
    type_text(&mut app, "42");
    key(&mut app, KeyCode::Esc);
    assert!(app.scan.is_empty());
    assert_eq!(
        message(&app),
        "The question about RMA-2026-00003 was put aside: nothing was answered."
    );
    // Its own letters, typed by a person, still answer.
    key(&mut app, KeyCode::Char('>'));
    let fx = key(&mut app, KeyCode::Char('p'));
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Apply {
                change: Change::InspectPass {
                    in_house: false,
                    ..
                },
                ..
            }]
        ),
        "{fx:?}"
    );
}

#[test]
fn a_scan_ended_by_tab_finds_its_case_as_enter_does() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    let fx = scan(&mut app, "RMA-2026-00002", Some(ScanEnd::Tab));
    assert_eq!(finds(&fx), Some("RMA-2026-00002"));
    // Typed by hand (or by a slow scanner) and ended by Tab or a line feed: the same.
    type_text(&mut app, "RMA-2026-00002");
    let fx = key(&mut app, KeyCode::Tab);
    assert_eq!(finds(&fx), Some("RMA-2026-00002"), "{fx:?}");
    assert!(app.scan.is_empty());
    type_text(&mut app, "490154203237518");
    let fx = ctrl(&mut app, 'j');
    assert_eq!(finds(&fx), Some("490154203237518"), "{fx:?}");
}

#[test]
fn a_scan_closes_help_report_outbox_and_search_and_is_found_whole() {
    for open in ['?', 'r', 'o', '/'] {
        let mut app = board_with(settings(), case(2, Stage::Received));
        key(&mut app, KeyCode::Char(open));
        assert!(app.overlay.is_some(), "{open}");
        let fx = scan(&mut app, "490154203237518", Some(ScanEnd::Enter));
        assert_eq!(finds(&fx), Some("490154203237518"), "{open}: {fx:?}");
        assert!(app.overlay.is_none(), "{open}");
    }
    // A digit typed by hand there closes it and starts the number rather than being lost.
    for open in ['?', 'r', 'o'] {
        let mut app = board_with(settings(), case(2, Stage::Received));
        key(&mut app, KeyCode::Char(open));
        type_text(&mut app, "4901");
        assert!(app.overlay.is_none(), "{open}");
        assert_eq!(app.scan, "4901", "{open}");
    }
}

#[test]
fn a_scan_without_its_end_waits_on_the_scan_line_or_is_typed_into_search() {
    let mut app = board_with(settings(), case(2, Stage::Received));
    assert!(scan(&mut app, "RMA-2026-00002", None).is_empty());
    assert_eq!(app.scan, "RMA-2026-00002");
    assert!(screen(&app, 80, 24).contains("Scan: RMA-2026-00002"));
    let fx = key(&mut app, KeyCode::Enter);
    assert_eq!(finds(&fx), Some("RMA-2026-00002"));
    // In search, text pasted or scanned without Enter is the query.
    key(&mut app, KeyCode::Char('/'));
    let fx = scan(&mut app, "Müller", None);
    assert!(
        matches!(fx.as_slice(), [Effect::Search(q)] if q == "Müller"),
        "{fx:?}"
    );
    assert!(matches!(&app.overlay, Some(Overlay::Search(s)) if s.input.text() == "Müller"));
}

#[test]
fn a_scan_into_a_forms_text_field_is_typed_there_with_its_enter_or_tab() {
    // The S10 when shipping: typed, and its Enter saves as the form's Enter does.
    let mut app = board_with(settings(), case(7, Stage::Inspected));
    key(&mut app, KeyCode::Char('>'));
    let fx = scan(&mut app, "RR123456785CN", Some(ScanEnd::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::Apply { change: Change::Ship { tracking }, .. }] if tracking.as_str() == "RR123456785CN"),
        "{fx:?}"
    );
    // The manufacturer reference: typed, Tab moves on as it does in the form.
    let mut app = board_with(settings(), case(4, Stage::Received));
    key(&mut app, KeyCode::Char('>'));
    key(&mut app, KeyCode::Char('s'));
    assert!(scan(&mut app, "CECT-SR-8812", Some(ScanEnd::Tab)).is_empty());
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(form.fields[0].value(), "CECT-SR-8812");
    // The IMEI of a new case: typed, and Tab goes on to the part.
    let mut app = board_with(settings(), case(4, Stage::Received));
    key(&mut app, KeyCode::Char('n'));
    let fx = scan(&mut app, "490154203237518", Some(ScanEnd::Tab));
    assert!(matches!(fx.as_slice(), [Effect::Assess { .. }]), "{fx:?}");
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(form.fields[0].value(), "490154203237518");
    assert_eq!(form.focused().unwrap().label, "Faulty part");
    // On the list a scan is not typed anywhere, and says so; the form stays.
    assert!(scan(&mut app, "490154203237518", Some(ScanEnd::Enter)).is_empty());
    assert!(message(&app).contains("was not used"), "{}", message(&app));
    let Some(Overlay::Form(form)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(form.focused().unwrap().label, "Faulty part");
}

/// The windows may come before the counts: until they do, a pane scrolls through what
/// is loaded; counts made for a reseller filter no longer shown are not taken.
#[test]
fn the_counts_follow_the_windows_for_the_filter_shown() {
    let mut app = App::new(settings(), now(), (160, 45));
    app.start();
    let cases: Vec<Case> = (1..=3).map(|n| case(n, Stage::Received)).collect();
    app.update(Msg::Loaded(Box::new(BoardData {
        counts: None,
        windows: vec![(Stage::Received, 0, cases)],
        requests: Some(Vec::new()),
    })));
    assert!(!app.counted);
    assert_eq!(app.pane_len(Stage::Received), 3);
    let counts = Counts {
        counts: [0, 40, 0, 0, 0],
        people: 2,
        ..Counts::default()
    };
    app.update(Msg::Counted {
        customer: Some("C-1001".into()),
        counts,
    });
    assert!(!app.counted);
    app.update(Msg::Counted {
        customer: None,
        counts,
    });
    assert!(app.counted);
    assert_eq!(app.pane_len(Stage::Received), 40);
    assert_eq!(app.people, 2);
}

/// A cursor move that scrolls its pane asks for that pane's window alone: the other
/// panes, the open requests, the marked cases and the "ready to ship" list do not change
/// by scrolling (another terminal's changes reload the whole board on the next look).
#[test]
fn a_scroll_reads_only_the_window_of_the_pane_that_scrolled() {
    let mut app = App::new(settings(), now(), (160, 45));
    app.start();
    let rows = app.rows_of(Stage::Received);
    let window = |from: u32| -> Vec<Case> {
        (from..from + rows as u32)
            .map(|n| case(n, Stage::Received))
            .collect()
    };
    app.update(Msg::Loaded(Box::new(BoardData {
        counts: Some(Counts {
            counts: [3, 100, 0, 0, 0],
            people: 1,
            ..Counts::default()
        }),
        windows: vec![
            (
                Stage::Expected,
                0,
                (201..204).map(|n| case(n, Stage::Expected)).collect(),
            ),
            (Stage::Received, 0, window(1)),
        ],
        requests: Some(Vec::new()),
    })));
    app.focus = Stage::Received;
    app.pane_mut(Stage::Received)
        .marked
        .push(crate::tui::protocol::Target::of(&case(2, Stage::Received)));
    // Down to the last card shown: nothing to read.
    for _ in 1..rows {
        assert!(key(&mut app, KeyCode::Char('j')).is_empty());
    }
    // One more: the pane scrolls by one card, and only its window is asked for.
    let fx = key(&mut app, KeyCode::Char('j'));
    let [Effect::Reload(r)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(!r.whole, "{r:?}");
    assert_eq!(r.windows.len(), 1, "{r:?}");
    assert_eq!(
        (r.windows[0].stage, r.windows[0].offset, r.windows[0].limit),
        (Stage::Received, 1, rows)
    );
    // Its answer moves that pane only and asks nothing more.
    let fx = app.update(Msg::Loaded(Box::new(BoardData {
        counts: None,
        windows: vec![(Stage::Received, 1, window(2))],
        requests: None,
    })));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(app.pane(Stage::Received).loaded_at, 1);
    assert_eq!(
        app.pane(Stage::Received).selected_case().unwrap().id,
        rows as i64 + 1
    );
    assert_eq!(app.pane(Stage::Expected).cases.len(), 3);
    assert_eq!(app.pane(Stage::Received).marked.len(), 1);
    // A look for others' changes still reads the whole board, and what follows it.
    let fx = app.update(Msg::ExternalChange);
    let [Effect::Reload(r)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(r.whole);
    assert_eq!(r.windows.len(), Stage::ALL.len());
    let fx = app.update(Msg::Loaded(Box::new(BoardData {
        counts: None,
        windows: vec![(Stage::Received, 1, window(2))],
        requests: Some(Vec::new()),
    })));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadMarked(_))),
        "{fx:?}"
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadReady)), "{fx:?}");
}

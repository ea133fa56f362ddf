//! The Requests pane and the mail view, app alone: the cursor in the pane, the mail
//! opened, and each answer asked of the store as the command line's `answer` does.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{case, key, message, now, screen, settings, type_text};
use super::{App, MessageKind, Settings};
use crate::domain::intake::{Answer, Answered, Attachment, RefusalReason, Request};
use crate::domain::warranty::Verdict;
use crate::domain::{Imei, Stage};
use crate::store::Reply;
use crate::tui::overlay::Overlay;
use crate::tui::protocol::{AnswerJob, BoardData, Effect, MailView, Msg, Scan, ScanEnd};
use crate::workshop::{Counts, RequestDevice};

fn imeis() -> Vec<Imei> {
    ["490154203237518", "260531793113837", "356938035643809"]
        .iter()
        .map(|i| Imei::parse(i).unwrap())
        .collect()
}

fn request(id: i64, devices: usize) -> Request {
    Request {
        id,
        message_id: format!("m{id}@hub.example"),
        received_at: now() - Duration::hours(52 - id),
        from_address: Some("service@hub.example".into()),
        from_name: Some("Handy Hub".into()),
        subject: "defective devices".into(),
        body: "Please open RMAs.\nThey do not switch on.".into(),
        customer_number: Some("C-1000".into()),
        customer_name: Some("Handy Hub GmbH".into()),
        imeis: imeis().into_iter().take(devices).collect(),
        attachments: vec![Attachment {
            name: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 2048,
            file: format!("request-{id}-abc.jpg"),
        }],
        answered: None,
        follows: None,
    }
}

fn view(r: Request) -> MailView {
    let devices = r
        .imeis
        .iter()
        .map(|i| RequestDevice {
            imei: i.clone(),
            model: Some("CECT P30 Pro".into()),
            customer_number: Some("C-1000".into()),
            verdict: Verdict::Covered,
            reason: "Covered by the 1-year guarantee.".into(),
            open_case: None,
        })
        .collect();
    MailView {
        request: r,
        devices,
    }
}

/// A board with one expected case and these open requests.
fn board(settings: Settings, requests: Vec<Request>) -> App {
    let mut app = App::new(settings, now(), (160, 45));
    app.start();
    reloaded(&mut app, requests);
    app
}

fn reloaded(app: &mut App, requests: Vec<Request>) {
    let mut counts = [0; 5];
    counts[0] = 1;
    app.update(Msg::Loaded(Box::new(BoardData {
        counts: Some(Counts {
            counts,
            people: 1,
            ..Counts::default()
        }),
        windows: vec![(Stage::Expected, 0, vec![case(1, Stage::Expected)])],
        requests: Some(requests),
    })));
}

/// The board with request `id`'s mail open and loaded, the cursor in the pane.
fn mail_open(devices: usize) -> App {
    let mut app = board(settings(), vec![request(1, 1), request(2, devices)]);
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Char('j'));
    let fx = key(&mut app, KeyCode::Enter);
    assert!(matches!(fx[..], [Effect::LoadRequest(2)]), "{fx:?}");
    app.update(Msg::RequestLoaded(Box::new(view(request(2, devices)))));
    app
}

fn answer_of(fx: &[Effect]) -> &AnswerJob {
    match fx {
        [Effect::AnswerRequest(job)] => job,
        other => panic!("expected one answer, got {other:?}"),
    }
}

fn mail(app: &App) -> &crate::tui::overlay::RequestMail {
    match &app.overlay {
        Some(Overlay::Mail(m)) => m,
        other => panic!("expected the mail view, got {other:?}"),
    }
}

#[test]
fn the_cursor_goes_into_the_requests_pane_and_back_like_into_any_pane() {
    let mut app = board(settings(), vec![request(1, 1), request(2, 3)]);
    assert_eq!(app.focus, Stage::Expected);
    assert!(key(&mut app, KeyCode::Char('h')).is_empty());
    assert!(app.inbox.focused);
    assert!(app.selected_case().is_none(), "no case under the cursor");
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected_request().map(|r| r.id), Some(2));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(
        app.selected_request().map(|r| r.id),
        Some(2),
        "stops at the last"
    );
    key(&mut app, KeyCode::Char('l'));
    assert!(!app.inbox.focused);
    assert_eq!(app.focus, Stage::Expected);
    // Round from the rightmost pane, as between the stages.
    app.focus = Stage::Shipped;
    key(&mut app, KeyCode::Char('l'));
    assert!(app.inbox.focused);
    key(&mut app, KeyCode::Char('h'));
    assert_eq!((app.inbox.focused, app.focus), (false, Stage::Shipped));
    // Marking a request is said to mean nothing, and marks no case.
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char(' '));
    assert!(
        message(&app).contains("Requests are not marked"),
        "{}",
        message(&app)
    );
}

#[test]
fn the_picked_request_stays_picked_when_another_is_answered_and_the_pane_leaves_when_empty() {
    let mut app = board(
        settings(),
        vec![request(1, 1), request(2, 3), request(3, 1)],
    );
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected_request().map(|r| r.id), Some(3));
    reloaded(&mut app, vec![request(2, 3), request(3, 1)]);
    assert_eq!(app.selected_request().map(|r| r.id), Some(3));
    reloaded(&mut app, Vec::new());
    assert!(!app.inbox.focused, "nothing left to pick");
    assert_eq!(app.focus, Stage::Expected);
}

#[test]
fn the_requests_key_hides_and_shows_the_pane_and_the_setting_is_its_default() {
    let mut app = board(settings(), vec![request(1, 1)]);
    assert!(app.requests_width() > 0);
    key(&mut app, KeyCode::Char('h'));
    let fx = key(&mut app, KeyCode::Char('i'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Reload(_))), "{fx:?}");
    assert_eq!(app.requests_width(), 0);
    assert!(!app.inbox.focused, "the cursor leaves a hidden pane");
    key(&mut app, KeyCode::Char('h'));
    assert!(!app.inbox.focused, "a hidden pane is not reached");
    key(&mut app, KeyCode::Char('i'));
    assert!(app.requests_width() > 0);

    let hidden = board(
        Settings {
            show_requests: false,
            ..settings()
        },
        vec![request(1, 1)],
    );
    assert_eq!(hidden.requests_width(), 0);
}

#[test]
fn on_a_narrow_screen_the_requests_are_a_tab_the_cursor_reaches() {
    let mut app = board(settings(), vec![request(1, 2)]);
    app.update(Msg::Resize(80, 24));
    key(&mut app, KeyCode::Char('h'));
    assert!(app.inbox.focused);
    let text = screen(&app, 80, 24);
    assert!(text.contains("#1 Handy Hub"), "{text}");
    assert!(!text.contains("RMA-2026-00001"), "{text}");
}

#[test]
fn open_asks_for_a_case_for_every_device_when_none_is_marked() {
    let mut app = mail_open(3);
    assert!(screen(&app, 160, 45).contains("Request #2"));
    let fx = key(&mut app, KeyCode::Char('o'));
    let job = answer_of(&fx);
    assert_eq!(job.id, 2);
    assert_eq!(job.seen, None);
    match &job.reply {
        Reply::Open {
            imeis: asked,
            fault,
        } => {
            assert_eq!(asked, &imeis());
            assert!(
                fault.starts_with("defective devices: Please open"),
                "{fault}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(app.saving.is_some(), "one write at a time");
    assert!(
        matches!(app.overlay, Some(Overlay::Mail(_))),
        "shown while saving"
    );
}

#[test]
fn open_with_marks_opens_only_the_marked_devices() {
    let mut app = mail_open(3);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(mail(&app).marked, vec![imeis()[1].clone()]);
    assert!(
        message(&app).contains("1 device marked"),
        "{}",
        message(&app)
    );
    let fx = key(&mut app, KeyCode::Char('o'));
    match &answer_of(&fx).reply {
        Reply::Open { imeis: asked, .. } => assert_eq!(asked, &vec![imeis()[1].clone()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_answer_is_said_closes_the_mail_and_reloads_the_board() {
    let mut app = mail_open(1);
    key(&mut app, KeyCode::Char('o'));
    let fx = app.update(Msg::Answered {
        id: 2,
        done: "Request 2: opened RMA-2026-00042.".into(),
    });
    assert!(app.overlay.is_none());
    assert!(app.saving.is_none());
    assert_eq!(message(&app), "Request 2: opened RMA-2026-00042.");
    assert!(fx.iter().any(|e| matches!(e, Effect::Reload(_))), "{fx:?}");
}

#[test]
fn a_refused_answer_keeps_the_mail_open_and_says_why() {
    let mut app = mail_open(1);
    key(&mut app, KeyCode::Char('o'));
    app.update(Msg::Refused {
        error: "request 2 was answered meanwhile (refused (void) by ben, 2026-05-04 11:00): nothing was saved".into(),
        conflict: false,
    });
    assert!(matches!(app.overlay, Some(Overlay::Mail(_))));
    assert!(app.saving.is_none());
    let m = app.message.clone().unwrap();
    assert_eq!(m.kind, MessageKind::Error);
    assert!(m.text.contains("answered meanwhile"), "{}", m.text);
}

#[test]
fn refuse_asks_the_policy_reason_and_sends_the_one_picked() {
    let mut app = mail_open(1);
    key(&mut app, KeyCode::Char('r'));
    assert!(
        matches!(&app.overlay, Some(Overlay::Form(f)) if f.title() == "Refuse request 2"),
        "{:?}",
        app.overlay
    );
    let text = screen(&app, 80, 24);
    assert!(text.contains("not_sold_by_us"), "{text}");
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let fx = key(&mut app, KeyCode::Enter);
    let job = answer_of(&fx);
    assert_eq!(
        (job.id, &job.reply),
        (2, &Reply::Refuse(RefusalReason::NotCovered))
    );
}

#[test]
fn ask_takes_a_question_and_an_empty_one_is_refused_with_a_sentence() {
    let mut app = mail_open(1);
    key(&mut app, KeyCode::Char('a'));
    let save = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let fx = app.update(Msg::Key(save));
    assert!(fx.is_empty(), "{fx:?}");
    let said = "the question is empty: type a few words";
    match &app.overlay {
        // Said once, under the field.
        Some(Overlay::Form(f)) => {
            assert_eq!(f.shows_problem(0).as_deref(), Some(said));
            assert_eq!(f.error, None);
        }
        other => panic!("{other:?}"),
    }
    let text = screen(&app, 80, 24);
    assert!(text.contains(said), "{text}");
    // Digits are text in the question, not a scan.
    type_text(&mut app, "Try charger 2 first?");
    let fx = app.update(Msg::Key(save));
    let job = answer_of(&fx);
    assert_eq!(job.reply, Reply::Ask("Try charger 2 first?".into()));
}

#[test]
fn an_answer_remembers_the_first_answer_it_saw() {
    let mut app = board(settings(), vec![request(2, 1)]);
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Enter);
    let asked = Answered {
        answer: Answer::Asked,
        at: now() - Duration::hours(1),
        by: "ben".into(),
        messages: 1,
    };
    let mut r = request(2, 1);
    r.answered = Some(asked.clone());
    app.update(Msg::RequestLoaded(Box::new(view(r))));
    assert!(screen(&app, 160, 45).contains("asked by ben"));
    let fx = key(&mut app, KeyCode::Char('o'));
    assert_eq!(answer_of(&fx).seen, Some(asked));
}

#[test]
fn a_mail_naming_no_device_opens_nothing_and_says_what_to_do() {
    let mut app = mail_open(0);
    let fx = key(&mut app, KeyCode::Char('o'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        message(&app).contains("names no device"),
        "{}",
        message(&app)
    );
    assert!(app.saving.is_none());
}

#[test]
fn a_read_only_board_answers_nothing() {
    let mut app = board(
        Settings {
            read_only: true,
            ..settings()
        },
        vec![request(2, 1)],
    );
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Enter);
    app.update(Msg::RequestLoaded(Box::new(view(request(2, 1)))));
    for k in ['o', 'r', 'a'] {
        assert!(key(&mut app, KeyCode::Char(k)).is_empty());
        assert!(matches!(app.overlay, Some(Overlay::Mail(_))));
    }
}

#[test]
fn a_scan_in_the_mail_view_puts_it_aside_and_finds_the_case() {
    let mut app = mail_open(1);
    let fx = app.update(Msg::Scan(Scan {
        text: "RMA-2026-00001".into(),
        end: Some(ScanEnd::Enter),
    }));
    assert!(
        matches!(&fx[..], [Effect::Find(k)] if k == "RMA-2026-00001"),
        "{fx:?}"
    );
    app.update(Msg::Found {
        scanned: Some("RMA-2026-00001".into()),
        case: Box::new(case(1, Stage::Expected)),
        position: Some(0),
    });
    assert!(app.overlay.is_none());
    assert!(!app.inbox.focused);
    assert_eq!(app.focus, Stage::Expected);
    assert!(matches!(app.screen, super::Screen::Detail(_)));
}

#[test]
fn another_terminal_writing_reloads_the_open_mail() {
    let mut app = mail_open(1);
    let fx = app.update(Msg::ExternalChange);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadRequest(2))),
        "{fx:?}"
    );
}

#[test]
fn the_mail_view_fits_80x24_and_shows_clock_devices_attachments_and_text() {
    let app = mail_open(3);
    let text = screen(&app, 80, 24);
    for want in [
        "Request #2",
        "From      Handy Hub <service@hub.example>",
        "late, past the 48 h clock",
        "Devices (3)",
        "[ ] 490154203237518",
        "photo.jpg",
        "2 kB",
        "Please open RMAs.",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
}

#[test]
fn attachments_over_the_preview_limit_or_not_images_are_named_so_with_size_and_path() {
    let mut app = board(
        Settings {
            preview_max_bytes: 1024,
            ..settings()
        },
        vec![request(2, 1)],
    );
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Enter);
    let mut r = request(2, 1);
    r.attachments.push(Attachment {
        name: "invoice.pdf".into(),
        content_type: "application/pdf".into(),
        size: 300,
        file: "request-2-def.pdf".into(),
    });
    r.attachments.push(Attachment {
        name: "small.png".into(),
        content_type: "image/png".into(),
        size: 500,
        file: "request-2-123.png".into(),
    });
    app.update(Msg::RequestLoaded(Box::new(view(r))));
    let text = screen(&app, 160, 45);
    for want in [
        "photo.jpg  image/jpeg, 2 kB, over the 1 kB preview limit, kept",
        "/srv/rmaboard/attachments/request-2-abc.jpg",
        "invoice.pdf  application/pdf, 300 bytes, not an image, kept",
        "small.png  image/png, 500 bytes, no preview in the terminal: open the file",
        "/srv/rmaboard/attachments/request-2-123.png",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
}

#[test]
fn the_mail_text_scrolls_to_its_end_and_no_further() {
    let mut app = board(settings(), vec![request(2, 1)]);
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Enter);
    let mut r = request(2, 1);
    r.body = (1..=40)
        .map(|n| format!("line {n} of the customer's long story"))
        .collect::<Vec<_>>()
        .join("\n");
    app.update(Msg::RequestLoaded(Box::new(view(r))));
    assert!(!screen(&app, 80, 24).contains("line 40 of"));
    for _ in 0..20 {
        key(&mut app, KeyCode::PageDown);
    }
    assert_eq!(mail(&app).scroll, 40);
    let text = screen(&app, 80, 24);
    assert!(text.contains("line 40 of"), "{text}");
    key(&mut app, KeyCode::PageUp);
    assert_eq!(mail(&app).scroll, 34);
}

#[test]
fn a_device_with_a_case_or_not_covered_is_named_before_anything_is_opened() {
    let mut app = mail_open(3);
    let mut v = view(request(2, 3));
    v.devices[1].open_case = Some("RMA-2026-00007".into());
    v.devices[2].verdict = Verdict::Expired;
    v.devices[2].reason = "The guarantee ended on 2025-10-06.".into();
    app.update(Msg::RequestLoaded(Box::new(v)));
    let fx = key(&mut app, KeyCode::Char('o'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(app.saving.is_none());
    let said = message(&app).to_string();
    assert!(said.contains("already has RMA-2026-00007"), "{said}");
    assert!(said.contains("mark the other devices (Space)"), "{said}");
    // Marking only the third names its verdict; marking only the first opens it.
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    assert!(key(&mut app, KeyCode::Char('o')).is_empty());
    assert!(
        message(&app).contains("is expired (The guarantee ended"),
        "{}",
        message(&app)
    );
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('k'));
    key(&mut app, KeyCode::Char('k'));
    key(&mut app, KeyCode::Char(' '));
    let fx = key(&mut app, KeyCode::Char('o'));
    match &answer_of(&fx).reply {
        Reply::Open { imeis: asked, .. } => assert_eq!(asked, &vec![imeis()[0].clone()]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn text_from_the_mail_reaches_the_screen_without_control_characters() {
    let mut app = board(settings(), vec![request(2, 1)]);
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Enter);
    let mut r = request(2, 1);
    r.subject = "evil\u{1b}[2J subject\u{202e}".into();
    r.from_name = Some("Mal\u{7}lory\u{9b}31m".into());
    r.body = "first\u{1b}]0;title\u{7} line\r\nsecond".into();
    r.attachments[0].name = "x\u{1b}[31m.jpg".into();
    app.update(Msg::RequestLoaded(Box::new(view(r))));
    let text = screen(&app, 160, 45);
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\r'] {
        assert!(!text.contains(bad), "{bad:?} in\n{text}");
    }
    assert!(text.contains("subject"), "{text}");
}

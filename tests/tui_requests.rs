//! The board's Requests pane: customers' mail waiting for an answer, left of Expected,
//! as whole screens at 80x24 (counted in the tabs) and 160x45 (a pane of its own).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use rmaboard::config::Config;
use rmaboard::store::Reply;
use rmaboard::workshop::InboxReport;
use tui_support::*;

fn mail(
    id: &str,
    from: (&str, &str),
    text: &str,
    sent: DateTime<Utc>,
) -> rmaboard::domain::intake::Mail {
    let raw = MessageBuilder::new()
        .from((from.0.to_string(), from.1.to_string()))
        .to("support@cect-shop.example")
        .subject("defective device")
        .date(sent.timestamp())
        .message_id(id.to_string())
        .text_body(text.to_string())
        .write_to_vec()
        .unwrap();
    rmaboard::inbox::parse_mail(&raw, id, None).unwrap()
}

/// The demo workshop with three requests: one late (in since Friday), one asked about,
/// one that came in this morning.
fn shop_with_requests() -> Shop {
    let shop = workshop();
    let mut ws = workshop_on(shop.store(), "anna", Config::default());
    let mut report = InboxReport::default();
    let devices = format!("{}\n{}\n{}", device(0), device(3), device(6));
    for m in [
        mail(
            "late@hub.example",
            ("Handy Hub GmbH", "service@hub.example"),
            &devices,
            at(5, 1, 9),
        ),
        mail(
            "asked@lyon.example",
            ("", "sav@corner-lyon.example"),
            &device(1).to_string(),
            at(5, 2, 15),
        ),
        mail(
            "new@sur.example",
            ("Movil Sur", "taller@movilsur.example"),
            "no IMEI given",
            at(5, 4, 8),
        ),
    ] {
        ws.import_mail(&m, &mut report).unwrap();
    }
    assert_eq!(report.new_requests.len(), 3);
    ws.answer(2, Reply::Ask("Please try another charger first.".into()))
        .unwrap();
    shop
}

#[test]
fn the_requests_pane_at_both_sizes() {
    let shop = shop_with_requests();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        let text = screen(&mut b, w, h);
        insta::assert_snapshot!(format!("requests_{w}x{h}"), text);
    }
}

#[test]
fn the_requests_pane_marks_the_late_and_can_be_hidden() {
    let shop = shop_with_requests();
    let mut b = shop.board("anna", 160, 45);
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("Req (3) ! 1 late"), "{text}");
    assert!(text.contains("!#1 Handy Hub"), "{text}");
    assert!(text.contains("?#2 Phone Cor"), "{text}");
    assert!(text.contains("3 devices  C-1000"), "{text}");

    b.app.inbox.shown = false;
    let text = screen(&mut b, 160, 45);
    assert!(!text.contains("Req (3)"), "{text}");

    let mut small = shop.board("anna", 80, 24);
    let text = screen(&mut small, 80, 24);
    assert!(text.contains(" Req 3! "), "{text}");
}

#[test]
fn the_detail_of_a_case_opened_from_a_mail_lists_its_photos() {
    use rmaboard::domain::{Category, Sale};
    let shop = workshop();
    let mut store = shop.store();
    let sold = Sale {
        imei: device(20),
        order_number: "SO-5200".into(),
        customer_number: "C-1002".into(),
        customer_name: Some("Movil Sur SL".into()),
        customer_email: Some("taller@movilsur.example".into()),
        customer_address: None,
        country: None,
        customer_phone: None,
        model: "Doogee S98".into(),
        category: Category::Phone,
        dispatched_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    };
    store
        .import_sales([(1, Ok(sold))], false, &mut |_| {})
        .unwrap();
    let mut ws = workshop_on(store, "anna", Config::default());
    let raw = MessageBuilder::new()
        .from((
            "Movil Sur".to_string(),
            "taller@movilsur.example".to_string(),
        ))
        .to("support@cect-shop.example")
        .subject("pantalla rota")
        .date(at(5, 4, 8).timestamp())
        .message_id("photo@movilsur.example")
        .text_body(format!("IMEI {}", device(20)))
        .attachment("image/jpeg", "pantalla.jpg", vec![0xffu8; 2048])
        .write_to_vec()
        .unwrap();
    let m = rmaboard::inbox::parse_mail(&raw, "photo.eml", None).unwrap();
    ws.import_mail(&m, &mut InboxReport::default()).unwrap();
    let (_, cases) = ws
        .answer(
            1,
            Reply::Open {
                imeis: vec![device(20)],
                fault: "screen broken".into(),
            },
        )
        .unwrap();
    let rma = cases[0].rma.to_string();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        b.app.settings.attachments_dir = "/srv/rmaboard/attachments".into();
        scan(&mut b, &rma);
        if w == 80 {
            // Below the warranty on a small screen.
            press(&mut b, crossterm::event::KeyCode::PageDown);
        }
        let text = screen(&mut b, w, h);
        assert!(text.contains("Attachments (1)"), "{text}");
        assert!(text.contains("image/jpeg, 2 kB"), "{text}");
        insta::assert_snapshot!(format!("detail_with_photo_{w}x{h}"), text);
    }
}

/// [`shop_with_requests`] and a fourth mail from Movil Sur naming devices 10 and 12 (no
/// case yet, under guarantee) with a photo.
fn shop_with_a_photo_request() -> Shop {
    let shop = shop_with_requests();
    let mut ws = workshop_on(shop.store(), "anna", Config::default());
    let raw = MessageBuilder::new()
        .from((
            "Movil Sur".to_string(),
            "taller@movilsur.example".to_string(),
        ))
        .to("support@cect-shop.example")
        .subject("dos equipos, pantalla rota")
        .date(at(5, 4, 9).timestamp())
        .message_id("photo@movilsur.example")
        .text_body(format!(
            "Hola,\nthese two do not switch on:\nIMEI {}\nIMEI {}\n\nSaludos,\nMovil Sur SL",
            device(10),
            device(12)
        ))
        .attachment("image/jpeg", "pantalla.jpg", vec![0xffu8; 2048])
        .write_to_vec()
        .unwrap();
    let m = rmaboard::inbox::parse_mail(&raw, "photo.eml", None).unwrap();
    let mut report = InboxReport::default();
    ws.import_mail(&m, &mut report).unwrap();
    assert_eq!(report.new_requests[0].0, 4);
    shop
}

/// A board on `shop` with its mail of request 4 open (the cursor went into the Requests
/// pane, down to the fourth request, Enter).
fn mail_of_request_4(shop: &Shop, w: u16, h: u16) -> rmaboard::tui::Board {
    use crossterm::event::KeyCode;
    let mut b = shop.board("anna", w, h);
    b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
    b.app.settings.attachments_dir = "/srv/rmaboard/attachments".into();
    // From Expected, the pane to the left is Requests.
    press(&mut b, KeyCode::Char('h'));
    for _ in 0..3 {
        press(&mut b, KeyCode::Char('j'));
    }
    press(&mut b, KeyCode::Enter);
    b
}

fn request_4(shop: &Shop) -> rmaboard::domain::intake::Request {
    shop.store().request(4).unwrap()
}

#[test]
fn the_requests_pane_with_a_request_picked_at_both_sizes() {
    use crossterm::event::KeyCode;
    let shop = shop_with_requests();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        press(&mut b, KeyCode::Char('h'));
        press(&mut b, KeyCode::Char('j'));
        assert_eq!(b.app.selected_request().map(|r| r.id), Some(2));
        let text = screen(&mut b, w, h);
        insta::assert_snapshot!(format!("requests_picked_{w}x{h}"), text);
    }
}

#[test]
fn the_mail_view_at_both_sizes() {
    let shop = shop_with_a_photo_request();
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = mail_of_request_4(&shop, w, h);
        let text = screen(&mut b, w, h);
        assert!(text.contains("Request #4"), "{text}");
        assert!(text.contains(&device(12).to_string()), "{text}");
        assert!(text.contains("pantalla.jpg"), "{text}");
        insta::assert_snapshot!(format!("mail_{w}x{h}"), text);
    }
}

#[test]
fn the_mail_view_shows_the_verdicts_rmaboard_request_prints() {
    let shop = shop_with_requests();
    let mut b = shop.board("anna", 160, 45);
    press(&mut b, crossterm::event::KeyCode::Char('h'));
    press(&mut b, crossterm::event::KeyCode::Enter);
    let text = screen(&mut b, 160, 45);
    // Request 1 names devices 0, 3 and 6, which have cases already.
    let ws = workshop_on(shop.store(), "anna", Config::default());
    let r = shop.store().request(1).unwrap();
    let devices = ws.request_devices(&r, r.received_at.date_naive()).unwrap();
    assert_eq!(devices.len(), 3);
    for d in devices {
        assert!(text.contains(&d.imei.to_string()), "{text}");
        assert!(text.contains(d.verdict.as_str()), "{text}");
        let case = d.open_case.expect("each has a case");
        assert!(text.contains(&format!("open case {case}")), "{text}");
    }
}

#[test]
fn opening_the_cases_of_a_request_from_the_board_is_the_answer_the_command_line_gives() {
    use crossterm::event::KeyCode;
    let shop = shop_with_a_photo_request();
    let mut b = mail_of_request_4(&shop, 160, 45);
    press(&mut b, KeyCode::Char('o'));
    let r = request_4(&shop);
    let first = r.answered.clone().expect("answered");
    assert_eq!(first.answer, rmaboard::domain::intake::Answer::Opened);
    assert_eq!(first.by, "anna");
    let store = shop.store();
    let mut rmas = Vec::new();
    for n in [10, 12] {
        let c = store.find(&device(n).to_string()).unwrap();
        assert_eq!(c.claimed_at, at(5, 4, 9), "claimed when the mail came in");
        assert_eq!(c.stage, rmaboard::domain::Stage::Expected);
        rmas.push(c.rma.to_string());
    }
    let said = b.app.message.clone().unwrap().text;
    assert_eq!(
        said,
        format!(
            "Request 4: opened {}. The RMA instructions to taller@movilsur.example wait in the outbox.",
            rmas.join(", ")
        )
    );
    assert!(b.app.overlay.is_none());
    assert!(b.app.requests.iter().all(|r| r.id != 4), "out of the pane");
}

#[test]
fn opening_only_the_marked_device() {
    use crossterm::event::KeyCode;
    let shop = shop_with_a_photo_request();
    let mut b = mail_of_request_4(&shop, 160, 45);
    press(&mut b, KeyCode::Down);
    press(&mut b, KeyCode::Char(' '));
    press(&mut b, KeyCode::Char('o'));
    let store = shop.store();
    assert!(store.open_case_of(&device(12)).unwrap().is_some());
    assert!(store.open_case_of(&device(10)).unwrap().is_none());
}

#[test]
fn refusing_a_request_from_the_board_records_the_reason_and_drafts_the_refusal() {
    use crossterm::event::KeyCode;
    let shop = shop_with_a_photo_request();
    let mut b = mail_of_request_4(&shop, 80, 24);
    press(&mut b, KeyCode::Char('r'));
    for _ in 0..4 {
        press(&mut b, KeyCode::Right);
    }
    press(&mut b, KeyCode::Enter);
    let r = request_4(&shop);
    assert_eq!(
        r.answered.map(|a| a.answer),
        Some(rmaboard::domain::intake::Answer::Refused(
            rmaboard::domain::intake::RefusalReason::NotADefect
        ))
    );
    let said = b.app.message.clone().unwrap().text;
    assert!(
        said.starts_with("Request 4 refused (not_a_defect)."),
        "{said}"
    );
    assert!(shop.store().open_case_of(&device(10)).unwrap().is_none());
}

#[test]
fn asking_from_the_board_stops_the_clock_and_keeps_the_request_open() {
    use crossterm::event::KeyCode;
    let shop = shop_with_a_photo_request();
    let mut b = mail_of_request_4(&shop, 160, 45);
    press(&mut b, KeyCode::Char('a'));
    type_text(&mut b, "Do they charge with another cable?");
    ctrl(&mut b, 's');
    let r = request_4(&shop);
    let first = r.answered.clone().unwrap();
    assert_eq!(first.answer, rmaboard::domain::intake::Answer::Asked);
    assert!(r.is_open());
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("?#4 Phone Corn"), "{text}");
}

#[test]
fn an_answer_given_meanwhile_on_another_terminal_is_named_and_nothing_is_saved() {
    use crossterm::event::KeyCode;
    let shop = shop_with_a_photo_request();
    let mut b = mail_of_request_4(&shop, 160, 45);
    // Ben refuses it from his terminal while the mail is open here.
    let mut ben = workshop_on(shop.store(), "ben", Config::default());
    ben.answer(
        4,
        Reply::Refuse(rmaboard::domain::intake::RefusalReason::Void),
    )
    .unwrap();
    press(&mut b, KeyCode::Char('o'));
    let said = b.app.message.clone().unwrap().text;
    assert!(said.contains("was answered meanwhile"), "{said}");
    assert!(said.contains("by ben"), "{said}");
    assert!(shop.store().open_case_of(&device(10)).unwrap().is_none());
    // The board notices the other terminal's write: the mail shows Ben's answer.
    b.send(rmaboard::tui::Msg::Tick(now()));
    let text = screen(&mut b, 160, 45);
    assert!(text.contains("refused (void) by ben"), "{text}");
}

#[test]
fn the_report_on_the_board_shows_the_answer_times_the_command_line_computes() {
    use crossterm::event::KeyCode;
    let shop = shop_with_a_photo_request();
    let mut ws = workshop_on(shop.store(), "anna", Config::default());
    ws.answer(
        4,
        Reply::Refuse(rmaboard::domain::intake::RefusalReason::NotCovered),
    )
    .unwrap();
    let period =
        rmaboard::report::Period::new(None, None, now().date_naive(), &chrono::Utc).unwrap();
    let report = ws.report(period, chrono::Utc, &mut |_, _| {}).unwrap();
    let t = &report.answers.total;
    assert_eq!((t.requests, t.answered), (4, 2));
    for (w, h) in [(80, 24), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        press(&mut b, KeyCode::Char('r'));
        let text = screen(&mut b, w, h);
        assert!(text.contains("Answers to mail"), "{text}");
        assert!(text.contains("4 mails, 2 answered"), "{text}");
        let median = format!("median {}", rmaboard::report::show_hours(t.median_hours));
        assert!(text.contains(&median), "{median}\n{text}");
        let share = rmaboard::report::show_share(t.within_clock_share.unwrap());
        assert!(text.contains(&format!("within 48 h: {share}")), "{text}");
        assert!(text.contains("refused not_covered: 1"), "{text}");
        insta::assert_snapshot!(format!("report_with_answers_{w}x{h}"), text);
    }
}

#[test]
fn a_second_answer_given_meanwhile_is_named_and_nothing_is_saved() {
    use rmaboard::domain::intake::{Answer, RefusalReason};
    let shop = shop_with_a_photo_request();
    let mut anna = workshop_on(shop.store(), "anna", Config::default());
    anna.answer(4, Reply::Ask("Which charger did you try?".into()))
        .unwrap();
    // Both terminals now show the request as asked by Anna.
    let mut ben = workshop_on(shop.store(), "ben", Config::default());
    let seen_by_anna = anna.store().request(4).unwrap().answered;
    let seen_by_ben = ben.store().request(4).unwrap().answered;
    ben.answer_seen(4, Reply::Ask("Was it wet?".into()), seen_by_ben)
        .unwrap();
    let drafts = |s: &rmaboard::store::Store| {
        s.outbox(true)
            .unwrap()
            .iter()
            .filter(|m| m.request_id == Some(4))
            .count()
    };
    assert_eq!(drafts(&shop.store()), 2);
    // Anna, unaware of Ben's question, refuses from what she saw.
    let said = anna
        .answer_seen(4, Reply::Refuse(RefusalReason::Void), seen_by_anna.clone())
        .unwrap_err()
        .to_string();
    assert!(said.contains("answered meanwhile"), "{said}");
    assert!(said.contains("question drafted by ben"), "{said}");
    assert!(said.contains("first asked by anna"), "{said}");
    assert!(said.contains("nothing was saved"), "{said}");
    assert_eq!(drafts(&shop.store()), 2);
    // A draft written before its author was kept is still named, without a name.
    let raw = rusqlite::Connection::open(shop.store().path()).unwrap();
    raw.execute("UPDATE outbox SET created_by = NULL", [])
        .unwrap();
    drop(raw);
    let said = anna
        .answer_seen(4, Reply::Refuse(RefusalReason::Void), seen_by_anna)
        .unwrap_err()
        .to_string();
    assert!(said.contains("question drafted 20"), "{said}");
    assert!(said.contains("first asked by anna"), "{said}");
    assert_eq!(drafts(&shop.store()), 2);
    let r = request_4(&shop);
    assert_eq!(r.answered.map(|a| a.answer), Some(Answer::Asked));
    // Having looked again, she can.
    let seen = anna.store().request(4).unwrap().answered;
    anna.answer_seen(4, Reply::Refuse(RefusalReason::Void), seen)
        .unwrap();
    assert_eq!(drafts(&shop.store()), 3);
}

/// An answer to a mail is addressed to the person who wrote it; a sender without a name
/// (or a blank one) gets the customer's name in the sales registry.
#[test]
fn an_answer_is_addressed_to_the_sender_by_name_else_to_the_registrys_customer() {
    use rmaboard::domain::intake::RefusalReason;
    let shop = shop_with_a_photo_request();
    let mut ws = workshop_on(shop.store(), "anna", Config::default());
    let r = request_4(&shop);
    let registry = r
        .customer_name
        .clone()
        .expect("request 4's sender is a customer");
    assert_eq!(r.from_name.as_deref(), Some("Movil Sur"));
    ws.answer(4, Reply::Ask("Which charger?".into())).unwrap();
    let to_name = |s: &rmaboard::store::Store| {
        s.outbox(true)
            .unwrap()
            .into_iter()
            .filter(|m| m.request_id == Some(4))
            .map(|m| m.to_name)
            .next_back()
            .unwrap()
    };
    assert_eq!(to_name(&shop.store()).as_deref(), Some("Movil Sur"));
    rusqlite::Connection::open(shop.store().path())
        .unwrap()
        .execute("UPDATE requests SET from_name = ' ' WHERE id = 4", [])
        .unwrap();
    ws.answer(4, Reply::Refuse(RefusalReason::Void)).unwrap();
    assert_eq!(to_name(&shop.store()), Some(registry));
}

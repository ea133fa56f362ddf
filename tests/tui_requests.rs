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

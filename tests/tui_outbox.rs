//! The outbox on the board: the messages waiting for customers are listed, shown whole,
//! and sent with one key through the configured mail command; a failed send stays.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

mod tui_support;

use std::os::unix::fs::PermissionsExt;

use chrono::{NaiveDate, TimeZone, Utc};
use crossterm::event::KeyCode;
use rmaboard::config::Config;
use rmaboard::domain::{Category, Part, Sale};
use rmaboard::store::{NewCase, Store};
use tui_support::*;

fn shop_with_two_cases(dir: &std::path::Path) -> Store {
    let mut store = Store::open(&dir.join("shop.sqlite")).unwrap();
    let sales: Vec<_> = [(1, Some("service@hub.example")), (2, None)]
        .into_iter()
        .map(|(n, email)| {
            Ok(Sale {
                imei: device(n),
                order_number: format!("SO-{n}"),
                customer_number: format!("C-{n}"),
                customer_name: Some("Mobile Hub".into()),
                customer_email: email.map(str::to_string),
                customer_address: Some("Coolsingel 40, Rotterdam".into()),
                country: Some("NL".into()),
                customer_phone: None,
                model: "CECT P30".into(),
                category: Category::Phone,
                dispatched_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
            })
        })
        .enumerate()
        .map(|(i, s)| (i as u64 + 2, s))
        .collect();
    store.import_sales(sales, false, &mut |_| {}).unwrap();
    let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    for n in [1, 2] {
        store
            .open_case(
                NewCase {
                    imei: device(n),
                    fault: "no power".into(),
                    part: Part::Device,
                    claimed_at: t,
                    tracking_in: None,
                    override_reason: None,
                },
                "anna",
                t,
                &rmaboard::paperwork::Settings::default(),
            )
            .unwrap();
    }
    store
}

#[test]
fn the_outbox_lists_shows_and_sends_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = shop_with_two_cases(dir.path());
    assert_eq!(
        store.outbox(false).unwrap().len(),
        2,
        "two RMA instructions drafted"
    );
    let log = dir.path().join("mail.log");
    let script = dir.path().join("sendmail");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n{{ cat; echo '=== end'; }} >> '{}'\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = Config::default();
    config.mail.command = format!("{} -t -i", script.display());
    config.shop.email = "support@shop.example".into();

    let setup = rmaboard::workshop::Setup::new(store.path(), "anna", config);
    let ws = rmaboard::workshop::Workshop::with_store(store, setup, std::sync::Arc::new(now));
    let mut b = rmaboard::tui::Board::new(
        ws,
        rmaboard::tui::keymap::KeyMap::default_keys(),
        chrono::FixedOffset::east_opt(0).unwrap(),
        (100, 30),
    );
    b.start();
    press(&mut b, KeyCode::Char('o'));
    let shown = screen(&mut b, 100, 30);
    assert!(shown.contains("Outbox: messages to customers"), "{shown}");
    assert!(shown.contains("2 waiting"), "{shown}");
    assert!(shown.contains("service@hub.example"), "{shown}");
    assert!(shown.contains("no address"), "{shown}");
    assert!(shown.contains("Subject"), "{shown}");

    // Send: the message with an address goes out, the other stays with its error.
    press(&mut b, KeyCode::Char('s'));
    let after = screen(&mut b, 100, 30);
    assert!(after.contains("1 sent, 1 not sent"), "{after}");
    assert!(after.contains("1 waiting"), "{after}");
    let mail = std::fs::read_to_string(&log).unwrap();
    assert_eq!(mail.matches("=== end").count(), 1, "{mail}");
    assert!(
        mail.contains("To: \"Mobile Hub\" <service@hub.example>"),
        "{mail}"
    );
    let left = b.store().outbox(false).unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].last_error.is_some());

    // Sending again never sends the first message twice.
    press(&mut b, KeyCode::Char('s'));
    let mail = std::fs::read_to_string(&log).unwrap();
    assert_eq!(mail.matches("=== end").count(), 1, "{mail}");

    // The one without an address is dropped with a reason; an empty reason is refused.
    press(&mut b, KeyCode::Char('d'));
    assert!(screen(&mut b, 100, 30).contains("Drop message"));
    press(&mut b, KeyCode::Enter);
    assert_eq!(
        b.store().outbox(false).unwrap().len(),
        1,
        "nothing dropped yet"
    );
    type_text(&mut b, "Told the customer by phone");
    press(&mut b, KeyCode::Enter);
    let after = screen(&mut b, 100, 30);
    assert!(
        after.contains("was dropped: it will not be sent"),
        "{after}"
    );
    assert!(after.contains("Nothing waiting"), "{after}");
    let all = b.store().outbox(true).unwrap();
    let dropped = all.iter().find(|m| m.dropped.is_some()).unwrap();
    let why = dropped.dropped.as_ref().unwrap();
    assert_eq!(
        (why.by.as_str(), why.reason.as_str()),
        ("anna", "Told the customer by phone")
    );
    press(&mut b, KeyCode::Esc);
    assert!(!screen(&mut b, 100, 30).contains("Outbox: messages"));
}

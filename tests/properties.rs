//! Bad input, everywhere: whatever a person, a scanner or a file gives, the parsers never
//! panic, every refusal is a sentence, and nothing unclean is stored.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rmaboard::demo::make_imei;
use rmaboard::domain::imei::check_digit;
use rmaboard::domain::text::{clean_line, clean_text};
use rmaboard::domain::time::{parse_date, parse_time};
use rmaboard::domain::tracking::s10_check_digit;
use rmaboard::domain::{Imei, Part, RmaNumber, S10, TrackingNumber};
use rmaboard::import::SalesReader;
use rmaboard::store::{NewCase, Store};

/// Text with the nasty parts over-represented: escapes, bidi overrides, C1, odd Unicode.
fn nasty() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\u{1b}[2J".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{202e}".to_string()),
        Just("\u{2066}".to_string()),
        Just("\r\n".to_string()),
        Just("\0".to_string()),
        Just("e\u{301}".to_string()),
        Just("👩‍🔧".to_string()),
        Just(",\"".to_string()),
        "[0-9 -]{0,20}",
        "[A-Za-z]{0,8}",
        any::<String>(),
    ];
    proptest::collection::vec(pieces, 0..6).prop_map(|v| v.concat())
}

fn is_sentence(msg: &str) -> bool {
    !msg.is_empty() && !msg.contains('\n') && !msg.chars().any(char::is_control)
}

fn no_hazards(s: &str, allow_newline: bool) -> bool {
    s.chars().all(|c| {
        (allow_newline && c == '\n')
            || !(c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}'))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn imei_parse_never_panics_and_explains(s in nasty()) {
        match Imei::parse(&s) {
            Ok(imei) => {
                prop_assert_eq!(imei.as_str().len(), 15);
                prop_assert!(imei.as_str().bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(check_digit(&imei.as_str()[..14]), imei.as_str().as_bytes()[14] - b'0');
            }
            Err(e) => prop_assert!(is_sentence(&e.to_string()) && e.to_string().contains("IMEI")),
        }
    }

    #[test]
    fn every_body_has_exactly_one_check_digit(body in "[0-9]{14}", wrong in 1u8..10) {
        let right = check_digit(&body);
        let good = format!("{body}{right}");
        prop_assert!(Imei::parse(&good).is_ok());
        let other = (right + wrong) % 10;
        let err = Imei::parse(&format!("{body}{other}")).unwrap_err().to_string();
        let expected = format!("expected {right}");
        prop_assert!(err.contains(&expected), "{}", err);
    }

    #[test]
    fn tracking_parsers_never_panic(s in nasty()) {
        match S10::parse(&s) {
            Ok(t) => prop_assert!(t.as_str().len() == 13 && no_hazards(t.as_str(), false)),
            Err(e) => prop_assert!(is_sentence(&e.to_string())),
        }
        match TrackingNumber::parse(&s) {
            Ok(t) => prop_assert!(!t.as_str().is_empty() && t.as_str().bytes().all(|b| b.is_ascii_alphanumeric())),
            Err(e) => prop_assert!(is_sentence(&e.to_string())),
        }
    }

    #[test]
    fn generated_s10_numbers_check(service in "[A-Z]{2}", serial in "[0-9]{8}", country in "[A-Z]{2}") {
        let c = s10_check_digit(&serial);
        let good = format!("{service}{serial}{c}{country}");
        prop_assert!(S10::parse(&good).is_ok());
        let wrong = (c + 1) % 10;
        let bad = format!("{service}{serial}{wrong}{country}");
        prop_assert!(S10::parse(&bad).is_err());
    }

    #[test]
    fn rma_numbers_round_trip_and_garbage_is_refused(year in 2000i32..2100, seq in 1u32..10_000_000, s in nasty()) {
        let rma = RmaNumber::new(year, seq);
        prop_assert_eq!(RmaNumber::parse(&rma.to_string()), Ok(rma));
        if let Err(e) = RmaNumber::parse(&s) {
            prop_assert!(is_sentence(&e.to_string()));
        }
    }

    #[test]
    fn dates_and_times_never_panic(s in nasty()) {
        if let Err(e) = parse_date(&s) {
            prop_assert!(is_sentence(&e.to_string()));
        }
        if let Err(e) = parse_time(&s) {
            prop_assert!(is_sentence(&e.to_string()));
        }
    }

    #[test]
    fn cleaned_text_cannot_steer_a_terminal(s in nasty()) {
        prop_assert!(no_hazards(&clean_line(&s), false));
        prop_assert!(no_hazards(&clean_text(&s), true));
        // Cleaning is stable: cleaning twice changes nothing more.
        prop_assert_eq!(clean_line(&clean_line(&s)), clean_line(&s));
    }

    #[test]
    fn csv_rows_never_panic_and_report_their_line(fields in proptest::collection::vec(nasty(), 6)) {
        let mut file = String::from("imei,order_number,customer_number,model,category,dispatched_on\n");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&fields).unwrap();
        file.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let reader = SalesReader::sales(file.as_bytes(), today).unwrap();
        for (line, row) in reader {
            prop_assert!(line >= 2);
            match row {
                Ok(sale) => {
                    for f in [&sale.order_number, &sale.customer_number, &sale.model] {
                        prop_assert!(no_hazards(f, false));
                    }
                }
                Err(msg) => prop_assert!(is_sentence(&msg), "{:?}", msg),
            }
        }
    }
}

fn store_with_case(dir: &Path) -> (Store, i64) {
    let mut store = Store::open(&dir.join("p.sqlite")).unwrap();
    let imei = make_imei(35_209_611, 1);
    let sale = common::phone(&imei);
    store
        .import_sales(vec![(2, Ok(sale))], false, &mut |_| {})
        .unwrap();
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let c = store
        .open_case(
            NewCase {
                imei,
                fault: "x".into(),
                part: Part::Device,
                claimed_at: t,
                tracking_in: None,
                override_reason: None,
            },
            "p",
            t,
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap();
    (store, c.id)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn notes_are_stored_clean_or_refused_whole(text in nasty()) {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, id) = store_with_case(dir.path());
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        match store.add_note(id, &text, "p", t) {
            Ok(_) => {
                let notes = store.notes(id).unwrap();
                prop_assert_eq!(notes.len(), 1);
                prop_assert!(no_hazards(&notes[0].text, true));
                prop_assert!(!notes[0].text.is_empty());
            }
            Err(e) => {
                prop_assert!(is_sentence(&e.to_string()));
                prop_assert!(store.notes(id).unwrap().is_empty());
                prop_assert_eq!(store.case_by_id(id).unwrap().version, 1);
            }
        }
    }
}

//! A small workshop in a temporary database, at fixed times, and a headless board on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rmaboard::config::Config;
use rmaboard::domain::case::Change;
use rmaboard::domain::imei::check_digit;
use rmaboard::domain::warranty::Part;
use rmaboard::domain::{Case, Category, Imei, S10, Sale, Stage, TrackingNumber, VoidReason};
use rmaboard::store::{NewCase, Store};
use rmaboard::tui::keymap::KeyMap;
use rmaboard::tui::protocol::{Scan, ScanEnd};
use rmaboard::tui::theme::Theme;
use rmaboard::tui::{Board, Msg};
use rmaboard::workshop::{Setup, Workshop};

/// "Now" for every test: Monday 4 May 2026, noon UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 12, 0, 0).unwrap()
}

pub fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

/// A valid IMEI from a 14-digit body.
pub fn imei(body: &str) -> Imei {
    Imei::parse(&format!("{body}{}", check_digit(body))).unwrap()
}

pub const MODELS: [&str; 8] = [
    "CECT P30 Pro",
    "Umidigi A13",
    "Doogee S98",
    "Blackview BV9900",
    "Oukitel WP21",
    "Redmi Note 12",
    "Cubot KingKong 9",
    "Ulefone Armor 22",
];

pub fn device(n: usize) -> Imei {
    imei(&format!("35{:012}", 4_700_000_000 + n as u64 * 7919))
}

pub struct Shop {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Shop {
    pub fn store(&self) -> Store {
        Store::open(&self.path).unwrap()
    }

    /// A board as `user` at `w`x`h`, loaded.
    pub fn board(&self, user: &str, w: u16, h: u16) -> Board {
        board_on(self.store(), user, w, h)
    }
}

/// A workshop on `store` as `user`, at the tests' fixed time, reading no config folder.
pub fn workshop_on(store: Store, user: &str, config: Config) -> Workshop {
    let setup = Setup::new(store.path(), user, config);
    Workshop::with_store(store, setup, std::sync::Arc::new(now))
}

pub fn board_on(store: Store, user: &str, w: u16, h: u16) -> Board {
    let mut b = Board::new(
        workshop_on(store, user, Config::default()),
        KeyMap::default_keys(),
        FixedOffset::east_opt(0).unwrap(),
        (w, h),
    );
    b.theme = Theme::colored();
    b.start();
    b
}

fn sale(n: usize, dispatched: NaiveDate) -> (u64, Sale) {
    (
        n as u64,
        Sale {
            imei: device(n),
            order_number: format!("SO-{}", 5100 + n),
            customer_number: format!("C-{}", 1000 + n % 3),
            customer_name: Some(
                ["Handy Hub GmbH", "Phone Corner Lyon", "Movil Sur SL"][n % 3].into(),
            ),
            customer_email: None,
            customer_address: None,
            country: None,
            customer_phone: None,
            model: MODELS[n % MODELS.len()].into(),
            category: Category::Phone,
            dispatched_on: dispatched,
        },
    )
}

/// Sales for devices 0..13 (devices 11 and 13 sold long ago: their guarantee has
/// expired; 13 has no case), and
/// cases in every pane. Returns the shop and the RMA of each case, in opening order.
pub fn workshop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rma.sqlite");
    let mut s = Store::open(&path).unwrap();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let mut sales: Vec<(u64, Sale)> = (0..11).map(|n| sale(n, d(2025, 10, 1))).collect();
    sales.push(sale(11, d(2024, 1, 10)));
    sales.push(sale(12, d(2026, 1, 15)));
    sales.push(sale(13, d(2024, 1, 10)));
    s.import_sales(
        sales.into_iter().map(|(n, s)| (n, Ok(s))),
        false,
        &mut |_| {},
    )
    .unwrap();

    let open =
        |s: &mut Store, n: usize, when: DateTime<Utc>, tracking: Option<&str>, ov: Option<&str>| {
            s.open_case(
                NewCase {
                    imei: device(n),
                    fault: [
                        "no power",
                        "screen flickers after a drop test",
                        "does not charge",
                        "speaker crackles",
                    ][n % 4]
                        .into(),
                    part: Part::Device,
                    claimed_at: when,
                    tracking_in: tracking.map(|t| TrackingNumber::parse(t).unwrap()),
                    override_reason: ov.map(str::to_string),
                },
                "anna",
                when,
                &rmaboard::paperwork::Settings::default(),
            )
            .unwrap()
        };
    let step = |s: &mut Store, id: i64, change: Change, when: DateTime<Utc>| {
        let v = s.case_by_id(id).unwrap().version;
        s.apply(
            id,
            v,
            change,
            "ben",
            when,
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap();
    };
    let send = |r: &str| Change::Send {
        manufacturer_ref: r.into(),
    };
    let receive = Change::Receive { tracking_in: None };

    // Expected: one fresh parcel with a tracking number, one overdue.
    open(&mut s, 0, at(5, 3, 9), Some("RR123456785CN"), None);
    open(&mut s, 1, at(4, 1, 9), None, None);
    // Received: one late (since 1 May), one this morning.
    let c = open(&mut s, 2, at(4, 28, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(5, 1, 10));
    let c = open(&mut s, 3, at(5, 2, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(5, 4, 9));
    // At the manufacturer: one overdue, one on its second round.
    let c = open(&mut s, 4, at(3, 10, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(3, 15, 9));
    step(&mut s, c.id, send("ZTE-88412"), at(3, 20, 9));
    let c = open(&mut s, 5, at(4, 1, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(4, 3, 9));
    step(&mut s, c.id, send("UMI-2231"), at(4, 6, 9));
    step(
        &mut s,
        c.id,
        Change::InspectPass {
            in_house: false,
            note: None,
        },
        at(4, 20, 9),
    );
    step(
        &mut s,
        c.id,
        Change::InspectFail {
            note: "still no sound from the earpiece".into(),
        },
        at(4, 21, 9),
    );
    // Inspected: one passed, one void.
    let c = open(&mut s, 6, at(4, 10, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(4, 12, 9));
    step(&mut s, c.id, send("DGE-5530"), at(4, 13, 9));
    step(
        &mut s,
        c.id,
        Change::InspectPass {
            in_house: false,
            note: None,
        },
        at(5, 3, 15),
    );
    let c = open(&mut s, 7, at(4, 20, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(4, 22, 9));
    step(
        &mut s,
        c.id,
        Change::Void {
            reason: VoidReason::WaterDamage,
            note: "corrosion on the board".into(),
        },
        at(4, 23, 9),
    );
    // Shipped: one this week, one long ago (outside the 14-day window).
    let c = open(&mut s, 8, at(4, 1, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(4, 2, 9));
    step(
        &mut s,
        c.id,
        Change::InspectPass {
            in_house: true,
            note: None,
        },
        at(4, 3, 9),
    );
    step(
        &mut s,
        c.id,
        Change::Ship {
            tracking: S10::parse("RR473124829CN").unwrap(),
        },
        at(5, 2, 9),
    );
    let c = open(&mut s, 9, at(2, 1, 9), None, None);
    step(&mut s, c.id, receive.clone(), at(2, 2, 9));
    step(
        &mut s,
        c.id,
        Change::InspectPass {
            in_house: true,
            note: None,
        },
        at(2, 3, 9),
    );
    step(
        &mut s,
        c.id,
        Change::Ship {
            tracking: S10::parse("EE000000005CN").unwrap(),
        },
        at(2, 4, 9),
    );
    // Received: a goodwill case (expired guarantee, opened anyway) with a note.
    let c = open(
        &mut s,
        11,
        at(5, 4, 8),
        None,
        Some("long-standing reseller, approved by Mia"),
    );
    step(&mut s, c.id, receive, at(5, 4, 10));
    s.add_note(
        c.id,
        "Customer says it fell once.\nBattery swollen.",
        "anna",
        at(5, 4, 10),
    )
    .unwrap();
    Shop { dir, path }
}

pub fn press(b: &mut Board, code: KeyCode) {
    b.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub fn ctrl(b: &mut Board, c: char) {
    b.send(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// Type text as a keyboard or scanner does, one key per character.
pub fn type_text(b: &mut Board, text: &str) {
    for c in text.chars() {
        let m = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        b.send(Msg::Key(KeyEvent::new(KeyCode::Char(c), m)));
    }
}

/// A barcode scanner: the number and Enter, as the event loop hands a burst to the board.
pub fn scan(b: &mut Board, text: &str) {
    b.send(Msg::Scan(Scan {
        text: text.into(),
        end: Some(ScanEnd::Enter),
    }));
}

/// A number typed by hand, key by key, and Enter.
pub fn type_number(b: &mut Board, text: &str) {
    type_text(b, text);
    press(b, KeyCode::Enter);
}

/// The whole screen as text.
pub fn screen(b: &mut Board, w: u16, h: u16) -> String {
    b.send(Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| b.draw(f)).unwrap();
    t.backend().to_string()
}

/// A colleague's change from another terminal, on the case as it is now.
pub fn ben_does(shop: &Shop, key: &str, change: Change) -> Case {
    let mut other = shop.store();
    let c = other.find(key).unwrap();
    other
        .apply(
            c.id,
            c.version,
            change,
            "ben",
            now(),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap()
        .case
}

pub fn stage_of(store: &Store, key: &str) -> Stage {
    store.find(key).unwrap().stage
}

pub fn path_label(p: &Path) -> String {
    p.display().to_string()
}

//! Fixtures shared by the store-level and command-line tests. Each test file uses a part.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rmaboard::domain::{Case, Category, Imei, Part, Sale};
use rmaboard::store::{NewCase, Store};
use rusqlite::Connection;

/// A phone sold to a reseller on 10 January 2026 (under guarantee through March 2027).
pub fn phone(imei: &Imei) -> Sale {
    Sale {
        imei: imei.clone(),
        order_number: "SO-1".into(),
        customer_number: "C-1".into(),
        customer_name: Some("Mobile Hub".into()),
        customer_email: None,
        customer_address: None,
        country: Some("NL".into()),
        customer_phone: None,
        model: "CECT P30".into(),
        category: Category::Phone,
        dispatched_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap_or_default(),
    }
}

/// A test device's IMEI (serial 1, 2, ...), check digit right.
pub fn imei(serial: u32) -> String {
    rmaboard::demo::make_imei(35_209_611, serial)
        .as_str()
        .to_string()
}

/// A valid UPU S10 number for a test parcel.
pub fn s10(serial: u32) -> String {
    rmaboard::demo::make_s10("RR", serial, "CN")
}

/// A moment in March 2026, in UTC.
pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

/// Put one phone per customer number given in the sales registry (serials 0, 1, ...);
/// their IMEIs.
pub fn sell_phones(store: &mut Store, customers: &[&str]) -> Vec<Imei> {
    let imeis: Vec<Imei> = (0..customers.len())
        .map(|i| rmaboard::demo::make_imei(35_209_611, i as u32))
        .collect();
    let rows: Vec<_> = imeis
        .iter()
        .zip(customers)
        .enumerate()
        .map(|(i, (imei, customer))| {
            let mut sale = phone(imei);
            sale.customer_number = customer.to_string();
            (i as u64 + 2, Ok(sale))
        })
        .collect();
    let summary = store.import_sales(rows, false, &mut |_| {}).unwrap();
    assert_eq!(summary.imported, customers.len() as u64);
    imeis
}

/// Anna opens a case for `imei` on 1 March 2026 at 10:00 (claimed at 9:00): "no power".
pub fn open_case(store: &mut Store, imei: &Imei) -> Case {
    store
        .open_case(
            NewCase {
                imei: imei.clone(),
                fault: "no power".into(),
                part: Part::Device,
                claimed_at: at(1, 9),
                tracking_in: None,
                override_reason: None,
            },
            "anna",
            at(1, 10),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap()
}

/// Every row of `tables`, as text, each table under its name: to compare before and
/// after a command that must change nothing.
pub fn dump(conn: &Connection, tables: &[&str]) -> String {
    let mut out = String::new();
    for table in tables {
        out.push_str(table);
        out.push('\n');
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                let v: rusqlite::types::Value = row.get(i).unwrap();
                out.push_str(&format!("{v:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// `rmaboard --db <db>` as `user` in UTC, with the config file `config`: the user's own
/// config, the system's and the database from the environment kept out.
pub fn rmaboard(db: &Path, config: &Path, user: &str) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("rmaboard"));
    c.arg("--db")
        .arg(db)
        .env("RMABOARD_CONFIG", config)
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .env("RMABOARD_USER", user)
        .env_remove("RMABOARD_DB")
        .env("TZ", "UTC");
    c
}

/// The stdout of a command (run with `args`) that must have succeeded.
pub fn succeeded(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "{args:?} failed with {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

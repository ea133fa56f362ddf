//! The registry keeps one row per customer beside the sales (migration 0013): each field as
//! the latest sale that has it names it, and every address its sales carry. An import
//! keeps it current from the sales it adds, whatever order the files come in; a refused
//! import leaves it as it was; the migration fills it from the sales already there by the
//! same rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use proptest::prelude::*;
use rmaboard::demo::make_imei;
use rmaboard::domain::{Clocks, Sale};
use rmaboard::store::Store;
use rusqlite::Connection;

/// One customer's row: number and the five fields.
type Row = (String, [Option<String>; 5]);

fn customers(conn: &Connection) -> Vec<Row> {
    let mut stmt = conn
        .prepare(
            "SELECT customer_number, customer_name, customer_email, customer_address, country,
                    customer_phone
             FROM customers ORDER BY customer_number",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn emails(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT email, customer_number FROM customer_emails ORDER BY 1, 2")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// What the rule says the tables hold for these sales, worked out the slow way.
fn expected(sales: &[Sale]) -> (Vec<Row>, Vec<(String, String)>) {
    let mut by_customer: BTreeMap<String, Vec<&Sale>> = BTreeMap::new();
    for s in sales {
        by_customer
            .entry(s.customer_number.clone())
            .or_default()
            .push(s);
    }
    let rows = by_customer
        .into_iter()
        .map(|(number, mut sold)| {
            sold.sort_by_key(|s| (s.dispatched_on, s.imei.clone()));
            let latest = |field: fn(&Sale) -> &Option<String>| {
                sold.iter().rev().find_map(|s| field(s).clone())
            };
            (
                number,
                [
                    latest(|s| &s.customer_name),
                    latest(|s| &s.customer_email),
                    latest(|s| &s.customer_address),
                    latest(|s| &s.country),
                    latest(|s| &s.customer_phone),
                ],
            )
        })
        .collect();
    let mut mails = BTreeSet::new();
    for s in sales {
        if let Some(e) = &s.customer_email {
            // The table's key ignores case: the first spelling imported stays.
            if !mails.iter().any(|(m, n): &(String, String)| {
                m.eq_ignore_ascii_case(e) && *n == s.customer_number
            }) {
                mails.insert((e.clone(), s.customer_number.clone()));
            }
        }
    }
    (rows, mails.into_iter().collect())
}

fn sale(serial: u32, customer: u32, day: u32, fields: [bool; 5]) -> Sale {
    let mut s = common::phone(&make_imei(35_209_700, serial));
    s.customer_number = format!("C-{customer}");
    s.dispatched_on = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(day.into());
    let v = |on: bool, text: String| on.then_some(text);
    s.customer_name = v(
        fields[0],
        format!("Reseller {customer} as of sale {serial}"),
    );
    s.customer_email = v(
        fields[1],
        format!("shop-{customer}-{}@example.com", serial % 3),
    );
    s.customer_address = v(fields[2], format!("Street {serial}, City {customer}"));
    s.country = v(
        fields[3],
        ["NL", "DE", "PL"][serial as usize % 3].to_string(),
    );
    s.customer_phone = v(fields[4], format!("+31 20 {serial:07}"));
    s
}

fn import(store: &mut Store, sales: &[Sale]) -> rmaboard::store::ImportSummary {
    let rows = sales
        .iter()
        .enumerate()
        .map(|(i, s)| (i as u64 + 2, Ok(s.clone())));
    store.import_sales(rows, false, &mut |_| {}).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Files of sales of a few customers, each field sometimes blank, dates in any order,
    /// imported one file after another: the tables are what the rule gives for all of them.
    #[test]
    fn the_customers_follow_every_import_whatever_order_the_sales_come_in(
        sold in prop::collection::vec((0u32..4, 0u32..40, prop::array::uniform5(any::<bool>())), 1..60),
        cuts in prop::collection::vec(0usize..60, 0..4),
    ) {
        let sales: Vec<Sale> = sold
            .iter()
            .enumerate()
            .map(|(i, &(customer, day, fields))| sale(i as u32, customer, day, fields))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(sales.len())).collect();
        cuts.push(0);
        cuts.push(sales.len());
        cuts.sort_unstable();
        for file in cuts.windows(2) {
            import(&mut store, &sales[file[0]..file[1]]);
            let (rows, mails) = expected(&sales[..file[1]]);
            prop_assert_eq!(customers(store.connection()), rows);
            prop_assert_eq!(emails(store.connection()), mails);
        }
    }
}

#[test]
fn a_blank_field_on_a_later_sale_keeps_what_an_earlier_one_gave() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
    let older = sale(1, 7, 10, [true; 5]);
    let newer = sale(2, 7, 20, [true, false, false, true, false]);
    // The newer first, in its own file: the order of the files does not matter.
    import(&mut store, std::slice::from_ref(&newer));
    import(&mut store, std::slice::from_ref(&older));
    let resellers = store.resellers(&Clocks::default(), Utc::now()).unwrap();
    assert_eq!(resellers.len(), 1);
    let r = &resellers[0];
    assert_eq!(r.name, newer.customer_name);
    assert_eq!(r.country, newer.country);
    assert_eq!(r.email, older.customer_email);
    assert_eq!(r.address, older.customer_address);
    assert_eq!(r.phone, older.customer_phone);
    assert!(store.is_customer("C-7").unwrap());
    assert!(!store.is_customer("C-8").unwrap());
}

#[test]
fn a_customer_is_known_by_any_address_its_sales_carry_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
    let mut a = sale(1, 3, 10, [true; 5]);
    a.customer_email = Some("Old.Address@Example.com".into());
    let mut b = sale(2, 3, 20, [true; 5]);
    b.customer_email = Some("new@example.com".into());
    import(&mut store, &[a, b]);
    for from in ["old.address@example.COM", "NEW@example.com"] {
        assert_eq!(
            store.customer_of(&[], Some(from), &[]).unwrap().as_deref(),
            Some("C-3"),
            "{from}"
        );
    }
    assert_eq!(
        store
            .customer_of(&[], Some("someone@else.example"), &[])
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .customer_of(&["c-3".to_string()], None, &[])
            .unwrap()
            .as_deref(),
        Some("C-3")
    );
}

#[test]
fn a_refused_import_leaves_the_customers_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
    import(&mut store, &[sale(1, 1, 10, [true; 5])]);
    let before = (customers(store.connection()), emails(store.connection()));

    // New sales of a new and of a known customer, then a bad row: nothing is written.
    let mut rows: Vec<(u64, Result<Sale, String>)> = vec![
        (2, Ok(sale(2, 1, 30, [true; 5]))),
        (3, Ok(sale(3, 2, 30, [true; 5]))),
    ];
    rows.push((4, Err("imei: the IMEI check digit is wrong".into())));
    let summary = store.import_sales(rows, false, &mut |_| {}).unwrap();
    assert!(!summary.committed);
    assert_eq!(
        (customers(store.connection()), emails(store.connection())),
        before
    );

    // A conflict with the registry refuses the whole file the same way.
    let mut changed = sale(1, 1, 10, [true; 5]);
    changed.model = "CECT P40".into();
    let summary = store
        .import_sales(
            vec![(2, Ok(sale(4, 3, 30, [true; 5]))), (3, Ok(changed))],
            false,
            &mut |_| {},
        )
        .unwrap();
    assert!(!summary.committed);
    assert_eq!(
        (customers(store.connection()), emails(store.connection())),
        before
    );

    // With --skip-invalid the good rows go in, and their customers with them.
    let summary = store
        .import_sales(
            vec![
                (2, Ok(sale(5, 4, 30, [true; 5]))),
                (3, Err("imei: too short".into())),
            ],
            true,
            &mut |_| {},
        )
        .unwrap();
    assert!(summary.committed);
    assert!(store.is_customer("C-4").unwrap());
}

#[test]
fn the_migration_fills_the_customers_from_the_sales_already_there_by_the_same_rule() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let sales: Vec<Sale> = (0..200u32)
        .map(|i| {
            let fields = [i % 2 == 0, i % 3 != 0, i % 5 != 0, i % 7 != 0, i % 4 == 1];
            sale(i, i % 6, (i * 37) % 90, fields)
        })
        .collect();
    {
        let mut store = Store::open(&db).unwrap();
        import(&mut store, &sales);
    }
    let (rows, mails) = expected(&sales);
    {
        // The database as a build before the customers table left it.
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP TABLE customers; DROP TABLE customer_emails;
             CREATE INDEX sales_customer_number ON sales (customer_number);
             CREATE INDEX sales_customer_email ON sales (customer_email COLLATE NOCASE)
                 WHERE customer_email IS NOT NULL;
             PRAGMA user_version = 12;",
        )
        .unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(customers(store.connection()), rows);
    assert_eq!(emails(store.connection()), mails);
    let left: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sales'
               AND sql IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "the per-sale customer indexes are gone");
}

#[test]
fn a_file_is_reported_in_its_own_order_though_its_rows_go_in_by_imei() {
    // The import puts rows in IMEI order before writing them; what it says must not show it.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
    let (high, low) = (make_imei(99_000_100, 7), make_imei(35_209_700, 3));
    let header = "imei,order_number,customer_number,model,category,dispatched_on\n";
    let rows = [
        format!("{high},SO-1,C-1,CECT P30,phone,2026-01-10"),
        format!("{low},SO-2,C-1,CECT P30,phone,not a date"),
        format!("{low},SO-2,C-1,CECT P30,phone,2026-01-11"),
        format!("{high},SO-1,C-1,CECT P40,phone,2026-01-10"),
        "123,SO-3,C-1,CECT P30,phone,2026-01-12".to_string(),
    ];
    let path = dir.path().join("sales.csv");
    std::fs::write(&path, format!("{header}{}\n", rows.join("\n"))).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let summary =
        rmaboard::import::import_file(&mut store, &path, today, true, &mut |_| {}, &mut |_, _| {})
            .unwrap();
    assert_eq!(summary.imported, 2);
    let lines: Vec<u64> = summary.rejected.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 5, 6], "{:?}", summary.rejected);
    // The later line of an IMEI is the one refused, as the file reads.
    assert!(
        summary.rejected[1]
            .message
            .contains("or earlier in this file"),
        "{:?}",
        summary.rejected[1]
    );
    assert_eq!(store.sale(&high).unwrap().unwrap().model, "CECT P30");
}

#[test]
fn an_address_two_customers_share_names_the_one_whose_device_the_mail_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("shop.sqlite")).unwrap();
    let mut first = sale(1, 1, 10, [true; 5]);
    first.customer_email = Some("repairs@group.example".into());
    let mut second = sale(2, 2, 20, [true; 5]);
    second.customer_email = Some("Repairs@Group.example".into());
    let mut other = sale(3, 3, 30, [true; 5]);
    other.customer_email = Some("shop-3@example.com".into());
    import(&mut store, &[first.clone(), second.clone(), other.clone()]);
    let from = Some("repairs@group.example");
    // A device of the second names the second, though the first sorts before it.
    assert_eq!(
        store
            .customer_of(&[], from, std::slice::from_ref(&second.imei))
            .unwrap()
            .as_deref(),
        Some("C-2")
    );
    // Of the devices named, the one bought by a customer of that address counts.
    assert_eq!(
        store
            .customer_of(&[], from, &[other.imei.clone(), first.imei.clone()])
            .unwrap()
            .as_deref(),
        Some("C-1")
    );
    // No device named: the address alone says nothing, and nobody is guessed.
    assert_eq!(store.customer_of(&[], from, &[]).unwrap(), None);
    // An address of one customer still names it.
    assert_eq!(
        store
            .customer_of(&[], Some("SHOP-3@example.com"), &[])
            .unwrap()
            .as_deref(),
        Some("C-3")
    );
}

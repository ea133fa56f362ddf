//! Resellers and parcels from the command line: a reseller's box of devices opened from
//! one file, moved several at a time, and shipped back in one parcel under one S10
//! number. Every command on several cases or rows is all or nothing: a refused one in
//! the middle leaves every case and every counter (RMA numbers, bill numbers, outbox) as
//! it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use chrono::{TimeZone, Utc};
use rmaboard::domain::case::Change;
use rmaboard::domain::{Imei, Part};
use rmaboard::store::{MoveOptions, NewCase, Step, Store, StoreError};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use tempfile::TempDir;

use common::{imei, s10};

const AT: &str = "2025-04-01 09:00";

/// The registry, one sale a line: serial | customer | name | address | country | model |
/// category | dispatched. Smart Gent (C-1) has a second shop in Antwerp (serial 9);
/// serial 10 is out of guarantee and 11 a charger sold on its own.
const REGISTRY: &str = "\
1|C-1|Smart Gent BV|Veldstraat 1, 9000 Gent|BE|CECT P30 Pro|phone|2025-03-10
2|C-1|Smart Gent BV|Veldstraat 1, 9000 Gent|BE|CECT M10 Mini|phone|2025-03-10
3|C-1|Smart Gent BV|Veldstraat 1, 9000 Gent|BE|CECT Pad 10|tablet|2025-03-10
4|C-1|Smart Gent BV|Veldstraat 1, 9000 Gent|BE|CECT P30 Pro|phone|2025-03-10
5|C-1|Smart Gent BV|Veldstraat 1, 9000 Gent|BE|CECT P30 Pro|phone|2025-03-10
6|C-1|Smart Gent BV|Veldstraat 1, 9000 Gent|BE|CECT X5|phone|2025-03-10
7|C-2|张伟 Mobile|Nanjing Rd 5, Shanghai|CN|CECT P30 Pro|phone|2025-03-10
8|C-2|张伟 Mobile|Nanjing Rd 5, Shanghai|CN|CECT M10 Mini|phone|2025-03-10
9|C-1|Smart Gent BV|Kouter 9, 2000 Antwerpen|BE|CECT P30 Pro|phone|2025-03-10
10|C-3|Łukasiewicz GSM|ul. Długa 1, Gdańsk|PL|CECT Note 9|phone|2023-01-10
11|C-3|Łukasiewicz GSM|ul. Długa 1, Gdańsk|PL|CECT 30W Charger|accessory|2025-03-10";

fn registry_csv() -> String {
    let mut s = "imei,order_number,customer_number,customer_name,customer_email,customer_address,country,customer_phone,model,category,dispatched_on\n".to_string();
    for line in REGISTRY.lines() {
        let f: Vec<&str> = line.split('|').collect();
        let serial: u32 = f[0].parse().unwrap();
        s.push_str(&format!(
            "{},SO-{serial},{},{},service@{}.example,\"{}\",{},+32 9 123 45 6{serial},{},{},{}\n",
            imei(serial),
            f[1],
            f[2],
            f[1].to_lowercase(),
            f[3],
            f[4],
            f[5],
            f[6],
            f[7]
        ));
    }
    s
}

struct Shop {
    dir: TempDir,
    db: PathBuf,
}

impl Shop {
    fn stocked() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let shop = Shop { dir, db };
        let sales = shop.file("sales.csv", &registry_csv());
        assert_eq!(
            shop.ok(&["sales", "import", &sales]),
            "imported 11, unchanged 0, rejected 0\n"
        );
        shop
    }

    fn cmd(&self) -> Command {
        Command::from_std(common::rmaboard(
            &self.db,
            &self.dir.path().join("no-config.toml"),
            "tester",
        ))
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    /// A command that must be refused with `code`, print nothing on stdout and leave
    /// everything as it was: cases, history, counters, bills (and their files), outbox.
    /// Its stderr, one sentence a line.
    fn refuse(&self, args: &[&str], code: i32) -> String {
        let before = self.snapshot();
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        assert!(err.lines().all(|l| l.starts_with("rmaboard: ")), "{err}");
        assert_eq!(self.snapshot(), before, "{args:?} changed the shop");
        err
    }

    fn file(&self, name: &str, content: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.into_os_string().into_string().unwrap()
    }

    fn sql(&self) -> Connection {
        Connection::open_with_flags(&self.db, OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap()
    }

    /// Everything a refused command must leave alone, as text.
    fn snapshot(&self) -> String {
        let mut out = common::dump(
            &self.sql(),
            &[
                "rma_counters",
                "cases",
                "notes",
                "events",
                "bills",
                "bill_items",
                "outbox",
                "message_cases",
                "sqlite_sequence",
            ],
        );
        out.push_str(&format!("bill files {:?}\n", self.bill_files()));
        out
    }

    fn bill_files(&self) -> BTreeSet<String> {
        std::fs::read_dir(self.dir.path().join("bills"))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn count(&self, sql: &str) -> i64 {
        self.sql().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn stage(&self, rma: &str) -> String {
        let v: Value = serde_json::from_str(&self.ok(&["show", rma, "--json"])).unwrap();
        v["stage"].as_str().unwrap().to_string()
    }

    /// Open one case per serial from one request file; the RMA numbers in order.
    fn batch(&self, serials: &[u32]) -> Vec<String> {
        let mut csv = "imei,fault\n".to_string();
        for s in serials {
            csv.push_str(&format!("{},No sound\n", imei(*s)));
        }
        let f = self.file("batch.csv", &csv);
        let out = self.ok(&["--at", AT, "open", "--batch", &f]);
        out.lines().map(str::to_string).collect()
    }

    /// A case per serial, moved together to `stage` along the usual path.
    fn cases_in(&self, serials: &[u32], stage: &str) -> Vec<String> {
        let rmas = self.batch(serials);
        let steps: &[&[&str]] = &[
            &["--at", "2025-04-02", "receive"],
            &["--at", "2025-04-03", "send", "--manufacturer-ref", "MF-1"],
            &["--at", "2025-04-10", "inspect", "--pass"],
        ];
        let stages = ["expected", "received", "at_manufacturer", "inspected"];
        let n = stages.iter().position(|s| *s == stage).unwrap();
        for step in &steps[..n] {
            let mut args: Vec<&str> = step.to_vec();
            for rma in &rmas {
                args.insert(3, rma);
            }
            self.ok(&args);
        }
        rmas
    }
}

// ---------------------------------------------------------------------------------------
// Resellers

#[test]
fn resellers_are_listed_with_their_open_late_and_shipped_cases() {
    let shop = Shop::stocked();
    let shipped = shop.cases_in(&[1, 2], "inspected");
    let mut args = vec!["--at", "2025-04-11", "ship"];
    args.extend(shipped.iter().map(String::as_str));
    let tracking = s10(1);
    args.extend(["--tracking", &tracking]);
    shop.ok(&args);
    shop.cases_in(&[3], "received");
    shop.batch(&[7]);
    // On 2025-04-20 the received case is late (2 days), the expected one is not (21).
    let json: Value =
        serde_json::from_str(&shop.ok(&["--at", "2025-04-20", "resellers", "--json"])).unwrap();
    let all = json.as_array().unwrap();
    let keys: BTreeSet<&str> = all[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "customer_number",
            "name",
            "country",
            "open",
            "late",
            "shipped_30d"
        ])
    );
    let by = |n: &str| {
        all.iter()
            .find(|r| r["customer_number"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by("C-1")["name"], "Smart Gent BV");
    assert_eq!(by("C-1")["country"], "BE");
    assert_eq!(
        (
            by("C-1")["open"].as_u64(),
            by("C-1")["late"].as_u64(),
            by("C-1")["shipped_30d"].as_u64()
        ),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(by("C-2")["name"], "张伟 Mobile");
    assert_eq!(
        (by("C-2")["open"].as_u64(), by("C-2")["late"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(by("C-3")["open"].as_u64(), Some(0));
    // Shipments older than 30 days no longer count.
    let later: Value =
        serde_json::from_str(&shop.ok(&["--at", "2025-05-20", "resellers", "--json"])).unwrap();
    let c1 = later
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["customer_number"] == "C-1")
        .unwrap()
        .clone();
    assert_eq!(c1["shipped_30d"].as_u64(), Some(0));

    let table = shop.ok(&["--at", "2025-04-20", "resellers"]);
    let mut lines = table.lines();
    assert!(
        lines.next().unwrap().starts_with("CUSTOMER  NAME"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("C-1 ") && l.contains("Smart Gent BV")),
        "{table}"
    );
    // The phone column of the sales CSV is kept with each sale.
    let phone: String = shop
        .sql()
        .query_row(
            "SELECT customer_phone FROM sales WHERE imei = ?1",
            [imei(3)],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(phone, "+32 9 123 45 63");
}

#[test]
fn list_and_export_take_a_customer_number() {
    let shop = Shop::stocked();
    let gent = shop.batch(&[1, 2]);
    let shanghai = shop.batch(&[7]);
    let listed = shop.ok(&["list", "--customer", "C-1"]);
    let rmas: Vec<&str> = listed.lines().map(|l| &l[..14]).collect();
    assert_eq!(rmas, gent.iter().map(String::as_str).collect::<Vec<_>>());
    let json: Value =
        serde_json::from_str(&shop.ok(&["list", "--customer", "C-2", "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["rma"], shanghai[0].as_str());

    let csv = shop.ok(&["export", "--customer", "C-1"]);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains(&gent[1]) && !csv.contains(&shanghai[0]),
        "{csv}"
    );
    let json: Value =
        serde_json::from_str(&shop.ok(&["export", "--format", "json", "--customer", "C-2"]))
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);

    let err = shop.refuse(&["list", "--customer", "C-99"], 1);
    assert!(err.contains("no customer number C-99"), "{err}");
    shop.refuse(&["export", "--customer", "C-99"], 1);
}

// ---------------------------------------------------------------------------------------
// Bulk RMA requests

#[test]
fn a_batch_opens_one_case_per_line_and_one_message_per_reseller() {
    let shop = Shop::stocked();
    let f = shop.file(
        "box.csv",
        &format!(
            "imei,fault,part,claimed_at,tracking_in\n\
             {},No sound,,,RR123456785CN\n\
             {},Cracked screen,device,2025-03-30,RR123456785CN\n\
             {},Battery swells,device,,\n\
             {},Dead,,,\n",
            imei(1),
            imei(7),
            imei(2),
            imei(3)
        ),
    );
    let out = shop.ok(&["--at", AT, "open", "--batch", &f]);
    let rmas: Vec<&str> = out.lines().collect();
    assert_eq!(
        rmas,
        [
            "RMA-2025-00001",
            "RMA-2025-00002",
            "RMA-2025-00003",
            "RMA-2025-00004"
        ]
    );
    let second: Value = serde_json::from_str(&shop.ok(&["show", rmas[1], "--json"])).unwrap();
    assert_eq!(second["customer_number"], "C-2");
    assert_eq!(second["claimed_at"], "2025-03-30T00:00:00Z");
    assert_eq!(second["tracking_in"], "RR123456785CN");
    let third: Value = serde_json::from_str(&shop.ok(&["show", rmas[2], "--json"])).unwrap();
    assert_eq!(third["part"], "device");

    // One RMA-instructions message per reseller: C-1's lists its three devices.
    assert_eq!(shop.count("SELECT count(*) FROM outbox"), 2);
    let list = shop.ok(&["outbox", "list"]);
    assert!(
        list.contains("RMA-2025-00001") && list.contains("(+2 more)"),
        "{list}"
    );
    let gent = shop.ok(&["outbox", "show", "1"]);
    for (rma, serial, model) in [
        (rmas[0], 1, "CECT P30 Pro"),
        (rmas[2], 2, "CECT M10 Mini"),
        (rmas[3], 3, "CECT Pad 10"),
    ] {
        let line = gent
            .lines()
            .find(|l| l.trim_start().starts_with(rma))
            .unwrap_or_else(|| panic!("{rma} missing: {gent}"));
        assert!(
            line.contains(model) && line.contains(&imei(serial)),
            "{line}"
        );
    }
    assert!(!gent.contains(rmas[1]), "{gent}");
    assert!(gent.contains("To: service@c-1.example"), "{gent}");
    let shanghai = shop.ok(&["outbox", "show", "2"]);
    assert!(
        shanghai.contains("Dear 张伟 Mobile") && shanghai.contains(rmas[1]),
        "{shanghai}"
    );
    assert_eq!(
        shop.count("SELECT count(*) FROM message_cases WHERE message_id = 1"),
        3
    );

    // --json: an array of case objects in file order.
    let f = shop.file(
        "more.csv",
        &format!("imei,fault\n{},x\n{},y\n", imei(4), imei(8)),
    );
    let json: Value =
        serde_json::from_str(&shop.ok(&["--at", AT, "open", "--batch", &f, "--json"])).unwrap();
    let arr = json.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["rma"], "RMA-2025-00005");
    assert_eq!(arr[1]["imei"], imei(8).as_str());
    assert_eq!(arr[0]["events"].as_array().unwrap().len(), 2);
}

#[test]
fn a_batch_with_a_bad_line_opens_nothing_and_names_every_bad_line() {
    let shop = Shop::stocked();
    let busy = shop.batch(&[5]);
    let unknown = rmaboard::demo::make_imei(35_209_699, 1).to_string();
    let f = shop.file(
        "box.csv",
        &format!(
            "imei,fault,part\n\
             {},No sound,\n\
             {},Broken,\n\
             {},Dead,\n\
             {},Charger hot,device\n\
             {},Twice,\n\
             {unknown},Unknown,\n\
             {},,\n\
             123,Bad IMEI,\n\
             {},App crashes,software\n\
             {},Fine,\n",
            imei(1),
            imei(10),
            imei(5),
            imei(11),
            imei(1),
            imei(2),
            imei(3),
            imei(4),
        ),
    );
    let err = shop.refuse(&["--at", AT, "open", "--batch", &f], 1);
    let bad: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("rmaboard: line "))
        .collect();
    let lines: Vec<u32> = bad
        .iter()
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9, 10], "{err}");
    assert!(bad[0].contains("expired"), "{}", bad[0]);
    assert!(bad[1].contains(&busy[0]), "{}", bad[1]);
    assert!(
        bad[2].contains("not_covered") || bad[2].contains("not covered"),
        "{}",
        bad[2]
    );
    assert!(bad[3].contains("on line 2 too"), "{}", bad[3]);
    assert!(
        bad[4].contains("not sold by us") || bad[4].contains("not in the sales registry"),
        "{}",
        bad[4]
    );
    assert!(bad[5].starts_with("8: fault: "), "{}", bad[5]);
    assert!(bad[6].starts_with("9: imei: "), "{}", bad[6]);
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("8 bad rows, so nothing was opened"),
        "{err}"
    );
    // Nothing was opened: the RMA numbers continue where they were.
    assert_eq!(shop.batch(&[1]), ["RMA-2025-00002"]);
}

#[test]
fn a_request_file_of_another_shape_is_refused_whole() {
    let shop = Shop::stocked();
    let f = shop.file("box.csv", "imei;fault\n1;2\n");
    let err = shop.refuse(&["open", "--batch", &f], 1);
    assert!(err.contains("separated by `;`"), "{err}");
    let f = shop.file("box.csv", "imei,model\n");
    let err = shop.refuse(&["open", "--batch", &f], 1);
    assert!(err.contains("lacks the column fault"), "{err}");
    let f = shop.file("box.csv", "imei,fault\n");
    let err = shop.refuse(&["open", "--batch", &f], 1);
    assert!(err.contains("no requests"), "{err}");
    let out = shop.run(&["open", "--batch", &f, "--imei", &imei(1)]);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------------
// Several keys per move

/// Each multi-key command with a refused case in the middle: nothing changes, and the
/// refused case is named in a sentence of its own.
#[test]
fn every_multi_key_command_is_all_or_nothing() {
    let shop = Shop::stocked();
    // Three cases per command; the middle one is in the wrong stage for it.
    let expected = shop.cases_in(&[1], "expected");
    let received = shop.cases_in(&[2], "received");
    let at_mf = shop.cases_in(&[3], "at_manufacturer");
    let inspected = shop.cases_in(&[4, 5], "inspected");
    let (e, r, m, i, j) = (
        &expected[0],
        &received[0],
        &at_mf[0],
        &inspected[0],
        &inspected[1],
    );
    let tracking = s10(4);
    let commands: Vec<(Vec<&str>, &str)> = vec![
        (vec!["receive", e, r, e], "both name"),
        (vec!["receive", e, m], m),
        (
            vec!["send", r, e, r, "--manufacturer-ref", "MF-2"],
            "both name",
        ),
        (vec!["send", r, m, "--manufacturer-ref", "MF-2"], m),
        (vec!["inspect", m, e, "--pass"], e),
        (vec!["inspect", "--fail", "--note", "still dead", m, e], e),
        (
            vec!["void", r, e, m, "--reason", "water_damage", "--note", "wet"],
            e,
        ),
        (vec!["ship", i, m, j, "--tracking", &tracking], m),
        (vec!["move", i, e, j, "--to", "at_manufacturer"], e),
    ];
    for (args, named) in commands {
        let mut full = vec!["--at", "2025-04-12"];
        full.extend(&args);
        let err = shop.refuse(&full, 1);
        let lines: Vec<&str> = err.lines().collect();
        assert!(lines.len() >= 2, "{args:?}: {err}");
        assert!(
            lines[..lines.len() - 1].iter().any(|l| l.contains(named)),
            "{args:?} should name {named}: {err}"
        );
        assert!(lines.last().unwrap().contains("nothing was saved"), "{err}");
    }
    // A key that names no case is its own sentence, with the others still untouched.
    let err = shop.refuse(&["receive", e, "RMA-2025-00999", "--at", "2025-04-12"], 1);
    assert!(err.contains("RMA-2025-00999"), "{err}");
    assert_eq!(shop.stage(e), "expected");
    // Without the refused case, the same commands go through, each case named.
    let out = shop.ok(&["--at", "2025-04-12", "inspect", m, "--pass"]);
    assert_eq!(out, format!("{m}: at_manufacturer -> inspected\n"));
    let out = shop.ok(&[
        "--at",
        "2025-04-12",
        "send",
        r,
        "--manufacturer-ref",
        "MF-2",
    ]);
    assert!(
        out.contains("round 1") || out.contains("-> at_manufacturer"),
        "{out}"
    );
}

/// Two changes at once: one is refused because a colleague moved its case between the
/// read and the write; nothing of the other is saved, and exit code 3 says why.
#[test]
fn a_case_changed_meanwhile_refuses_the_whole_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let devices: Vec<Imei> = (1..=3)
        .map(|i| rmaboard::demo::make_imei(35_209_611, i))
        .collect();
    let rows: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| (i as u64 + 2, Ok(common::phone(d))))
        .collect();
    store.import_sales(rows, false, &mut |_| {}).unwrap();
    let t = |h: u32| Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap();
    let settings = rmaboard::paperwork::Settings::default();
    let opened = store
        .open_batch(
            devices
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    (
                        i as u64 + 2,
                        Ok(NewCase {
                            imei: d.clone(),
                            fault: "no power".into(),
                            part: Part::Device,
                            claimed_at: t(8),
                            tracking_in: None,
                            override_reason: None,
                        }),
                    )
                })
                .collect(),
            "anna",
            t(9),
            &settings,
        )
        .unwrap();
    assert!(opened.rejected.is_empty());
    let seen = opened.opened;
    // Ben moves the middle case meanwhile.
    let mut ben = Store::open(&dir.path().join("s.sqlite")).unwrap();
    ben.apply(
        seen[1].id,
        seen[1].version,
        Change::Receive { tracking_in: None },
        "ben",
        t(10),
        &settings,
    )
    .unwrap();
    let steps = seen
        .iter()
        .map(|c| Step {
            id: c.id,
            version: c.version,
            change: Change::Receive { tracking_in: None },
        })
        .collect();
    let e = store
        .apply_many(steps, MoveOptions::default(), "anna", t(11), &settings)
        .unwrap_err();
    let StoreError::Several { refused, total } = &e else {
        panic!("{e:?}");
    };
    assert_eq!((refused.len(), *total), (1, 3));
    assert!(e.is_conflict(), "{e}");
    assert!(refused[0].to_string().contains("was changed by ben"), "{e}");
    for c in [&seen[0], &seen[2]] {
        let now = store.case_by_id(c.id).unwrap();
        assert_eq!((now.stage, now.version), (c.stage, c.version));
    }
}

// ---------------------------------------------------------------------------------------
// Outbound parcels

#[test]
fn a_parcel_ships_several_cases_with_one_notice_and_one_tracking_number() {
    let shop = Shop::stocked();
    let rmas = shop.cases_in(&[1, 2, 3], "inspected");
    let tracking = s10(11);
    let mut args = vec!["--at", "2025-04-11", "ship"];
    args.extend(rmas.iter().map(String::as_str));
    args.extend(["--tracking", &tracking]);
    let out = shop.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    for rma in &rmas {
        assert!(
            stdout.contains(&format!("{rma}: inspected -> shipped")),
            "{stdout}"
        );
    }
    // One bill, numbered once, listing every device of the parcel with its S10 number.
    let items: Vec<(i64, String, String)> = {
        let conn = shop.sql();
        let mut stmt = conn
            .prepare(
                "SELECT b.number, i.rma, b.tracking_out FROM bills b
                 JOIN bill_items i ON i.bill_number = b.number ORDER BY i.line",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(shop.count("SELECT count(*) FROM bills"), 1);
    assert_eq!(
        items.iter().map(|i| i.1.as_str()).collect::<Vec<_>>(),
        rmas.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        items.iter().all(|i| i.0 == 1 && i.2 == tracking),
        "{items:?}"
    );
    assert_eq!(shop.bill_files().len(), 1, "{:?}", shop.bill_files());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.matches("bill B-000001 written").count(),
        1,
        "{stderr}"
    );
    for rma in &rmas {
        let text = shop.ok(&["bill", rma]);
        assert!(rmas.iter().all(|r| text.contains(r.as_str())), "{text}");
    }
    // One shipping notice for the parcel, naming every RMA number and the one S10.
    let notices = shop.count("SELECT count(*) FROM outbox WHERE kind = 'shipping_notice'");
    assert_eq!(notices, 1);
    let id: i64 = shop
        .sql()
        .query_row(
            "SELECT id FROM outbox WHERE kind = 'shipping_notice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let notice = shop.ok(&["outbox", "show", &id.to_string()]);
    for rma in &rmas {
        assert!(notice.contains(rma.as_str()), "{notice}");
    }
    assert_eq!(notice.matches(&tracking).count(), 2, "{notice}");
    assert!(notice.contains("3 devices"), "{notice}");
    assert_eq!(notice.matches("B-000001").count(), 1, "{notice}");
    assert_eq!(
        shop.count(&format!(
            "SELECT count(*) FROM message_cases WHERE message_id = {id}"
        )),
        3
    );
}

#[test]
fn a_parcel_goes_to_one_customer_at_one_address() {
    let shop = Shop::stocked();
    let gent = shop.cases_in(&[1], "inspected");
    let shanghai = shop.cases_in(&[7], "inspected");
    let antwerp = shop.cases_in(&[9], "inspected");
    let tracking = s10(12);
    let err = shop.refuse(
        &[
            "ship",
            &gent[0],
            &shanghai[0],
            "--tracking",
            &tracking,
            "--at",
            "2025-04-11",
        ],
        1,
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("a parcel goes to one customer"), "{err}");
    assert!(err.contains(&format!("{} for C-1", gent[0])), "{err}");
    let err = shop.refuse(
        &[
            "ship",
            &gent[0],
            &antwerp[0],
            "--tracking",
            &tracking,
            "--at",
            "2025-04-11",
        ],
        1,
    );
    assert!(err.contains("different addresses"), "{err}");
    assert!(err.contains("Kouter 9"), "{err}");
}

#[test]
fn an_s10_number_of_an_earlier_parcel_is_refused_unless_reused_on_purpose() {
    let shop = Shop::stocked();
    let first = shop.cases_in(&[1, 2], "inspected");
    let more = shop.cases_in(&[4], "inspected");
    let other = shop.cases_in(&[7], "inspected");
    let tracking = s10(21);
    shop.ok(&[
        "--at",
        "2025-04-11",
        "ship",
        &first[0],
        &first[1],
        "--tracking",
        &tracking,
    ]);
    let bills_before = shop.count("SELECT count(*) FROM bills");

    let err = shop.refuse(
        &[
            "--at",
            "2025-04-12",
            "ship",
            &more[0],
            "--tracking",
            &tracking,
        ],
        1,
    );
    assert!(err.contains("already used for an earlier parcel"), "{err}");
    assert!(
        err.contains(&first[0]) && err.contains("--reuse-tracking"),
        "{err}"
    );
    // Reusing it for another customer's device would mix two customers in one parcel.
    let err = shop.refuse(
        &[
            "--at",
            "2025-04-12",
            "ship",
            &other[0],
            "--tracking",
            &tracking,
            "--reuse-tracking",
        ],
        1,
    );
    assert!(err.contains("a parcel goes to one customer"), "{err}");

    // Undo the parcel (its two cases, as they were shipped) and ship it again: it keeps
    // its bill, and the customer is not told twice.
    shop.ok(&["--at", "2025-04-12", "undo", &first[1]]);
    assert_eq!(shop.stage(&first[0]), "inspected");
    assert_eq!(shop.stage(&first[1]), "inspected");
    let out = shop.run(&[
        "--at",
        "2025-04-12",
        "ship",
        &first[1],
        &first[0],
        "--tracking",
        &tracking,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(shop.count("SELECT count(*) FROM bills"), bills_before);
    assert_eq!(
        shop.count("SELECT count(*) FROM outbox WHERE kind = 'shipping_notice'"),
        1
    );

    // The same parcel opened again on purpose: the new device joins it with a bill of
    // its own and a notice.
    shop.ok(&[
        "--at",
        "2025-04-12",
        "ship",
        &more[0],
        "--tracking",
        &tracking,
        "--reuse-tracking",
    ]);
    assert_eq!(shop.count("SELECT count(*) FROM bills"), bills_before + 1);
    assert_eq!(shop.stage(&more[0]), "shipped");
}

/// Two processes shipping parcels at the same moment: one bill per parcel listing all of
/// its devices, every bill number used once, with no gap.
#[test]
fn bill_numbers_stay_unique_and_gapless_under_concurrent_parcels() {
    const PARCELS: u32 = 5;
    const PER_PARCEL: u32 = 3;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let settings = rmaboard::paperwork::Settings::default();
    let t = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap();
    let mut store = Store::open(&db).unwrap();
    // Two resellers, each with PARCELS parcels of PER_PARCEL inspected devices.
    let mut parcels: Vec<Vec<Vec<String>>> = vec![Vec::new(), Vec::new()];
    let mut serial = 0;
    for (who, reseller) in parcels.iter_mut().enumerate() {
        for _ in 0..PARCELS {
            let mut parcel = Vec::new();
            for _ in 0..PER_PARCEL {
                serial += 1;
                let device = rmaboard::demo::make_imei(35_209_611, serial);
                let mut sale = common::phone(&device);
                sale.customer_number = format!("C-{who}");
                store
                    .import_sales([(2, Ok(sale))], false, &mut |_| {})
                    .unwrap();
                let mut c = store
                    .open_case(
                        NewCase {
                            imei: device,
                            fault: "no power".into(),
                            part: Part::Device,
                            claimed_at: t(1),
                            tracking_in: None,
                            override_reason: None,
                        },
                        "setup",
                        t(2),
                        &settings,
                    )
                    .unwrap();
                for change in [
                    Change::Receive { tracking_in: None },
                    Change::InspectPass {
                        in_house: true,
                        note: None,
                    },
                ] {
                    c = store
                        .apply(c.id, c.version, change, "setup", t(3), &settings)
                        .unwrap()
                        .case;
                }
                parcel.push(c.rma.to_string());
            }
            reseller.push(parcel);
        }
    }
    drop(store);
    let bin = assert_cmd::cargo::cargo_bin("rmaboard");
    let run = |who: usize, parcels: Vec<Vec<String>>, db: PathBuf, home: PathBuf| {
        let bin = bin.clone();
        std::thread::spawn(move || {
            for (n, parcel) in parcels.iter().enumerate() {
                let tracking = rmaboard::demo::make_s10("RR", (who * 100 + n + 1) as u32, "CN");
                let out = std::process::Command::new(&bin)
                    .arg("--db")
                    .arg(&db)
                    .args(["--at", "2026-03-04", "ship"])
                    .args(parcel)
                    .args(["--tracking", &tracking])
                    .env("RMABOARD_CONFIG", home.join("no-config.toml"))
                    .env(
                        "RMABOARD_SYSTEM_CONFIG",
                        "/nonexistent/rmaboard/config.toml",
                    )
                    .env("RMABOARD_USER", format!("worker{who}"))
                    .env_remove("RMABOARD_DB")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let workers: Vec<_> = parcels
        .iter()
        .enumerate()
        .map(|(who, p)| run(who, p.clone(), db.clone(), dir.path().to_path_buf()))
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let conn = Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT b.number, b.tracking_out, count(i.line) FROM bills b
             JOIN bill_items i ON i.bill_number = b.number GROUP BY b.number ORDER BY b.number",
        )
        .unwrap();
    let bills: Vec<(i64, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // One bill per parcel, numbered once, gapless, each listing all of its devices.
    let total = i64::from(2 * PARCELS);
    assert_eq!(
        bills.iter().map(|b| b.0).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>()
    );
    assert!(
        bills.iter().all(|b| b.2 == i64::from(PER_PARCEL)),
        "{bills:?}"
    );
    let parcels_shipped: BTreeSet<&str> = bills.iter().map(|b| b.1.as_str()).collect();
    assert_eq!(parcels_shipped.len() as i64, total, "{bills:?}");
    let notices: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE kind = 'shipping_notice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(notices, i64::from(2 * PARCELS));
}

/// `undo` of a case shipped in a parcel takes the whole parcel back, as it was shipped:
/// one transaction. Its one bill stands, as for a parcel of one: shipped again under the
/// same S10 number, the parcel gets no second bill and the customer no second notice. A
/// colleague's move of one of its cases since refuses the undo, naming that case, and
/// changes nothing.
#[test]
fn undo_takes_a_whole_parcel_back_and_its_bill_stands() {
    let shop = Shop::stocked();
    let rmas = shop.cases_in(&[1, 2, 3], "inspected");
    let tracking = s10(31);
    let ship = |at: &'static str| {
        let mut args = vec!["--at", at, "ship"];
        args.extend(rmas.iter().map(String::as_str));
        args.extend(["--tracking", &tracking]);
        shop.ok(&args);
    };
    ship("2025-04-12 09:00");
    let bills = shop.count("SELECT count(*) FROM bills");
    let notices = shop.count("SELECT count(*) FROM outbox");
    assert_eq!(bills, 1);

    let out = shop.ok(&["--at", "2025-04-12 10:00", "undo", &rmas[1]]);
    let every: String = rmas
        .iter()
        .map(|r| format!("{r}: shipped -> inspected\n"))
        .collect();
    assert_eq!(out, every);
    for rma in &rmas {
        assert_eq!(shop.stage(rma), "inspected");
        // As before the ship: no outbound number.
        let c: Value = serde_json::from_str(&shop.ok(&["show", rma, "--json"])).unwrap();
        assert_eq!(c["tracking_out"], Value::Null, "{rma}");
    }
    assert_eq!(shop.count("SELECT count(*) FROM bills"), bills);

    ship("2025-04-12 11:00");
    assert_eq!(shop.count("SELECT count(*) FROM bills"), bills);
    assert_eq!(shop.count("SELECT count(*) FROM outbox"), notices);

    // A colleague takes one case of the parcel back meanwhile.
    let out = shop
        .cmd()
        .env("RMABOARD_USER", "ben")
        .args([
            "--at",
            "2025-04-12 12:00",
            "move",
            &rmas[2],
            "--to",
            "inspected",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = shop.refuse(&["--at", "2025-04-12 13:00", "undo", &rmas[0]], 1);
    assert!(
        err.contains(&format!("but {} was changed since: ben", rmas[2])),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(shop.stage(&rmas[0]), "shipped");
}

/// The mail to a reseller is addressed to its name as well as its address; a name in
/// Chinese or Polish arrives whole (RFC 2047), as a mail program reads it.
#[test]
fn the_mails_to_a_reseller_carry_its_name() {
    let shop = Shop::stocked();
    shop.batch(&[7]);
    // Serial 10 (Łukasiewicz GSM) is out of guarantee: open it as goodwill.
    shop.ok(&[
        "--at",
        AT,
        "open",
        "--imei",
        &imei(10),
        "--fault",
        "No sound",
        "--override",
        "loyal customer",
    ]);
    let dir = shop.dir.path().join("sent");
    let config = shop.file("mail.toml", "[mail]\nfrom = \"service@shop.example\"\n");
    let out = shop
        .cmd()
        .env("RMABOARD_CONFIG", &config)
        .args(["outbox", "send", "--eml", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut to: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        let header = String::from_utf8_lossy(&raw).to_string();
        let to_line = header
            .lines()
            .find(|l| l.starts_with("To:"))
            .unwrap()
            .to_string();
        assert!(to_line.is_ascii(), "{to_line}");
        let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let first = msg.to().unwrap().first().unwrap();
        to.push((
            first.name().unwrap_or_default().to_string(),
            first.address().unwrap_or_default().to_string(),
        ));
    }
    to.sort();
    assert_eq!(
        to,
        [
            (
                "Łukasiewicz GSM".to_string(),
                "service@c-3.example".to_string()
            ),
            ("张伟 Mobile".to_string(), "service@c-2.example".to_string()),
        ]
    );
}

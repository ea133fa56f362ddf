//! Intake as the shop runs it: customers' mail (built here with a MIME library, as mail
//! programs write it) imported from .eml files and a Maildir, the requests' 48-hour clock,
//! the answers drafted into the outbox, the customers' tracking confirmations and the
//! photos kept beside the database. Each test runs `rmaboard` as a process on its own
//! database with a fixed clock (`--at`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{DateTime, TimeZone, Utc};
use mail_builder::MessageBuilder;
use serde_json::Value;
use tempfile::TempDir;

use common::imei;

/// An IMEI as people write it: `35 209611 000001 7`.
fn grouped(imei: &str, sep: &str) -> String {
    format!(
        "{}{sep}{}{sep}{}{sep}{}",
        &imei[..2],
        &imei[2..8],
        &imei[8..14],
        &imei[14..]
    )
}

/// When the customers' mails in these tests were sent.
fn received() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 9, 30, 0).unwrap()
}

/// The same instant as `--at` takes it (the tests run in UTC).
fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

const SUPPORT: &str = "support@cect-shop.example";

struct Shop {
    dir: TempDir,
    db: PathBuf,
}

impl Shop {
    /// A shop with four devices sold to three resellers (all under guarantee in May 2026)
    /// and a config with the shop's address.
    fn new(extra_config: &str) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let shop = Shop { dir, db };
        std::fs::write(
            shop.path("config.toml"),
            format!(
                "[shop]\nname = \"CECT-SHOP\"\naddress = [\"Unit 5, 12 Example Road\", \"518000 Shenzhen\"]\n\
                 email = \"{SUPPORT}\"\n{extra_config}"
            ),
        )
        .unwrap();
        std::fs::write(
            shop.path("sales.csv"),
            format!(
                "imei,order_number,customer_number,model,category,dispatched_on,customer_name,customer_email\n\
                 {},SO-1,C-1,CECT P30 Pro,phone,2025-12-01,Mobile Hub,service@hub.example\n\
                 {},SO-2,C-2,CECT M10 Mini,phone,2025-12-01,Handy Shop,info@handy.example\n\
                 {},SO-3,C-1,CECT Pad 10,tablet,2025-12-01,Mobile Hub,service@hub.example\n\
                 {},SO-4,C-3,CECT P30 Pro,phone,2025-12-01,Phone Corner,corner@phones.example\n",
                imei(1),
                imei(2),
                imei(3),
                imei(4)
            ),
        )
        .unwrap();
        let sales = shop.path("sales.csv");
        shop.ok(&["sales", "import", sales.to_str().unwrap()]);
        shop
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        common::rmaboard(&self.db, &self.path("config.toml"), "tester")
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    /// A command that must fail with one sentence and change nothing in the tables named.
    fn refuse(&self, args: &[&str]) -> String {
        let before = self.counts();
        let out = self.run(args);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(self.counts(), before, "{args:?} changed the database");
        err
    }

    fn counts(&self) -> Vec<i64> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        [
            "requests",
            "cases",
            "outbox",
            "notes",
            "attachments",
            "confirmations",
        ]
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        })
        .collect()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Write a mail into the test folder (creating folders); its path.
    fn mail(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Import mail at `when`: stdout and stderr.
    fn import(&self, when: DateTime<Utc>, paths: &[&Path]) -> (String, String) {
        let mut args = vec![
            "--at".to_string(),
            at(when),
            "inbox".into(),
            "import".into(),
        ];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }
}

/// A customer's mail as a mail program writes it.
fn message(from: (&str, &str), subject: &str, id: &str) -> MessageBuilder<'static> {
    MessageBuilder::new()
        .from((from.0.to_string(), from.1.to_string()))
        .to(SUPPORT)
        .subject(subject.to_string())
        .date(received().timestamp())
        .message_id(id.to_string())
}

fn bytes(m: MessageBuilder<'_>) -> Vec<u8> {
    m.write_to_vec().unwrap()
}

/// Small but real image headers: what matters is that the bytes come back unchanged.
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01 a photo of a cracked display";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR a screenshot";

fn requests(shop: &Shop, when: DateTime<Utc>, open: bool) -> Vec<Value> {
    let when = at(when);
    let mut args = vec!["--at", &when, "requests", "--json"];
    if open {
        args.push("--open");
    }
    shop.json(&args).as_array().unwrap().clone()
}

fn by_subject<'a>(list: &'a [Value], subject: &str) -> &'a Value {
    list.iter()
        .find(|r| r["subject"] == subject)
        .unwrap_or_else(|| panic!("no request {subject:?} in {list:#?}"))
}

#[test]
fn a_folder_of_real_mails_imports_once_and_a_broken_one_is_named() {
    let shop = Shop::new("");
    let later = received() + chrono::Duration::hours(1);
    // Plain text: the customer number in the text, one IMEI in groups.
    shop.mail(
        "mail/plain.eml",
        &bytes(
            message(
                ("Handy Shop", "info@handy.example"),
                "defective device",
                "plain@handy.example",
            )
            .text_body(format!(
                "Hello,\r\nour customer number is C-2.\r\nThe phone {} does not charge.\r\n",
                grouped(&imei(2), " ")
            )),
        ),
    );
    // HTML only: the text comes from the HTML; no customer number, the device names it.
    shop.mail(
        "mail/html.eml",
        &bytes(
            message(("", "someone@elsewhere.example"), "Broken phone", "html@elsewhere.example")
                .html_body(format!(
                    "<html><body><p>Dear shop,</p><p>the device <b>{}</b> does not start.</p></body></html>",
                    imei(4)
                )),
        ),
    );
    // A reseller in a Maildir: non-ASCII subject and file names (encoded words), three
    // devices in dashed groups, one with a wrong check digit, a JPEG and a PNG.
    let bad = format!(
        "{}{}",
        &imei(3)[..14],
        (imei(3).as_bytes()[14] - b'0' + 1) % 10
    );
    shop.mail(
        "Maildir/cur/1714815000.1.host:2,S",
        &bytes(
            message(
                ("Mobile Hub – Jürgen", "Service@Hub.example"),
                "Display gebrochen – Gerät defekt",
                "reseller@hub.example",
            )
            .text_body(format!(
                "Devices:\r\n{}\r\n{}\r\n{}\r\nPhotos attached.\r\n",
                grouped(&imei(1), "-"),
                grouped(&imei(3), "-"),
                grouped(&bad, "-")
            ))
            .attachment("image/jpeg", "Foto Rückseite.jpg", JPEG)
            .attachment("image/png", "screenshot.png", PNG),
        ),
    );
    std::fs::create_dir_all(shop.path("Maildir/tmp")).unwrap();
    // Not a mail at all.
    shop.mail("mail/broken.eml", b"\x00\x01\x02\x03 this is no mail\n");

    let (out, err) = shop.import(later, &[&shop.path("mail"), &shop.path("Maildir")]);
    assert!(
        out.ends_with("3 new requests, 0 confirmations, 0 duplicates, 1 unreadable\n"),
        "{out}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("broken.eml is not a mail rmaboard can read"),
        "{err}"
    );

    let list = requests(&shop, later, false);
    assert_eq!(list.len(), 3);
    for r in &list {
        for key in [
            "id",
            "received_at",
            "from",
            "customer_number",
            "subject",
            "imeis",
            "attachments",
            "answered_at",
            "answer",
            "late",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert_eq!(r["received_at"], "2026-05-04T09:30:00Z");
        assert_eq!(r["answer"], Value::Null);
        assert_eq!(r["late"], false);
    }
    let plain = by_subject(&list, "defective device");
    assert_eq!(plain["customer_number"], "C-2");
    assert_eq!(plain["imeis"], serde_json::json!([imei(2)]));
    let html = by_subject(&list, "Broken phone");
    assert_eq!(html["imeis"], serde_json::json!([imei(4)]));
    assert_eq!(html["customer_number"], "C-3", "matched by the device");
    let hub = by_subject(&list, "Display gebrochen – Gerät defekt");
    assert_eq!(hub["from"], "service@hub.example");
    assert_eq!(hub["customer_number"], "C-1", "matched by the sender");
    assert_eq!(hub["imeis"], serde_json::json!([imei(1), imei(3)]));
    let files = hub["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["name"], "Foto Rückseite.jpg");
    assert_eq!(files[0]["type"], "image/jpeg");
    assert_eq!(files[0]["size"], JPEG.len());
    assert_eq!(files[1]["type"], "image/png");
    let jpeg = PathBuf::from(files[0]["path"].as_str().unwrap());
    assert_eq!(std::fs::read(&jpeg).unwrap(), JPEG);
    assert_eq!(jpeg.parent().unwrap(), shop.path("attachments"));
    let name = jpeg.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("request-{}-", hub["id"])) && name.ends_with(".jpg"),
        "{name}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&jpeg), 0o660);
        assert_eq!(mode(&shop.path("attachments")), 0o770);
    }

    // Again: nothing new, the photos kept once.
    let (out, _) = shop.import(later, &[&shop.path("mail"), &shop.path("Maildir")]);
    assert!(
        out.ends_with("0 new requests, 0 confirmations, 3 duplicates, 1 unreadable\n"),
        "{out}"
    );
    assert_eq!(requests(&shop, later, false).len(), 3);
    assert_eq!(
        std::fs::read_dir(shop.path("attachments")).unwrap().count(),
        2
    );
}

#[test]
fn a_missing_path_imports_nothing() {
    let shop = Shop::new("");
    shop.mail(
        "one.eml",
        &bytes(message(("", "info@handy.example"), "x", "one@handy.example").text_body("hi")),
    );
    let one = shop.path("one.eml").display().to_string();
    let missing = shop.path("nope").display().to_string();
    let err = shop.refuse(&["inbox", "import", &one, &missing]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn the_answer_clock_turns_late_after_48_hours_and_is_configurable() {
    let shop = Shop::new("");
    let mail = shop.mail(
        "r.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "defective device",
                "clock@handy.example",
            )
            .text_body(imei(2)),
        ),
    );
    shop.import(received(), &[&mail]);
    let limit = received() + chrono::Duration::hours(48);
    assert_eq!(requests(&shop, limit, true)[0]["late"], false);
    let after = limit + chrono::Duration::minutes(1);
    assert_eq!(requests(&shop, after, true)[0]["late"], true);
    let line = shop.ok(&["--at", &at(after), "requests"]);
    assert!(line.starts_with('!'), "{line}");

    // 24 hours in [clocks].
    let shop = Shop::new("[clocks]\nrequest_hours = 24\n");
    shop.import(
        received(),
        &[&shop.mail("r.eml", &std::fs::read(&mail).unwrap())],
    );
    let day = received() + chrono::Duration::hours(24);
    assert_eq!(requests(&shop, day, true)[0]["late"], false);
    assert_eq!(
        requests(&shop, day + chrono::Duration::minutes(1), true)[0]["late"],
        true
    );
}

/// Send the outbox into .eml files and parse the one message written.
fn drafted(shop: &Shop) -> Vec<u8> {
    let out = shop.path("sent");
    shop.ok(&["outbox", "send", "--eml", out.to_str().unwrap()]);
    let files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::read(&files[0]).unwrap()
}

#[test]
fn answering_open_opens_every_device_at_the_mail_time_and_threads_one_message() {
    let shop = Shop::new("");
    let mail = shop.mail(
        "hub.eml",
        &bytes(
            message(
                ("Mobile Hub", "service@hub.example"),
                "defective device",
                "open@hub.example",
            )
            .text_body(format!("Two devices:\r\n{}\r\n{}\r\n", imei(1), imei(3)))
            .attachment("image/jpeg", "photo.jpg", JPEG),
        ),
    );
    shop.import(received(), &[&mail]);
    let answered = received() + chrono::Duration::hours(5);
    let out = shop.ok(&["--at", &at(answered), "answer", "1", "--open"]);
    let rmas: Vec<&str> = out.lines().collect();
    assert_eq!(rmas.len(), 2, "{out}");

    for (rma, device) in rmas.iter().zip([imei(1), imei(3)]) {
        let case = shop.json(&["show", rma, "--json"]);
        assert_eq!(case["imei"], device);
        assert_eq!(case["claimed_at"], "2026-05-04T09:30:00Z");
        let files = case["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 1, "{case}");
        assert_eq!(files[0]["name"], "photo.jpg");
        assert_eq!(files[0]["size"], JPEG.len());
    }
    let shown = shop.ok(&["show", rmas[0]]);
    assert!(shown.contains("photo.jpg (image/jpeg"), "{shown}");

    let r = &requests(&shop, answered, false)[0];
    assert_eq!(r["answer"], "opened");
    assert_eq!(r["answered_by"], "tester");
    assert_eq!(r["answered_at"], at(answered).replace("+00:00", "Z"));
    assert_eq!(r["late"], false);
    assert!(requests(&shop, answered, true).is_empty());

    // One message, to the sender, threaded under the customer's mail.
    let raw = drafted(&shop);
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        msg.to().unwrap().first().unwrap().address(),
        Some("service@hub.example")
    );
    assert_eq!(msg.in_reply_to().as_text(), Some("open@hub.example"));
    let refs = msg.references();
    let refs: Vec<&str> = refs
        .as_text_list()
        .map(|l| l.iter().map(|s| s.as_ref()).collect())
        .unwrap_or_default();
    assert_eq!(refs, ["open@hub.example"]);
    let body = msg.body_text(0).unwrap();
    for rma in &rmas {
        assert!(body.contains(rma), "{body}");
    }
    // The cases, their history and their links to the request are sound.
    let out = shop.run(&["doctor"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn answering_open_with_a_device_not_sold_by_us_opens_nothing() {
    let shop = Shop::new("");
    let stranger = rmaboard::demo::make_imei(35_209_611, 99)
        .as_str()
        .to_string();
    let mail = shop.mail(
        "m.eml",
        &bytes(
            message(
                ("", "service@hub.example"),
                "defective device",
                "mixed@hub.example",
            )
            .text_body(format!("{}\r\n{stranger}\r\n", imei(1))),
        ),
    );
    shop.import(received(), &[&mail]);
    let err = shop.refuse(&["--at", &at(received()), "answer", "1", "--open"]);
    assert!(err.contains(&stranger) && err.contains("--imei"), "{err}");
    // Choosing the device that is ours works.
    let out = shop.ok(&[
        "--at",
        &at(received()),
        "answer",
        "1",
        "--open",
        "--imei",
        &imei(1),
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let err = shop.refuse(&["answer", "7", "--ask", "x"]);
    assert!(err.contains("no request 7"), "{err}");
}

#[test]
fn a_refusal_quotes_the_policy_and_stops_the_clock() {
    let shop = Shop::new("");
    let mail = shop.mail(
        "r.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "Re: defective device",
                "old@handy.example",
            )
            .text_body(imei(2)),
        ),
    );
    shop.import(received(), &[&mail]);
    let late_answer = received() + chrono::Duration::hours(50);
    shop.ok(&[
        "--at",
        &at(late_answer),
        "answer",
        "1",
        "--refuse",
        "expired",
    ]);
    let r = &requests(&shop, late_answer, false)[0];
    assert_eq!(r["answer"], "refused");
    assert_eq!(r["refusal_reason"], "expired");
    assert_eq!(r["late"], true, "answered after 48 hours");
    let raw = drafted(&shop);
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(msg.subject(), Some("Re: defective device"));
    assert_eq!(msg.in_reply_to().as_text(), Some("old@handy.example"));
    let body = msg.body_text(0).unwrap().replace(['\n', '\r'], " ");
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        body.contains("you can enjoy a 1-year guarantee on goods purchased from our online store"),
        "{body}"
    );
}

#[test]
fn a_question_keeps_the_request_open_but_answered_in_time() {
    let shop = Shop::new("");
    let mail = shop.mail(
        "q.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "phone does not charge",
                "q@handy.example",
            )
            .text_body(imei(2)),
        ),
    );
    shop.import(received(), &[&mail]);
    let asked = received() + chrono::Duration::hours(47);
    shop.ok(&[
        "--at",
        &at(asked),
        "answer",
        "1",
        "--ask",
        "Please try another charger and cable first.",
    ]);
    let much_later = received() + chrono::Duration::hours(100);
    let open = requests(&shop, much_later, true);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["answer"], "asked");
    assert_eq!(open[0]["late"], false);
    let raw = drafted(&shop);
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("Please try another charger and cable first."),
        "{text}"
    );

    // Opening later keeps the first answer's time.
    shop.ok(&["--at", &at(much_later), "answer", "1", "--open"]);
    let r = &requests(&shop, much_later, false)[0];
    assert_eq!(r["answer"], "opened");
    assert_eq!(r["answered_at"], at(asked).replace("+00:00", "Z"));
    assert!(requests(&shop, much_later, true).is_empty());
}

#[test]
fn a_tracking_confirmation_records_the_number_once_and_never_overwrites() {
    let shop = Shop::new("");
    let opened = received() - chrono::Duration::days(1);
    let rma = shop
        .ok(&[
            "--at",
            &at(opened),
            "open",
            "--imei",
            &imei(1),
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string();
    let confirm = |name: &str, id: &str, tracking: &str| {
        shop.mail(
            name,
            &bytes(
                message(
                    ("Mobile Hub", "service@hub.example"),
                    &format!("Re: {rma}"),
                    id,
                )
                .text_body(format!(
                    "Hello,\r\nthe device for {rma} is on its way.\r\nTracking: {tracking}\r\n"
                )),
            ),
        )
    };
    let first = confirm("c1.eml", "c1@hub.example", "RR 123 456 785 CN");
    let (out, _) = shop.import(received(), &[&first]);
    assert!(
        out.ends_with("0 new requests, 1 confirmation, 0 duplicates, 0 unreadable\n"),
        "{out}"
    );
    let case = shop.json(&["show", &rma, "--json"]);
    assert_eq!(case["tracking_in"], "RR123456785CN");
    let notes = case["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0]["text"].as_str().unwrap().contains("is on its way"),
        "{case}"
    );
    // The same mail again: nothing.
    let (out, _) = shop.import(received(), &[&first]);
    assert!(out.ends_with("1 duplicate, 0 unreadable\n"), "{out}");
    assert_eq!(
        shop.json(&["show", &rma, "--json"])["notes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Another number later: kept as a note, the first stays.
    let second = confirm("c2.eml", "c2@hub.example", "1Z999AA10123456784");
    let (out, err) = shop.import(received(), &[&second]);
    assert!(out.contains("1 confirmation"), "{out}");
    assert!(err.contains("RR123456785CN"), "{err}");
    let case = shop.json(&["show", &rma, "--json"]);
    assert_eq!(case["tracking_in"], "RR123456785CN");
    let notes = case["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert!(
        notes[1]["text"]
            .as_str()
            .unwrap()
            .contains("1Z999AA10123456784"),
        "{case}"
    );
    assert!(requests(&shop, received(), false).is_empty());
}

#[test]
fn the_rebuilt_outbox_keeps_its_indexes_and_refuses_unknown_kinds() {
    let shop = Shop::new("");
    shop.ok(&[
        "--at",
        &at(received()),
        "open",
        "--imei",
        &imei(2),
        "--fault",
        "no sound",
    ]);
    let conn = rusqlite::Connection::open(&shop.db).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM pragma_index_list('outbox') ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for name in ["outbox_case", "outbox_request", "outbox_status"] {
        assert!(indexes.iter().any(|i| i == name), "{indexes:?}");
    }
    let insert = |kind: &str| {
        conn.execute(
            "INSERT INTO outbox (case_id, kind, subject, body, created_at)
             VALUES (1, ?1, 's', 'b', '2026-05-04T09:30:00Z')",
            [kind],
        )
    };
    assert!(insert("shipping_notice").is_ok());
    assert!(insert("love_letter").is_err());
    // A message about nothing is refused too.
    assert!(
        conn.execute(
            "INSERT INTO outbox (kind, subject, body, created_at)
             VALUES ('request_question', 's', 'b', '2026-05-04T09:30:00Z')",
            [],
        )
        .is_err()
    );
    drop(conn);
    let out = shop.run(&["doctor"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_report_shows_answer_times_and_refusals_per_week() {
    let shop = Shop::new("");
    for (name, id) in [("a.eml", "a@handy.example"), ("b.eml", "b@handy.example")] {
        let m = shop.mail(
            name,
            &bytes(message(("", "info@handy.example"), "defective device", id).text_body(imei(2))),
        );
        shop.import(received(), &[&m]);
    }
    shop.ok(&[
        "--at",
        &at(received() + chrono::Duration::hours(3)),
        "answer",
        "1",
        "--refuse",
        "expired",
    ]);
    let when = at(received() + chrono::Duration::days(5));
    let r = shop.json(&["--at", &when, "report", "--json"]);
    let a = &r["answers"];
    assert_eq!(a["clock_hours"], 48);
    assert_eq!(a["total"]["requests"], 2);
    assert_eq!(a["total"]["answered"], 1);
    assert_eq!(a["total"]["median_hours"], 3.0);
    assert_eq!(a["total"]["within_clock_share"], 0.5);
    assert_eq!(a["total"]["refusals"]["expired"], 1);
    assert_eq!(a["weeks"][0]["week"], "2026-05-04");
    let text = shop.ok(&["--at", &when, "report"]);
    assert!(text.contains("Answers to customers' mail"), "{text}");
    assert!(text.contains("expired 1"), "{text}");
}

#[test]
fn a_mail_dated_ahead_starts_its_clock_when_imported() {
    let shop = Shop::new("");
    let m = shop.mail(
        "future.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "defective device",
                "future@handy.example",
            )
            .date((received() + chrono::Duration::days(30)).timestamp())
            .text_body(imei(2)),
        ),
    );
    shop.import(received(), &[&m]);
    assert_eq!(
        requests(&shop, received(), false)[0]["received_at"],
        "2026-05-04T09:30:00Z"
    );
}

#[test]
fn opening_another_customers_device_is_warned_about() {
    let shop = Shop::new("");
    // Handy Shop (C-2) names a device sold to Mobile Hub (C-1).
    let m = shop.mail(
        "m.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "defective device",
                "other@handy.example",
            )
            .text_body(format!("customer C-2, device {}", imei(1))),
        ),
    );
    shop.import(received(), &[&m]);
    let out = shop.run(&["--at", &at(received()), "answer", "1", "--open"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("was sold to customer C-1, but the mail came from customer C-2"),
        "{err}"
    );
}

#[test]
fn control_characters_in_a_mail_never_reach_the_terminal() {
    let shop = Shop::new("");
    let m = shop.mail(
        "evil.eml",
        &bytes(
            message(
                ("Evil\u{1b}[2J Corp\u{202e}", "info@handy.example"),
                "defective\u{1b}]0;owned\u{7} device\u{202e}",
                "evil@handy.example",
            )
            .text_body(format!("{}\u{1b}[31m red\u{9b}", imei(2)))
            .attachment("image/png", "a\u{1b}[1mb.png", PNG),
        ),
    );
    shop.import(received(), &[&m]);
    for args in [
        vec!["requests"],
        vec!["requests", "--json"],
        vec!["answer", "1", "--ask", "Which charger?"],
        vec!["outbox", "list"],
        vec!["outbox", "show", "1"],
    ] {
        let mut all = vec!["--at".to_string(), at(received())];
        all.extend(args.iter().map(|a| a.to_string()));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = shop.run(&all);
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(bad), "{args:?} printed {bad:?}: {text:?}");
        }
    }
}

#[test]
fn a_photo_half_saved_by_a_killed_import_is_reported_and_removed_by_the_next() {
    let shop = Shop::new("");
    let dir = shop.path("attachments");
    std::fs::create_dir_all(&dir).unwrap();
    let litter = dir.join(".rmaboard-attachment-a1B2c3");
    std::fs::write(&litter, "half a photo").unwrap();
    let f = std::fs::File::options().write(true).open(&litter).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
    drop(f);
    let out = shop.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&litter.display().to_string()), "{said}");

    let m = shop.mail(
        "m.eml",
        &bytes(message(("", "info@handy.example"), "x", "m@handy.example").text_body(imei(2))),
    );
    shop.import(received(), &[&m]);
    assert!(!litter.exists());
    shop.ok(&["doctor"]);
}

#[test]
fn a_backup_keeps_the_customers_photos_and_a_restore_brings_back_the_lost_ones() {
    let shop = Shop::new("");
    let m = shop.mail(
        "photo.eml",
        &bytes(
            message(
                ("Handy Shop", "info@handy.example"),
                "broken",
                "p@handy.example",
            )
            .text_body(format!("Display cracked: {}", imei(2)))
            .attachment("image/jpeg", "display.jpg", JPEG)
            .attachment("image/png", "screen.png", PNG),
        ),
    );
    shop.import(received(), &[&m]);
    let live = shop.path("attachments");
    let mut saved: Vec<_> = std::fs::read_dir(&live)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    saved.sort();
    assert_eq!(saved.len(), 2, "{saved:?}");

    // Nightly backups into one folder share one copy of each photo.
    let backups = shop.path("backups");
    std::fs::create_dir_all(&backups).unwrap();
    let monday = backups.join("monday.sqlite");
    let said = shop.ok(&["backup", monday.to_str().unwrap()]);
    assert!(said.contains("2 attachments copied"), "{said}");
    let kept = backups.join("rmaboard-attachments");
    for name in &saved {
        assert_eq!(
            std::fs::read(kept.join(name)).unwrap(),
            std::fs::read(live.join(name)).unwrap()
        );
    }
    let tuesday = backups.join("tuesday.sqlite");
    let said = shop.ok(&["backup", tuesday.to_str().unwrap()]);
    assert!(said.contains("2 attachments already kept"), "{said}");

    // The disk lost a photo: doctor names it, the restore brings it back.
    std::fs::remove_file(live.join(&saved[0])).unwrap();
    let out = shop.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&saved[0]) && said.contains("attachment"),
        "{said}"
    );
    let said = shop.ok(&["restore", tuesday.to_str().unwrap(), "--yes"]);
    assert!(said.contains("1 attachment copied back"), "{said}");
    assert_eq!(
        std::fs::read(live.join(&saved[0])).unwrap(),
        std::fs::read(kept.join(&saved[0])).unwrap()
    );
    shop.ok(&["doctor"]);
}

#[test]
fn a_request_shows_its_mail_with_each_device_and_its_verdict() {
    let shop = Shop::new("");
    let stranger = rmaboard::demo::make_imei(35_209_611, 99)
        .as_str()
        .to_string();
    let m = shop.mail(
        "r.eml",
        &bytes(
            message(
                ("Mobile Hub", "service@hub.example"),
                "defective device",
                "show@hub.example",
            )
            .text_body(format!(
                "Dear shop,\r\n{} has no sound,\r\n{stranger} does not start.\r\n",
                imei(1)
            ))
            .attachment("image/jpeg", "photo.jpg", JPEG),
        ),
    );
    shop.import(received(), &[&m]);
    let text = shop.ok(&["--at", &at(received()), "request", "1"]);
    assert!(
        text.contains("From         Mobile Hub <service@hub.example>"),
        "{text}"
    );
    assert!(text.contains("Customer     C-1 Mobile Hub"), "{text}");
    assert!(
        text.contains(&format!("{} CECT P30 Pro - covered", imei(1))),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{stranger} (not in the registry) - not_sold_by_us"
        )),
        "{text}"
    );
    assert!(text.contains("photo.jpg (image/jpeg"), "{text}");
    assert!(text.contains("  Dear shop,"), "{text}");

    let j = shop.json(&["--at", &at(received()), "request", "request-1", "--json"]);
    assert_eq!(j["id"], 1);
    assert_eq!(j["customer_name"], "Mobile Hub");
    assert!(j["body"].as_str().unwrap().contains("has no sound"));
    assert_eq!(j["devices"][0]["verdict"], "covered");
    assert_eq!(j["devices"][0]["customer_number"], "C-1");
    assert_eq!(j["devices"][1]["verdict"], "not_sold_by_us");
    assert_eq!(j["devices"][1]["model"], Value::Null);

    let err = shop.refuse(&["request", "2"]);
    assert!(err.contains("no request 2"), "{err}");
}

#[test]
fn one_parcel_for_several_cases_is_confirmed_on_each() {
    let shop = Shop::new("");
    let opened = at(received() - chrono::Duration::days(1));
    let open = |n: u32| {
        shop.ok(&[
            "--at",
            &opened,
            "open",
            "--imei",
            &imei(n),
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string()
    };
    let (a, b) = (open(1), open(3));
    let m = shop.mail(
        "parcel.eml",
        &bytes(
            message(("Mobile Hub", "service@hub.example"), "parcel sent", "parcel@hub.example")
                .text_body(format!(
                    "Both devices ({a} and {b}) and RMA-2026-00099 are in one parcel,\r\ntracking number RR123456785CN\r\n"
                )),
        ),
    );
    let (out, err) = shop.import(received(), &[&m]);
    assert!(out.contains("1 confirmation"), "{out}");
    assert!(err.contains("RMA-2026-00099, which no case has"), "{err}");
    for rma in [&a, &b] {
        let case = shop.json(&["show", rma, "--json"]);
        assert_eq!(case["tracking_in"], "RR123456785CN", "{rma}");
        assert_eq!(case["notes"].as_array().unwrap().len(), 1);
    }
    let (out, _) = shop.import(received(), &[&m]);
    assert!(out.contains("1 duplicate"), "{out}");
}

#[test]
fn the_customers_reply_to_a_question_follows_its_request() {
    let shop = Shop::new("");
    let m = shop.mail(
        "q.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "phone does not charge",
                "first@handy.example",
            )
            .text_body(imei(2)),
        ),
    );
    shop.import(received(), &[&m]);
    let asked = at(received() + chrono::Duration::hours(2));
    shop.ok(&[
        "--at",
        &asked,
        "answer",
        "1",
        "--ask",
        "Please try another charger.",
    ]);
    // The customer's mail program answers our question: In-Reply-To names our message.
    let ours = mail_parser::MessageParser::default()
        .parse(&drafted(&shop))
        .unwrap()
        .message_id()
        .unwrap()
        .to_string();
    let reply = shop.mail(
        "reply.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "Re: phone does not charge",
                "reply@handy.example",
            )
            .in_reply_to(ours.clone())
            .references(vec!["first@handy.example".to_string(), ours])
            .text_body("Tried two chargers, still dead."),
        ),
    );
    let later = received() + chrono::Duration::hours(20);
    shop.import(later, &[&reply]);
    let all = requests(&shop, later, false);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["follows"], Value::Null);
    assert_eq!(all[1]["follows"], 1);
    let line = shop.ok(&["--at", &at(later), "requests"]);
    assert!(line.contains("(re #1) Re: phone does not charge"), "{line}");
    let shown = shop.ok(&["--at", &at(later), "request", "2"]);
    assert!(shown.contains("Replies to   request 1"), "{shown}");
}

#[test]
fn answering_open_for_a_device_already_open_names_its_case() {
    let shop = Shop::new("");
    let rma = shop
        .ok(&[
            "--at",
            &at(received()),
            "open",
            "--imei",
            &imei(2),
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string();
    let m = shop.mail(
        "again.eml",
        &bytes(
            message(
                ("", "info@handy.example"),
                "still broken",
                "again@handy.example",
            )
            .text_body(imei(2)),
        ),
    );
    shop.import(received(), &[&m]);
    let err = shop.refuse(&["--at", &at(received()), "answer", "1", "--open"]);
    assert!(err.contains(&imei(2)) && err.contains(&rma), "{err}");
    // The request is still waiting for its answer.
    assert_eq!(requests(&shop, received(), true).len(), 1);
}

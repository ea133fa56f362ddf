//! Paperwork seen from outside: the bill a ship produces (its PDF read back), and the
//! outbox sent through a recording stand-in for sendmail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod tui_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const IMEI_NL: &str = "260531793113837";
const IMEI_CH: &str = "490154203237518";

struct Shop {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Shop {
    /// A database with two sales (one to the Netherlands, one to Switzerland) and a
    /// config naming the shop, declaring a repair value for Switzerland and mailing
    /// through a recording script.
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let shop = Shop { dir, db };
        let script = shop.path("sendmail");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n\
                 if [ -e '{dir}/fail' ]; then cat >/dev/null; echo 'mail server down' >&2; exit 75; fi\n\
                 if [ -e '{dir}/quit' ]; then exit 75; fi\n\
                 {{ cat; echo '=== end'; }} >> '{dir}/mail.log'\n\
                 if [ -e '{dir}/slow' ]; then sleep 5; fi\n",
                dir = shop.dir.path().display()
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(
            shop.path("config.toml"),
            format!(
                "[shop]\nname = \"CECT-SHOP\"\naddress = [\"Unit 5, 12 Example Road\", \"518000 Shenzhen\", \"China\"]\n\
                 email = \"support@cect-shop.example\"\nphone = \"+86 755 1234 5678\"\n\
                 [customs]\nplace = \"Shenzhen\"\n\
                 [paperwork]\nsystem_fonts = false\n\
                 [customs.country.CH]\nvalue = \"35.00\"\nwording = \"Warranty repair, repair value declared\"\n\
                 [mail]\ncommand = \"{} -t -i\"\n",
                script.display()
            ),
        )
        .unwrap();
        std::fs::write(
            shop.path("sales.csv"),
            format!(
                "imei,order_number,customer_number,model,category,dispatched_on,customer_name,customer_email,customer_address,country\n\
                 {IMEI_NL},SO-1001,C-1,CECT P30 Pro,phone,2025-01-10,Mobile Hub Rotterdam,service@hub.example,\"Coolsingel 40, 3011 AD Rotterdam\",NL\n\
                 {IMEI_CH},SO-1002,C-2,CECT Tab 8,tablet,2025-01-10,Handy Zürich,info@handy.example,\"Bahnhofstrasse 1, 8001 Zürich\",CH\n"
            ),
        )
        .unwrap();
        shop.ok(&[
            "sales",
            "import",
            &shop.path("sales.csv").display().to_string(),
        ]);
        shop
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        common::rmaboard(&self.db, &self.path("config.toml"), "anna")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        common::succeeded(args, self.run(args))
    }

    /// Open a case and take it to inspected; its RMA.
    fn inspected(&self, imei: &str) -> String {
        let rma = self
            .ok(&[
                "--at",
                "2025-03-01",
                "open",
                "--imei",
                imei,
                "--fault",
                "no sound",
            ])
            .trim()
            .to_string();
        self.ok(&["--at", "2025-03-05", "receive", &rma]);
        self.ok(&[
            "--at",
            "2025-03-06",
            "send",
            &rma,
            "--manufacturer-ref",
            "M-1",
        ]);
        self.ok(&["--at", "2025-03-20", "inspect", &rma, "--pass"]);
        rma
    }

    /// What the mail command was given, quoted-printable bodies decoded.
    fn mail_log(&self) -> String {
        unquote(&std::fs::read_to_string(self.path("mail.log")).unwrap_or_default())
    }

    fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).unwrap()
    }
}

/// Quoted-printable undone (soft line breaks and `=XX` bytes), as a mail reader shows it.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| {
            std::str::from_utf8(h)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        });
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text of a PDF, whitespace folded, as a reader's copy-paste would give it.
fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert_eq!(pages.len(), 1, "one A4 page");
    let text = doc.extract_text(&pages).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_a4(path: &Path) -> bool {
    let doc = lopdf::Document::load(path).unwrap();
    let (_, page) = doc.get_pages().into_iter().next().unwrap();
    let media = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect::<Vec<_>>();
    // 210 x 297 mm in points.
    (media[2] - 595.3).abs() < 1.0 && (media[3] - 841.9).abs() < 1.0
}

#[test]
fn shipping_writes_the_customs_bill() {
    let shop = Shop::new();
    let rma = shop.inspected(IMEI_NL);
    let out = shop.run(&[
        "--at",
        "2025-03-21 10:00",
        "ship",
        &rma,
        "--tracking",
        "RR123456785CN",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{rma}: inspected -> shipped\n")
    );
    let said = String::from_utf8_lossy(&out.stderr);
    let pdf = shop.path("bills").join(format!("B-000001-{rma}.pdf"));
    assert!(said.contains("bill B-000001 written to"), "{said}");
    assert!(pdf.exists(), "{said}");
    assert!(is_a4(&pdf));

    let text = pdf_text(&pdf);
    for expected in [
        "CECT-SHOP",
        "Unit 5, 12 Example Road",
        "518000 Shenzhen",
        "Mobile Hub Rotterdam",
        "Coolsingel 40, 3011 AD Rotterdam",
        "NL",
        "B-000001",
        "2025-03-21",
        rma.as_str(),
        "CUSTOMS DECLARATION CN 23",
        "Tel. +86 755 1234 5678",
        "X Returned goods",
        "CECT P30 Pro mobile phone",
        IMEI_NL,
        "1 0.200 EUR 0.00 8517.13 CN",
        "Warranty repair, no commercial value",
        "Total pieces 1",
        "Total gross weight (kg) 0.450",
        "Total value EUR 0.00",
        "RR123456785CN",
        "Place and date: Shenzhen, 2025-03-21",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the PDF: {text}"
        );
    }

    // The plain text says the same; --out makes the same PDF again.
    let plain = shop.ok(&["bill", &rma]);
    for expected in [
        "B-000001",
        "Coolsingel 40",
        "EUR 0.00",
        "RR123456785CN",
        IMEI_NL,
    ] {
        assert!(plain.contains(expected), "{plain}");
    }
    let again = shop.path("again.pdf");
    shop.ok(&["bill", &rma, "--out", &again.display().to_string()]);
    assert_eq!(pdf_text(&again), text);
    assert!(!text.contains("unrepaired"), "{text}");
}

#[test]
fn the_bill_names_the_post_by_the_country_code_and_a_letter_number_is_warned_about() {
    let shop = Shop::new();
    let rma = shop.inspected(IMEI_NL);
    let out = shop.run(&["ship", &rma, "--tracking", "LX123456785DE"]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("may not be traceable"), "{said}");
    let plain = shop.ok(&["bill", &rma]);
    assert!(plain.contains("LX123456785DE (Deutsche Post)"), "{plain}");
    assert!(!plain.contains("China Post"), "{plain}");
    // The shipping notice names the same post.
    shop.ok(&["outbox", "send"]);
    let log = shop.mail_log();
    assert!(log.contains("by Deutsche Post"), "{log}");
    assert!(log.contains("the Deutsche Post tracking website"), "{log}");
}

#[test]
fn a_country_can_declare_the_repair_value_and_numbers_are_never_reused() {
    let shop = Shop::new();
    let nl = shop.inspected(IMEI_NL);
    let ch = shop.inspected(IMEI_CH);
    shop.ok(&["ship", &nl, "--tracking", "RR123456785CN"]);
    shop.ok(&["ship", &ch, "--tracking", "RR473124829CN"]);
    let bill = shop.ok(&["bill", &ch]);
    assert!(bill.contains("B-000002"), "{bill}");
    assert!(bill.contains("EUR 35.00"), "{bill}");
    assert!(
        bill.contains("Warranty repair, repair value declared"),
        "{bill}"
    );
    assert!(bill.contains("Handy Zürich"), "{bill}");

    // Taken back and shipped again in the same parcel: its bill and notice stand.
    let count = |table: &str| -> i64 {
        shop.sql()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    let notices = || {
        shop.sql()
            .query_row(
                "SELECT count(*) FROM outbox WHERE kind = 'shipping_notice'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
    };
    shop.ok(&["move", &nl, "--to", "inspected"]);
    shop.ok(&["ship", &nl, "--tracking", "RR123456785CN"]);
    assert!(shop.ok(&["bill", &nl]).contains("B-000001"));
    assert_eq!((count("bills"), notices()), (2, 2));

    // In a new parcel: a new bill with a new number (the old one stays taken) and a
    // new notice with the new tracking number.
    shop.ok(&["move", &nl, "--to", "inspected"]);
    shop.ok(&["ship", &nl, "--tracking", "RR234567895CN"]);
    let bill = shop.ok(&["bill", &nl]);
    assert!(
        bill.contains("B-000003") && bill.contains("RR234567895CN"),
        "{bill}"
    );
    assert_eq!((count("bills"), notices()), (3, 3));

    // A case not shipped has no bill: one sentence, exit 1.
    let open = shop
        .ok(&[
            "--at",
            "2025-04-01",
            "open",
            "--imei",
            IMEI_NL,
            "--fault",
            "again",
        ])
        .trim()
        .to_string();
    let out = shop.run(&["bill", &open]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no bill"));
}

#[test]
fn the_outbox_is_sent_once_and_a_failure_stays_with_its_error() {
    let shop = Shop::new();
    let rma = shop.inspected(IMEI_NL);
    let list = shop.ok(&["outbox", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains("rma_instructions") && list.contains("service@hub.example"));

    // The mail server is down: exit 1, the message waits with the error.
    std::fs::write(shop.path("fail"), "").unwrap();
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mail server down"), "{err}");
    let list = shop.ok(&["outbox", "list"]);
    assert!(
        list.contains("pending") && list.contains("mail server down"),
        "{list}"
    );
    assert_eq!(shop.mail_log(), "");

    std::fs::remove_file(shop.path("fail")).unwrap();
    shop.ok(&["outbox", "send"]);
    let log = shop.mail_log();
    assert_eq!(log.matches("=== end").count(), 1);
    assert!(
        log.contains("To: \"Mobile Hub Rotterdam\" <service@hub.example>\r\n"),
        "{log}"
    );
    assert!(log.contains(&format!(
        "Subject: Your return authorisation {rma} for order SO-1001"
    )));
    for promise in [
        "registered airmail or other tracked shipping",
        "Enclose a note with your name, the RMA number",
        "does not reimburse the shipping costs",
        "tracking number",
        "Unit 5, 12 Example Road",
    ] {
        assert!(log.contains(promise), "{promise:?} missing: {log}");
    }
    assert_eq!(shop.ok(&["outbox", "list"]), "");

    // Sending again sends nothing; shipping drafts the notice with the tracking number.
    shop.ok(&["outbox", "send"]);
    assert_eq!(shop.mail_log().matches("=== end").count(), 1);
    shop.ok(&["ship", &rma, "--tracking", "RR123456785CN"]);
    shop.ok(&["outbox", "send"]);
    let log = shop.mail_log();
    assert_eq!(log.matches("=== end").count(), 2);
    assert!(log.contains("Tracking number: RR123456785CN") && log.contains("China Post"));
    assert!(
        shop.ok(&["outbox", "list", "--all"])
            .matches("sent")
            .count()
            >= 2
    );
}

#[test]
fn two_senders_at_once_send_each_message_once() {
    let shop = Shop::new();
    // Each device comes back three times: an instruction and a shipping notice each time.
    let tracking = [
        "RR123456785CN",
        "RR234567895CN",
        "RR345678909CN",
        "RR456789015CN",
        "RR567890126CN",
        "RR678901233CN",
    ];
    for pair in tracking.chunks(2) {
        for (imei, number) in [IMEI_NL, IMEI_CH].into_iter().zip(pair) {
            let rma = shop.inspected(imei);
            shop.ok(&["ship", &rma, "--tracking", number]);
        }
    }
    let quiet = |mut c: Command| {
        c.args(["outbox", "send"])
            .stdout(std::process::Stdio::null());
        c.spawn().unwrap()
    };
    let a = quiet(shop.cmd());
    let b = quiet(shop.cmd());
    assert!(a.wait_with_output().unwrap().status.success());
    assert!(b.wait_with_output().unwrap().status.success());
    let log = shop.mail_log();
    assert_eq!(log.matches("=== end").count(), 12, "{log}");
    let ids: std::collections::BTreeSet<&str> = log
        .lines()
        .filter(|l| l.starts_with("Message-ID:"))
        .collect();
    assert_eq!(ids.len(), 12);
}

#[test]
fn eml_files_and_customer_text_cannot_add_headers() {
    let shop = Shop::new();
    // Straight into the registry, past the import's cleaning: the worst a hand-edited
    // database could hold.
    shop.sql()
        .execute(
            "UPDATE sales SET customer_name = 'Evil\r\nBcc: victim@x.example', \
             customer_address = 'Street 1\r\nBcc: victim@x.example\u{1b}[2J' WHERE imei = ?1",
            [IMEI_NL],
        )
        .unwrap();
    let rma = shop.inspected(IMEI_NL);
    shop.ok(&["ship", &rma, "--tracking", "RR123456785CN"]);
    let dir = shop.path("eml");
    let sent = shop.ok(&["outbox", "send", "--eml", &dir.display().to_string()]);
    assert_eq!(sent.lines().count(), 2, "{sent}");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2);
    for f in &files {
        let mail = std::fs::read_to_string(f).unwrap();
        let (headers, body) = mail.split_once("\r\n\r\n").unwrap();
        assert!(!headers.lines().any(|l| l.starts_with("Bcc")), "{headers}");
        assert!(body.contains("Dear Evil Bcc: victim@x.example"), "{body}");
        assert!(!mail.contains('\u{1b}'));
    }
    let bill = shop.ok(&["bill", &rma]);
    assert!(
        !bill.chars().any(|c| c.is_control() && c != '\n'),
        "{bill:?}"
    );

    // An address that is not one is never put in a header: the message waits, saying why.
    shop.sql()
        .execute(
            "UPDATE sales SET customer_email = 'a@b.example\r\nBcc: victim@x.example' WHERE imei = ?1",
            [IMEI_NL],
        )
        .unwrap();
    shop.ok(&[
        "--at",
        "2025-04-01",
        "open",
        "--imei",
        IMEI_NL,
        "--fault",
        "again",
    ]);
    let out = shop.run(&["outbox", "send", "--eml", &dir.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no usable customer email address"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn shipping_on_the_board_writes_the_bill_and_drafts_the_notice() {
    use crossterm::event::KeyCode;
    let shop = tui_support::workshop();
    let mut b = shop.board("anna", 80, 24);
    let store = shop.store();
    // RMA-2026-00004 is in Received: send, pass, ship, as on the bench.
    tui_support::scan(&mut b, &tui_support::device(3).to_string());
    tui_support::press(&mut b, KeyCode::Char('>'));
    tui_support::press(&mut b, KeyCode::Char('s'));
    tui_support::type_text(&mut b, "ZTE-1");
    tui_support::press(&mut b, KeyCode::Enter);
    tui_support::press(&mut b, KeyCode::Char('>'));
    tui_support::press(&mut b, KeyCode::Char('p'));
    tui_support::press(&mut b, KeyCode::Char('>'));
    tui_support::type_text(&mut b, "RR123456785CN");
    tui_support::press(&mut b, KeyCode::Enter);
    let said = b
        .app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    let case = store.find("RMA-2026-00004").unwrap();
    let bill = store.latest_bill(case.id).unwrap().unwrap();
    let pdf = shop.dir.path().join("bills").join(bill.file_name());
    assert!(
        said.contains(&format!("Bill {} written to", bill.label())),
        "{said}"
    );
    assert!(pdf_text(&pdf).contains("RR123456785CN"));
    let notices: Vec<_> = store
        .outbox(true)
        .unwrap()
        .into_iter()
        .filter(|m| {
            m.case_id == Some(case.id) && m.kind == rmaboard::paperwork::MessageKind::ShippingNotice
        })
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].body.contains("RR123456785CN"));

    // Taken back by mistake and the undo ships it again, in the same parcel: the bill
    // and the customer's notice stand, nothing is issued twice.
    tui_support::press(&mut b, KeyCode::Char('<'));
    tui_support::press(&mut b, KeyCode::Char('u'));
    tui_support::press(&mut b, KeyCode::Char('y'));
    assert_eq!(
        store.find("RMA-2026-00004").unwrap().stage,
        rmaboard::domain::Stage::Shipped
    );
    assert_eq!(store.latest_bill(case.id).unwrap().unwrap(), bill);
    let notices = store
        .outbox(true)
        .unwrap()
        .into_iter()
        .filter(|m| {
            m.case_id == Some(case.id) && m.kind == rmaboard::paperwork::MessageKind::ShippingNotice
        })
        .count();
    assert_eq!(notices, 1);
}

#[test]
fn a_message_that_cannot_go_out_is_dropped_with_a_reason_and_kept() {
    let shop = Shop::new();
    // A customer with no usable address: every send fails for this message.
    shop.sql()
        .execute(
            "UPDATE sales SET customer_email = 'not an address' WHERE imei = ?1",
            [IMEI_NL],
        )
        .unwrap();
    shop.inspected(IMEI_NL);
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(1));
    let id: i64 = shop
        .sql()
        .query_row("SELECT id FROM outbox", [], |r| r.get(0))
        .unwrap();
    let id = id.to_string();

    // Refusals change nothing: no reason, an unknown message.
    let dump = |shop: &Shop| -> String { shop.ok(&["outbox", "list", "--all"]) };
    let before = dump(&shop);
    let out = shop.run(&["outbox", "drop", &id, "--reason", "  "]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reason"));
    let out = shop.run(&["outbox", "drop", "999", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no message 999"));
    let out = shop.run(&["outbox", "drop", &id]);
    assert_eq!(out.status.code(), Some(2), "--reason is required");
    assert_eq!(dump(&shop), before);

    shop.ok(&[
        "--user",
        "mia",
        "outbox",
        "drop",
        &id,
        "--reason",
        "Told the customer by phone",
    ]);
    assert_eq!(shop.ok(&["outbox", "list"]), "", "no longer waiting");
    let shown = shop.ok(&["outbox", "show", &id]);
    assert!(shown.contains("dropped"), "{shown}");
    assert!(
        shown.contains("by mia: Told the customer by phone"),
        "{shown}"
    );
    // Sending passes it by; dropping it again is refused.
    shop.ok(&["outbox", "send"]);
    assert_eq!(shop.mail_log(), "");
    let out = shop.run(&["outbox", "drop", &id, "--reason", "again"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already dropped"));

    // A sent message cannot be dropped.
    let rma_ch = shop.inspected(IMEI_CH);
    shop.ok(&["outbox", "send"]);
    let sent: i64 = shop
        .sql()
        .query_row(
            "SELECT o.id FROM outbox o JOIN cases c ON c.id = o.case_id WHERE c.rma = ?1",
            [&rma_ch],
            |r| r.get(0),
        )
        .unwrap();
    let out = shop.run(&["outbox", "drop", &sent.to_string(), "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already sent"));
}

#[test]
fn the_outbox_migration_keeps_every_message() {
    let shop = Shop::new();
    let rma = shop.inspected(IMEI_NL);
    shop.ok(&["outbox", "send"]);
    shop.ok(&["ship", &rma, "--tracking", "RR123456785CN"]);
    let rma_ch = shop.inspected(IMEI_CH);
    let before = shop.ok(&["outbox", "list", "--all"]);
    assert_eq!(before.lines().count(), 3, "{before}");

    // Put the outbox and the bills back the way schema version 3 had them (one device
    // per bill, no items table).
    let v3 = include_str!("../assets/migrations/0003_paperwork.sql");
    let table = |name: &str| {
        let start = v3.find(&format!("CREATE TABLE {name} (")).unwrap();
        let end = start + v3[start..].find(");").unwrap() + 2;
        v3[start..end].replace(
            &format!("CREATE TABLE {name} ("),
            &format!("CREATE TABLE {name}_v3 ("),
        )
    };
    let (old_table, old_bills) = (table("outbox"), table("bills"));
    let bill_before = shop.ok(&["bill", &rma]);
    shop.sql()
        .execute_batch(&format!(
            "BEGIN;
             {old_bills};
             INSERT INTO bills_v3 SELECT b.number, i.case_id, b.issued_at, i.rma,
                i.order_number, i.model, i.imei, b.tracking_out, b.customer_name,
                b.customer_address, b.country, b.shop_name, b.shop_address,
                'Warranty repair — returned goods, no commercial value', i.quantity,
                i.value_cents, b.currency
                FROM bills b JOIN bill_items i ON i.bill_number = b.number;
             DROP TABLE bill_items;
             DROP TABLE bills;
             ALTER TABLE bills_v3 RENAME TO bills;
             CREATE INDEX bills_case ON bills (case_id);
             CREATE TRIGGER bills_append_only_update BEFORE UPDATE ON bills
             BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
             CREATE TRIGGER bills_append_only_delete BEFORE DELETE ON bills
             BEGIN SELECT RAISE(ABORT, 'bills are append-only'); END;
             UPDATE sqlite_sequence SET seq = 41 WHERE name = 'bills';
             {old_table};
             INSERT INTO outbox_v3 SELECT id, case_id, kind, to_address, subject, body,
                created_at, status, attempts, last_error, claimed_by, claimed_at, sent_at,
                sent_via FROM outbox;
             DROP TABLE outbox;
             ALTER TABLE outbox_v3 RENAME TO outbox;
             CREATE INDEX outbox_status ON outbox (status, id);
             CREATE INDEX outbox_case ON outbox (case_id);
             PRAGMA user_version = 3;
             COMMIT;"
        ))
        .unwrap();

    // Any command migrates it; every message is still there, as it was.
    assert_eq!(shop.ok(&["outbox", "list", "--all"]), before);
    let version: i64 = shop
        .sql()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, rmaboard::store::SCHEMA_VERSION);
    let conn = shop.sql();
    let mut fk = conn.prepare("PRAGMA foreign_key_check").unwrap();
    assert_eq!(fk.query_map([], |_| Ok(())).unwrap().count(), 0);

    // The bill of version 3 reads as a declaration with its one device, worded as it
    // was issued; what was not declared then shows as "-".
    let bill_after = shop.ok(&["bill", &rma]);
    assert!(
        bill_after.contains("Warranty repair — returned goods, no commercial value"),
        "{bill_after}"
    );
    for same in [
        "B-000001",
        IMEI_NL,
        "RR123456785CN",
        "Mobile Hub Rotterdam",
        "EUR 0.00",
    ] {
        assert!(
            bill_before.contains(same) && bill_after.contains(same),
            "{same}: {bill_after}"
        );
    }
    assert!(
        bill_after.contains("Total gross weight (kg): -"),
        "{bill_after}"
    );
    // Still append-only, and numbering goes on after the highest number ever issued.
    assert!(conn.execute("DELETE FROM bill_items", []).is_err());
    assert!(conn.execute("UPDATE bills SET place = 'x'", []).is_err());
    shop.ok(&["ship", &rma_ch, "--tracking", "RR473124829CN"]);
    assert!(shop.ok(&["bill", &rma_ch]).contains("B-000042"));
}

#[test]
fn a_mail_command_stopped_after_taking_the_message_does_not_send_it_twice() {
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.path("config.toml")).unwrap();
    std::fs::write(
        shop.path("config.toml"),
        format!("{config}timeout_secs = 1\n"),
    )
    .unwrap();
    shop.inspected(IMEI_NL);

    // The relay takes the message, then hangs until it is stopped.
    std::fs::write(shop.path("slow"), "").unwrap();
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did not finish within 1 seconds")
            && err.contains("may have been sent")
            && err.contains("outbox release 1"),
        "{err}"
    );
    assert_eq!(shop.mail_log().matches("=== end").count(), 1);
    let list = shop.ok(&["outbox", "list"]);
    assert!(list.contains("sending"), "{list}");

    // The next run leaves it alone: the customer gets it once.
    std::fs::remove_file(shop.path("slow")).unwrap();
    shop.ok(&["outbox", "send"]);
    assert_eq!(shop.mail_log().matches("=== end").count(), 1);
    // Released after checking the mail log, it goes again.
    shop.ok(&["outbox", "release", "1"]);
    shop.ok(&["outbox", "send"]);
    assert_eq!(shop.mail_log().matches("=== end").count(), 2);
}

/// Every Message-ID in the mail log.
fn message_ids(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|l| l.strip_prefix("Message-ID: "))
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[test]
fn a_restore_never_issues_a_number_twice_nor_sends_again() {
    let shop = Shop::new();
    let nl = shop.inspected(IMEI_NL);
    let backup = shop.path("backup.sqlite");
    shop.ok(&["backup", &backup.display().to_string()]);

    // After the backup: a second case is opened and mailed, the first is shipped.
    let ch = shop
        .ok(&[
            "--at",
            "2025-03-02",
            "open",
            "--imei",
            IMEI_CH,
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string();
    shop.ok(&["ship", &nl, "--tracking", "RR123456785CN"]);
    let pdf = shop.path("bills").join(format!("B-000001-{nl}.pdf"));
    let first_parcel = std::fs::read(&pdf).unwrap();
    shop.ok(&["outbox", "send"]);
    assert_eq!(message_ids(&shop.mail_log()).len(), 3);

    let said = shop.ok(&["restore", &backup.display().to_string(), "--yes"]);
    assert!(said.contains(&format!("continue after {ch}")), "{said}");
    assert!(said.contains("continue after B-000001"), "{said}");
    assert!(said.contains("not sent again"), "{said}");
    let left: Vec<_> = std::fs::read_dir(shop.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".rmaboard-"))
        .collect();
    assert!(left.is_empty(), "the restore left {left:?}");

    // New numbers, the first parcel's PDF untouched, nothing mailed twice.
    let third = shop
        .ok(&[
            "--at",
            "2025-03-02",
            "open",
            "--imei",
            IMEI_CH,
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string();
    assert_ne!(third, ch);
    assert!(third > ch, "{third} after {ch}");
    let out = shop.run(&["ship", &nl, "--tracking", "RR234567895CN"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&pdf).unwrap(), first_parcel);
    assert!(
        shop.path("bills")
            .join(format!("B-000002-{nl}.pdf"))
            .exists()
    );
    assert!(shop.ok(&["bill", &nl]).contains("B-000002"));
    shop.ok(&["outbox", "send"]);
    let log = shop.mail_log();
    let ids = message_ids(&log);
    assert_eq!(ids.len(), 5, "{log}");
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a Message-ID used twice: {ids:?}");
    assert_eq!(
        log.matches(&format!("Subject: Your return authorisation {nl}"))
            .count(),
        1,
        "{log}"
    );
}

#[test]
fn a_restore_reads_the_numbers_of_the_bill_files_too() {
    let shop = Shop::new();
    let nl = shop.inspected(IMEI_NL);
    let backup = shop.path("backup.sqlite");
    shop.ok(&["backup", &backup.display().to_string()]);
    // Bills issued by a database that is gone (an earlier restore, a lost file).
    std::fs::create_dir_all(shop.path("bills")).unwrap();
    std::fs::write(
        shop.path("bills").join("B-000007-RMA-2025-00009.pdf"),
        "old",
    )
    .unwrap();
    let said = shop.ok(&["restore", &backup.display().to_string(), "--yes"]);
    assert!(said.contains("continue after B-000007"), "{said}");
    shop.ok(&["ship", &nl, "--tracking", "RR123456785CN"]);
    assert!(shop.ok(&["bill", &nl]).contains("B-000008"));
    let next = shop
        .ok(&[
            "--at",
            "2025-03-02",
            "open",
            "--imei",
            IMEI_CH,
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string();
    assert_eq!(next, "RMA-2025-00010");
}

/// Make a file look as if it had been left there two hours ago.
fn age_two_hours(path: &Path) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
}

#[test]
fn a_shipped_case_without_its_pdf_is_named_and_its_bill_written_again() {
    let shop = Shop::new();
    let rma = shop.inspected(IMEI_NL);
    // The reader of the output goes away at once: the ship's line is the last thing done.
    let out = Command::new("sh")
        .arg("-c")
        .arg("\"$@\" | (exec <&-; sleep 1)")
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("rmaboard"))
        .args(["--db", &shop.db.display().to_string()])
        .args(["ship", &rma, "--tracking", "RR123456785CN"])
        .env("RMABOARD_CONFIG", shop.path("config.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .env("RMABOARD_USER", "anna")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let pdf = shop.path("bills").join(format!("B-000001-{rma}.pdf"));
    assert!(pdf.exists(), "{out:?}");
    assert!(
        shop.ok(&["doctor"])
            .contains("ok: every shipped case has its PDF")
    );

    // Killed between the commit and the file: doctor names the case, bill writes it.
    std::fs::remove_file(&pdf).unwrap();
    let out = shop.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("{rma} (B-000001-{rma}.pdf)")),
        "{said}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rmaboard bill RMA"),
        "{out:?}"
    );
    let out = shop.run(&["bill", &rma]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("bill B-000001 written to"));
    assert!(pdf.exists() && is_a4(&pdf));
    shop.ok(&["doctor"]);
}

#[test]
fn what_killed_runs_leave_is_reported_and_removed_by_the_next_run() {
    let shop = Shop::new();
    let rma = shop.inspected(IMEI_NL);
    let bills = shop.path("bills");
    std::fs::create_dir_all(&bills).unwrap();
    let litter = [
        bills.join(".rmaboard-bill-a1B2c3"),
        bills.join(".tmpX1y2Z3"),
        shop.path(".rmaboard-backup-d4E5f6"),
        shop.path(".rmaboard-backup-d4E5f6-journal"),
    ];
    for p in &litter {
        std::fs::write(p, "half a file").unwrap();
        age_two_hours(p);
    }
    // One being written right now is not litter.
    std::fs::write(shop.path(".rmaboard-backup-g7H8i9"), "in progress").unwrap();

    let out = shop.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("4 left by interrupted runs"), "{said}");
    for p in &litter {
        assert!(said.contains(&p.display().to_string()), "{said}");
    }

    shop.ok(&["ship", &rma, "--tracking", "RR123456785CN"]);
    shop.ok(&["backup", &shop.path("nightly.sqlite").display().to_string()]);
    for p in &litter {
        assert!(!p.exists(), "{} is still there", p.display());
    }
    assert!(shop.path(".rmaboard-backup-g7H8i9").exists());
    assert!(
        shop.ok(&["doctor"])
            .contains("ok: none left by interrupted runs")
    );
}

#[cfg(unix)]
#[test]
fn files_and_folders_are_for_the_group_only_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let shop = Shop::new();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let umask0 = |db: &Path, args: &[&str]| {
        let out = Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$@\"")
            .arg("sh")
            .arg(assert_cmd::cargo::cargo_bin("rmaboard"))
            .arg("--db")
            .arg(db)
            .args(args)
            .env("RMABOARD_CONFIG", shop.path("config.toml"))
            .env(
                "RMABOARD_SYSTEM_CONFIG",
                "/nonexistent/rmaboard/config.toml",
            )
            .env("RMABOARD_USER", "anna")
            .env("TZ", "UTC")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    let db = shop.path("srv/rmaboard/shop.sqlite");
    umask0(&db, &["init"]);
    assert_eq!(mode(&shop.path("srv")), 0o770);
    assert_eq!(mode(&shop.path("srv/rmaboard")), 0o770);
    assert_eq!(mode(&db), 0o660);
    umask0(
        &db,
        &[
            "sales",
            "import",
            &shop.path("sales.csv").display().to_string(),
        ],
    );
    umask0(
        &db,
        &[
            "--at",
            "2025-03-01",
            "open",
            "--imei",
            IMEI_NL,
            "--fault",
            "x",
        ],
    );
    umask0(&db, &["--at", "2025-03-05", "receive", "RMA-2025-00001"]);
    umask0(
        &db,
        &[
            "--at",
            "2025-03-06",
            "inspect",
            "RMA-2025-00001",
            "--in-house",
            "--pass",
        ],
    );
    umask0(
        &db,
        &["ship", "RMA-2025-00001", "--tracking", "RR123456785CN"],
    );
    let bills = shop.path("srv/rmaboard/bills");
    assert_eq!(mode(&bills), 0o770);
    assert_eq!(mode(&bills.join("B-000001-RMA-2025-00001.pdf")), 0o660);
    let eml = shop.path("mail/out");
    umask0(
        &db,
        &["outbox", "send", "--eml", &eml.display().to_string()],
    );
    assert_eq!(mode(&shop.path("mail")), 0o770);
    assert_eq!(mode(&eml), 0o770);
    for f in std::fs::read_dir(&eml).unwrap() {
        assert_eq!(mode(&f.unwrap().path()), 0o660);
    }
    let export = shop.path("cases.csv");
    umask0(&db, &["export", "--out", &export.display().to_string()]);
    assert_eq!(mode(&export), 0o660);
}

#[cfg(unix)]
#[test]
fn an_export_replaces_a_planted_link_instead_of_following_it() {
    let shop = Shop::new();
    shop.inspected(IMEI_NL);
    let victim = shop.path("victim.txt");
    std::fs::write(&victim, "someone else's file").unwrap();
    let out = shop.path("cases.csv");
    std::os::unix::fs::symlink(&victim, &out).unwrap();
    shop.ok(&["export", "--out", &out.display().to_string()]);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "someone else's file"
    );
    assert!(!std::fs::symlink_metadata(&out).unwrap().is_symlink());
    assert!(std::fs::read_to_string(&out).unwrap().contains(IMEI_NL));
    // Nothing is left beside it.
    let left: Vec<_> = std::fs::read_dir(shop.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".rmaboard-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_restore_over_an_unreadable_database_takes_the_numbers_from_the_bill_files() {
    let shop = Shop::new();
    let nl = shop.inspected(IMEI_NL);
    let backup = shop.path("backup.sqlite");
    shop.ok(&["backup", &backup.display().to_string()]);
    shop.ok(&["ship", &nl, "--tracking", "RR123456785CN"]);
    let pdf = shop.path("bills").join(format!("B-000001-{nl}.pdf"));
    let first_parcel = std::fs::read(&pdf).unwrap();

    // The live file is damaged beyond reading.
    let mut bytes = std::fs::read(&shop.db).unwrap();
    bytes[..100].fill(0x55);
    std::fs::write(&shop.db, &bytes).unwrap();
    assert_eq!(shop.run(&["list"]).status.code(), Some(1));

    let out = shop.run(&["restore", &backup.display().to_string(), "--yes"]);
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("it was moved to") && err.contains("bill files"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("continue after B-000001"));
    let aside = std::fs::read_dir(shop.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("shop.sqlite.unreadable-")
        });
    assert!(aside, "the damaged file is kept aside");

    shop.ok(&["ship", &nl, "--tracking", "RR234567895CN"]);
    assert!(shop.ok(&["bill", &nl]).contains("B-000002"));
    assert_eq!(std::fs::read(&pdf).unwrap(), first_parcel);
}

#[test]
fn a_mail_command_that_quits_without_reading_leaves_the_message_waiting() {
    let shop = Shop::new();
    // A message larger than a pipe holds, so the write is still under way when the
    // command quits.
    std::fs::create_dir_all(shop.path("templates")).unwrap();
    std::fs::write(
        shop.path("templates/rma_instructions.txt"),
        format!(
            "Subject: Your RMA {{rma}}\n\n{}\n",
            "Please read. ".repeat(30_000)
        ),
    )
    .unwrap();
    shop.inspected(IMEI_NL);
    std::fs::write(shop.path("quit"), "").unwrap();
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not take the message"), "{err}");
    let list = shop.ok(&["outbox", "list"]);
    assert!(list.contains("pending"), "{list}");
}

/// What Python's standard-library mail parser, in its strict modern policy, makes of a
/// message: every defect it finds, and the fields as a mail program would show them.
fn parse_strictly(mail: &Path) -> serde_json::Value {
    let script = r#"
import email, email.policy, json, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
defects = [type(d).__name__ for d in m.defects]
for name, value in m.items():
    defects += [name + ': ' + type(d).__name__ for d in getattr(value, 'defects', [])]
frm = m['From'].addresses[0]
print(json.dumps({
    'defects': defects,
    'from_name': frm.display_name,
    'from_addr': frm.addr_spec,
    'to': m['To'].addresses[0].addr_spec,
    'subject': str(m['Subject']),
    'body': m.get_content(),
    'longest_line': max(len(l) for l in raw.split(b'\r\n')),
}))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(mail)
        .output()
        .expect("python3 is needed to check mails with a strict parser");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn mails_parse_without_a_defect_for_names_in_any_script() {
    let senders = [
        (
            "CECT-SHOP Kundendienst Zürich",
            "Handy Zürich Müller & Söhne",
        ),
        ("Serwis CECT, Łódź", "Łukasiewicz Telefony Sp. z o.o."),
        ("深圳CECT售后服务部", "张伟手机批发"),
        ("CECT-SHOP Support", "Mobile Hub Rotterdam"),
    ];
    for (round, (sender, customer)) in senders.iter().enumerate() {
        let shop = Shop::new();
        let config = std::fs::read_to_string(shop.path("config.toml")).unwrap();
        // A name with a comma must be quoted in the config, as in any mail program.
        let from = format!("\"{sender}\" <support@cect-shop.example>");
        std::fs::write(
            shop.path("config.toml"),
            config.replace("[mail]\n", &format!("[mail]\nfrom = '{from}'\n")),
        )
        .unwrap();
        shop.sql()
            .execute(
                "UPDATE sales SET customer_name = ?1 WHERE imei = ?2",
                (customer, IMEI_NL),
            )
            .unwrap();
        let rma = shop.inspected(IMEI_NL);
        // A long subject must be folded, not sent as one 200-character line.
        shop.ok(&["ship", &rma, "--tracking", "RR123456785CN"]);
        let dir = shop.path("eml");
        shop.ok(&["outbox", "send", "--eml", &dir.display().to_string()]);
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let m = parse_strictly(&f);
            let said = format!("round {round}, {}: {m}", f.display());
            assert_eq!(m["defects"], serde_json::json!([]), "{said}");
            assert_eq!(m["from_name"], *sender, "{said}");
            assert_eq!(m["from_addr"], "support@cect-shop.example", "{said}");
            assert_eq!(m["to"], "service@hub.example", "{said}");
            assert!(m["subject"].as_str().unwrap().contains(&rma), "{said}");
            assert!(m["body"].as_str().unwrap().contains(customer), "{said}");
            assert!(m["longest_line"].as_u64().unwrap() <= 998, "{said}");
        }
    }
}

#[test]
fn a_sender_address_that_is_not_one_is_refused_when_the_config_is_read() {
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.path("config.toml")).unwrap();
    std::fs::write(
        shop.path("config.toml"),
        config.replace("[mail]\n", "[mail]\nfrom = \"CECT Support <support@>\"\n"),
    )
    .unwrap();
    let out = shop.run(&["list"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("[mail] from") && said.contains("config"),
        "{said}"
    );
}

#[test]
fn a_message_with_no_address_fails_once_then_waits_for_a_person() {
    let shop = Shop::new();
    shop.sql()
        .execute(
            "UPDATE sales SET customer_email = 'not an address' WHERE imei = ?1",
            [IMEI_NL],
        )
        .unwrap();
    let rma = shop.inspected(IMEI_NL);
    // The first try fails and says so.
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(1));
    // From then on it is set aside for a person: listed as such, not tried by a cron
    // send, which succeeds with the other messages.
    let list = shop.ok(&["outbox", "list"]);
    assert!(list.contains(&rma), "{list}");
    assert!(
        list.contains("no address: reach the customer another way, then drop it"),
        "{list}"
    );
    shop.inspected(IMEI_CH);
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("({rma}) has no address")), "{said}");
    assert_eq!(shop.mail_log().matches("=== end").count(), 1);
    let out = shop.run(&["outbox", "send"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let attempts: i64 = shop
        .sql()
        .query_row(
            "SELECT attempts FROM outbox WHERE to_address IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(attempts, 1, "tried once only");
    assert!(shop.ok(&["outbox", "list"]).contains(&rma));
}

/// A shop whose sales registry also has resellers named in Chinese and in Polish, and a
/// private-use character in a name (in no font at all).
fn resellers_shop(fonts: &str) -> Shop {
    let shop = Shop::new();
    let config = std::fs::read_to_string(shop.path("config.toml")).unwrap();
    std::fs::write(
        shop.path("config.toml"),
        config.replace(
            "[paperwork]\nsystem_fonts = false\n",
            &format!("[paperwork]\nsystem_fonts = false\nfonts = [{fonts}]\n"),
        ),
    )
    .unwrap();
    std::fs::write(
        shop.path("resellers.csv"),
        "imei,order_number,customer_number,model,category,dispatched_on,customer_name,customer_email,customer_address,country\n\
         352099001761481,SO-2001,C-7,CECT P30 Pro,phone,2025-01-10,张伟,zhang@example.cn,北京市朝阳区建国路88号 | 100022 北京,CN\n\
         352099001761499,SO-2002,C-8,CECT Tab 8,tablet,2025-01-10,Łukasiewicz Sp. z o.o.,serwis@example.pl,ul. Żółkiewskiego 12 | 00-001 Warszawa,PL\n\
         352099001761507,SO-2003,C-9,CECT P30 Pro,phone,2025-01-10,Shop \u{10FFFD} One,one@example.com,Main Street 1,NL\n",
    )
    .unwrap();
    shop.ok(&[
        "sales",
        "import",
        &shop.path("resellers.csv").display().to_string(),
    ]);
    shop
}

/// The base names of the fonts a PDF embeds.
fn pdf_fonts(path: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(path).unwrap();
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .map(|d| {
            String::from_utf8_lossy(d.get(b"FontName").unwrap().as_name().unwrap()).into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn a_chinese_and_a_polish_reseller_print_with_the_fonts_that_have_their_letters() {
    let font = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fonts/NotoSansCJKsc-subset.otf");
    let shop = resellers_shop(&format!("{:?}", font.display().to_string()));
    for (imei, tracking) in [
        ("352099001761481", "RR123456785CN"),
        ("352099001761499", "RR473124829CN"),
    ] {
        let rma = shop.inspected(imei);
        let out = shop.run(&["ship", &rma, "--tracking", tracking]);
        assert!(out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!said.contains("warning"), "{said}");
    }
    let bills = shop.path("bills");
    let zhang = bills.join("B-000001-RMA-2025-00001.pdf");
    let text = pdf_text(&zhang);
    // (A change of font splits the line into words for lopdf: "建国路 88 号".)
    for expected in [
        "张伟",
        "北京市朝阳区建国路",
        "100022 北京",
        "CN",
        "CECT P30 Pro mobile phone",
    ] {
        assert!(text.contains(expected), "{expected:?} missing: {text}");
    }
    // Only the fonts the page uses, each cut down to its glyphs (a subset tag).
    let fonts = pdf_fonts(&zhang);
    assert_eq!(fonts.len(), 3, "{fonts:?}");
    assert!(
        fonts.iter().any(|f| f.ends_with("+NotoSansCJKsc-Regular")),
        "{fonts:?}"
    );
    assert!(fonts.iter().all(|f| f.as_bytes()[6] == b'+'), "{fonts:?}");
    let size = std::fs::metadata(&zhang).unwrap().len();
    assert!(size < 60_000, "{size} bytes: the fonts are not subset");

    let luk = bills.join("B-000002-RMA-2025-00002.pdf");
    let text = pdf_text(&luk);
    assert!(
        text.contains("Łukasiewicz Sp. z o.o.") && text.contains("ul. Żółkiewskiego 12"),
        "{text}"
    );
    assert!(
        text.contains("CECT Tab 8 tablet") && text.contains("8471.30"),
        "{text}"
    );
    assert!(pdf_fonts(&luk).iter().all(|f| f.contains("DejaVu")));
}

#[test]
fn a_letter_no_font_has_is_named_and_the_bill_is_still_written() {
    // No font configured: the Chinese reseller's name has no font either.
    let shop = resellers_shop("");
    let rma = shop.inspected("352099001761507");
    let out = shop.run(&["ship", &rma, "--tracking", "RR123456785CN"]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("bill B-000001 written to"), "{said}");
    assert!(
        said.contains("warning: bill B-000001: no font has the character '\u{10FFFD}' (U+10FFFD): it was printed as '?'"),
        "{said}"
    );
    let pdf = shop.path("bills").join(format!("B-000001-{rma}.pdf"));
    assert!(pdf_text(&pdf).contains("Shop ? One"));
    // The plain text keeps the name as it is; a reprint says the same warning.
    assert!(shop.ok(&["bill", &rma]).contains("Shop \u{10FFFD} One"));
    let again = shop.path("again.pdf");
    let out = shop.run(&["bill", &rma, "--out", &again.display().to_string()]);
    assert!(out.status.success() && again.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("U+10FFFD"));

    let zhang = shop.inspected("352099001761481");
    let out = shop.run(&["ship", &zhang, "--tracking", "RR473124829CN"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("'张' (U+5F20)") && said.contains("'伟' (U+4F1F)"),
        "{said}"
    );
}

#[test]
fn a_void_device_goes_back_declared_unrepaired_never_as_a_repair() {
    let shop = Shop::new();
    let rma = shop
        .ok(&[
            "--at",
            "2025-03-01",
            "open",
            "--imei",
            IMEI_NL,
            "--fault",
            "no sound",
        ])
        .trim()
        .to_string();
    shop.ok(&["--at", "2025-03-05", "receive", &rma]);
    shop.ok(&[
        "--at",
        "2025-03-05",
        "void",
        &rma,
        "--reason",
        "water_damage",
        "--note",
        "Wet",
    ]);
    shop.ok(&[
        "--at",
        "2025-03-06",
        "ship",
        &rma,
        "--tracking",
        "RR123456785CN",
    ]);
    let plain = shop.ok(&["bill", &rma]);
    assert!(
        plain.contains("Explanation:             Returned unrepaired, no commercial value"),
        "{plain}"
    );
    let text = pdf_text(&shop.path("bills").join(format!("B-000001-{rma}.pdf")));
    assert!(
        text.contains("Returned unrepaired, no commercial value"),
        "{text}"
    );
    for said in [&plain, &text] {
        assert!(!said.to_lowercase().contains("repair,"), "{said}");
        assert!(!said.contains("Warranty repair"), "{said}");
    }
}

//! `export` for spreadsheets: an optional byte order mark, ISO times, no control
//! characters, nothing a spreadsheet would run as a formula.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use tui_support::*;

fn export(shop: &Shop, extra: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rmaboard"))
        .env("RMABOARD_CONFIG", shop.dir.path().join("none.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .args(["--db", shop.path.to_str().unwrap(), "export"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Quiet on a pipe: no progress bar.
    assert!(out.stderr.is_empty());
    out.stdout
}

#[test]
fn csv_for_spreadsheets() {
    let shop = workshop();
    {
        let mut s = shop.store();
        let c = s.find("RMA-2026-00001").unwrap();
        s.add_note(c.id, "=1+1", "anna", now()).unwrap();
        let v = s.find("RMA-2026-00001").unwrap();
        let edit = rmaboard::domain::case::Change::Edit(rmaboard::domain::case::Edit {
            fault: Some("=HYPERLINK(\"x\")\tbad".into()),
            ..Default::default()
        });
        s.apply(
            v.id,
            v.version,
            edit,
            "anna",
            now(),
            &rmaboard::paperwork::Settings::default(),
        )
        .unwrap();
    }
    let plain = export(&shop, &[]);
    assert!(plain.starts_with(b"rma,imei,"));
    let bom = export(&shop, &["--bom"]);
    assert!(bom.starts_with("\u{feff}rma,imei,".as_bytes()));
    assert_eq!(&bom[3..], &plain[..]);
    // A byte order mark means nothing to JSON: asking for one is a usage mistake.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rmaboard"))
        .env("RMABOARD_CONFIG", shop.dir.path().join("none.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .args(["--db", shop.path.to_str().unwrap(), "export"])
        .args(["--format", "json", "--bom"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--bom is for CSV only"), "{err}");

    let text = String::from_utf8(plain).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r'),
        "{text}"
    );
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in rows.records() {
        let row = row.unwrap();
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
        for name in ["claimed_at", "opened_at", "stage_since", "updated_at"] {
            let t = &row[col(name)];
            assert!(chrono::DateTime::parse_from_rfc3339(t).is_ok(), "{t}");
        }
    }
    assert!(text.contains("'=HYPERLINK"), "{text}");
}

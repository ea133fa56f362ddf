//! The workshop report on a workshop with known contents (tests/tui_support): the store's
//! numbers, and the command line's JSON giving the very same numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use chrono::Local;
use rmaboard::domain::time::{local_date, rfc3339};
use rmaboard::domain::{Clocks, Stage};
use rmaboard::report::{Period, Report};
use tui_support::*;

fn rmaboard() -> std::process::Command {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("rmaboard"))
}

fn report(shop: &Shop) -> Report {
    let period = Period::new(None, None, local_date(now()), &Local).unwrap();
    shop.store()
        .report(period, Local, &Clocks::default(), now(), &mut |_, _| {})
        .unwrap()
}

#[test]
fn the_report_counts_the_workshop() {
    let shop = workshop();
    let r = report(&shop);

    let stages: Vec<(Stage, u64, u64)> = r
        .stages
        .iter()
        .map(|s| (s.stage, s.cases, s.late))
        .collect();
    assert_eq!(
        stages,
        [
            (Stage::Expected, 2, 1),
            (Stage::Received, 3, 1),
            (Stage::AtManufacturer, 2, 1),
            (Stage::Inspected, 2, 1),
            (Stage::Shipped, 2, 0),
        ]
    );

    // Thirteen weeks up to Monday 4 May. The case opened and shipped in early February
    // falls before the period.
    assert_eq!(r.weeks.len(), 13);
    let intake: u64 = r.weeks.iter().map(|w| w.intake).sum();
    let shipped: u64 = r.weeks.iter().map(|w| w.shipped).sum();
    assert_eq!((intake, shipped), (10, 1));
    let last_week = &r.weeks[12];
    assert_eq!(last_week.week.to_string(), "2026-05-04");
    assert_eq!(last_week.intake, 1);

    // Expected: eight finished intervals (2 h to 5 days) and two still waiting (27 h and
    // 33 days so far).
    let expected = &r.time_in_stage[0];
    assert_eq!((expected.intervals, expected.still_in), (10, 2));
    assert_eq!(expected.median_hours, Some(48.0));
    assert_eq!(expected.p90_hours, Some(120.0));
    // At the manufacturer: rounds of 14 and 20.25 days, two still out (13.1 and 45.1 days).
    let at_m = &r.time_in_stage[2];
    assert_eq!((at_m.intervals, at_m.still_in), (4, 2));
    assert_eq!(at_m.median_hours, Some(336.0));
    assert_eq!(at_m.p90_hours, Some(1083.0));

    // Both finished rounds took two weeks to a month.
    let buckets: Vec<u64> = r.turnaround.buckets.iter().map(|b| b.rounds).collect();
    assert_eq!(buckets, [0, 0, 0, 2, 0]);
    assert_eq!(r.turnaround.rounds, 2);

    // Three cases inspected (one in-house), one of them failed once.
    assert_eq!(
        (
            r.inspections.cases,
            r.inspections.failed,
            r.inspections.failed_share
        ),
        (3, 1, 0.333)
    );

    let verdicts: Vec<(&str, u64)> = r
        .verdicts
        .iter()
        .map(|v| (v.verdict.as_str(), v.cases))
        .collect();
    assert_eq!(
        verdicts,
        [("covered", 8), ("goodwill", 1), ("void:water_damage", 1)]
    );

    // Most overdue first: at the manufacturer since 20 March (due 20 April), the
    // parcel expected since 1 April (due 22 April), the void case, the bench case.
    let overdue: Vec<(Stage, i64)> = r.overdue.iter().map(|o| (o.stage, o.days_over)).collect();
    assert_eq!(
        overdue,
        [
            (Stage::AtManufacturer, 14),
            (Stage::Expected, 12),
            (Stage::Inspected, 9),
            (Stage::Received, 1),
        ]
    );
}

#[test]
fn the_command_line_json_has_the_same_numbers() {
    let shop = workshop();
    let expected = serde_json::to_value(report(&shop)).unwrap();
    let out = rmaboard()
        .env("RMABOARD_CONFIG", shop.dir.path().join("none.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .args(["--db", shop.path.to_str().unwrap(), "--at", &rfc3339(now())])
        .args(["report", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got, expected);

    // The text form says the same, and a period can be chosen.
    let out = rmaboard()
        .env("RMABOARD_CONFIG", shop.dir.path().join("none.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .args(["--db", shop.path.to_str().unwrap(), "--at", &rfc3339(now())])
        .args(["report", "--from", "2026-04-01", "--to", "2026-04-30"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Workshop report 2026-04-01 to 2026-04-30"),
        "{text}"
    );
    assert!(text.contains("Overdue now: 4"), "{text}");
    // Quiet on a pipe: no progress bar on stderr.
    assert!(out.stderr.is_empty());

    let out = rmaboard()
        .env("RMABOARD_CONFIG", shop.dir.path().join("none.toml"))
        .env(
            "RMABOARD_SYSTEM_CONFIG",
            "/nonexistent/rmaboard/config.toml",
        )
        .args(["--db", shop.path.to_str().unwrap()])
        .args(["report", "--from", "2026-05-01", "--to", "2026-04-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --from on or before --to"));
}

#[test]
fn the_report_view_on_the_board() {
    let shop = workshop();
    for (w, h) in [(80u16, 24u16), (160, 45)] {
        let mut b = shop.board("anna", w, h);
        b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
        press(&mut b, crossterm::event::KeyCode::Char('r'));
        insta::assert_snapshot!(format!("report_{w}x{h}"), screen(&mut b, w, h));
        // Any other key closes it.
        press(&mut b, crossterm::event::KeyCode::Esc);
        assert!(b.app.overlay.is_none());
    }
}

#[test]
fn without_colour_the_two_weekly_lines_have_their_own_marks() {
    let shop = workshop();
    let mut b = shop.board("anna", 160, 45);
    b.theme = rmaboard::tui::theme::Theme::plain();
    press(&mut b, crossterm::event::KeyCode::Char('r'));
    let shown = screen(&mut b, 160, 45);
    let legend = shown
        .lines()
        .find(|l| l.contains("Per week:"))
        .unwrap_or_default();
    let mark = |name: &str| {
        let at = legend.find(name).unwrap();
        legend[..at].trim_end().chars().last().unwrap()
    };
    let (intake, shipped) = (mark("intake"), mark("shipped"));
    assert_ne!(intake, shipped, "{legend}");
    // Each line is drawn with its own mark.
    let chart: String = shown
        .lines()
        .skip_while(|l| !l.contains("Per week:"))
        .take(12)
        .collect();
    assert!(chart.matches(shipped).count() > 1, "{shown}");
}

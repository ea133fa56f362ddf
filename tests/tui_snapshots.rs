//! Whole screens at 80x24 (a small SSH window: one pane with tabs) and 160x45 (panes side
//! by side), on a fixed workshop at a fixed time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use crossterm::event::KeyCode;
use rmaboard::tui::Board;
use tui_support::*;

const SMALL: (u16, u16) = (80, 24);
const LARGE: (u16, u16) = (160, 45);

fn board(shop: &Shop, size: (u16, u16)) -> Board {
    let mut b = shop.board("anna", size.0, size.1);
    // The temporary folder's name changes with every run.
    b.app.settings.db = "/srv/rmaboard/rma.sqlite".into();
    b
}

fn both(name: &str, setup: impl Fn(&mut Board)) {
    let shop = workshop();
    for (w, h) in [SMALL, LARGE] {
        let mut b = board(&shop, (w, h));
        setup(&mut b);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&mut b, w, h));
    }
}

#[test]
fn board_view() {
    both("board", |b| {
        // Focus the Received pane with its late and goodwill cards.
        press(b, KeyCode::Char('l'));
    });
}

#[test]
fn detail_view() {
    both("detail", |b| {
        // The goodwill case with a note, found by its RMA as a scanner types it.
        scan(b, "RMA-2026-00011");
    });
}

#[test]
fn form_with_a_validation_error() {
    both("ship_form_error", |b| {
        scan(b, "RMA-2026-00007");
        press(b, KeyCode::Char('>'));
        // One digit off: the S10 check digit is wrong.
        type_text(b, "RR123456784CN");
    });
}

#[test]
fn new_case_form_shows_the_verdict() {
    both("new_case_refused", |b| {
        press(b, KeyCode::Char('n'));
        type_text(b, device(13).as_str());
        press(b, KeyCode::Enter);
        press(b, KeyCode::Enter);
        type_text(b, "no power");
        ctrl(b, 's');
    });
}

#[test]
fn undo_says_what_it_would_undo_and_asks() {
    both("undo_asks", |b| {
        scan(b, "RMA-2026-00003");
        press(b, KeyCode::Char('<'));
        press(b, KeyCode::Char('u'));
    });
}

#[test]
fn help_overlay() {
    both("help", |b| press(b, KeyCode::Char('?')));
}

#[test]
fn a_conflict_is_explained() {
    for (w, h) in [SMALL, LARGE] {
        let shop = workshop();
        let mut mine = board(&shop, (w, h));
        let mut theirs = shop.board("ben", w, h);
        for b in [&mut mine, &mut theirs] {
            scan(b, "RMA-2026-00004");
        }
        // Ben receives it at the parcel desk first...
        press(&mut theirs, KeyCode::Char('<'));
        // ...then Anna, who still sees it in Received, sends it to the manufacturer.
        press(&mut mine, KeyCode::Char('>'));
        press(&mut mine, KeyCode::Char('s'));
        type_text(&mut mine, "ZTE-1");
        press(&mut mine, KeyCode::Enter);
        // Times in the sentence are local; name them for a stable picture.
        let text = screen(&mut mine, w, h).replace(
            &rmaboard::domain::time::local_minutes(now()),
            "YYYY-MM-DD hh:mm",
        );
        insta::assert_snapshot!(format!("conflict_{w}x{h}"), text);
    }
}

#[test]
fn search_narrows_as_you_type() {
    both("search", |b| {
        press(b, KeyCode::Char('/'));
        type_text(b, "Handy");
    });
}

#[test]
fn tiny_terminals_and_resizes_never_crash() {
    let shop = workshop();
    let mut b = board(&shop, SMALL);
    for (w, h) in [
        (1, 1),
        (20, 5),
        (39, 9),
        (40, 10),
        (55, 12),
        (120, 30),
        (200, 60),
        (80, 24),
    ] {
        let text = screen(&mut b, w, h);
        assert_eq!(text.lines().count(), usize::from(h));
        press(&mut b, KeyCode::Char('?'));
        screen(&mut b, w, h);
        press(&mut b, KeyCode::Esc);
        scan(&mut b, "RMA-2026-00006");
        screen(&mut b, w, h);
        press(&mut b, KeyCode::Char('>'));
        screen(&mut b, w, h);
        press(&mut b, KeyCode::Esc);
        press(&mut b, KeyCode::Esc);
    }
    assert!(screen(&mut b, 30, 8).contains("at least"));
}

/// The text snapshots drop styles; this checks the colours a user relies on. A late card
/// is red and bold with its `!`; without colour (`NO_COLOR`) it keeps the `!` and the
/// bold, and the selected card keeps its reverse video.
#[test]
fn late_cards_stand_out_in_colour_and_without() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Modifier};
    use rmaboard::tui::theme::Theme;

    let shop = workshop();
    for colored in [true, false] {
        let mut b = board(&shop, (160, 45));
        b.theme = if colored {
            Theme::colored()
        } else {
            Theme::plain()
        };
        let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
        t.draw(|f| b.draw(f)).unwrap();
        let buf = t.backend().buffer().clone();
        let row_text =
            |y: u16| -> String { (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect() };
        // The first card row of the Expected pane holds the overdue parcel.
        let (y, line) = (0..45)
            .map(|y| (y, row_text(y)))
            .find(|(_, l)| l.contains("! RMA-2026-00002"))
            .expect("the overdue Expected card is drawn with its `!`");
        let x = line.find("RMA-2026-00002").unwrap();
        let x = line[..x].chars().count() as u16;
        let cell = &buf[(x, y)];
        assert!(
            cell.modifier.contains(Modifier::BOLD),
            "late is bold: {cell:?}"
        );
        if colored {
            assert_eq!(cell.fg, Color::Red, "late is red");
        } else {
            for y in 0..45 {
                for x in 0..160 {
                    let c = &buf[(x, y)];
                    assert!(
                        matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset),
                        "no colour at {x},{y}: {c:?}"
                    );
                }
            }
            // The selected card still shows, by reverse video.
            let reversed = (0..45)
                .flat_map(|y| (0..160).map(move |x| (x, y)))
                .any(|(x, y)| buf[(x, y)].modifier.contains(Modifier::REVERSED));
            assert!(reversed, "the selection is visible without colour");
        }
    }
}

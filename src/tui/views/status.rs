//! The two bottom lines: a message (or the scan in progress, or key hints) and the status
//! bar. A message too long for one line opens a box above them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clip, popup, width, wrap};
use crate::domain::text::clean_line;
use crate::tui::action::{Action, DetailAction};
use crate::tui::app::{App, MessageKind, Screen};
use crate::tui::theme::Theme;

const BOARD_HINTS: &[Action] = &[
    Action::MoveForward,
    Action::MoveBack,
    Action::Mark,
    Action::Details,
    Action::NewCase,
    Action::AddNote,
    Action::Search,
    Action::Undo,
    Action::Help,
    Action::Quit,
];

/// After the detail view's own "back".
const DETAIL_HINTS: &[Action] = &[
    Action::MoveForward,
    Action::MoveBack,
    Action::AddNote,
    Action::Edit,
    Action::Void,
    Action::Undo,
    Action::Help,
];

/// Hints from the key map: "> next stage  < stage back ...", cut to the width. While an
/// overlay is open, its own keys.
fn hints<'a>(app: &App, theme: &Theme, w: usize) -> Line<'a> {
    let keys = &app.settings.keymap;
    let board = |actions: &[Action]| -> Vec<(String, &'static str)> {
        actions
            .iter()
            .map(|&a| (keys.first_key(a), a.label()))
            .collect()
    };
    let (hints, scanning) = match (&app.overlay, &app.screen) {
        (Some(overlay), _) => (overlay.hints(keys), false),
        (None, Screen::Board) if app.inbox.focused => (
            vec![
                (keys.first_key(Action::Details), "open the mail"),
                (keys.pair(Action::CaseUp, Action::CaseDown), "request"),
                (keys.pair(Action::PaneLeft, Action::PaneRight), "pane"),
                (keys.first_key(Action::ToggleRequests), "hide requests"),
                (keys.first_key(Action::Help), Action::Help.label()),
                (keys.first_key(Action::Quit), Action::Quit.label()),
            ],
            true,
        ),
        (None, Screen::Board) => (board(BOARD_HINTS), true),
        (None, Screen::Detail(_)) => {
            let mut hints = vec![(
                keys.first_key(DetailAction::Back),
                DetailAction::Back.label(),
            )];
            hints.extend(board(DETAIL_HINTS));
            (hints, true)
        }
    };
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, label) in hints {
        if key.is_empty() {
            continue;
        }
        let label = format!(" {label} ");
        let need = width(&key) + width(&label) + 1;
        if used + need > w {
            break;
        }
        used += need;
        spans.push(Span::styled(format!(" {key}"), theme.key()));
        spans.push(Span::raw(label));
    }
    let scan = "  scan or type a number, Enter: find";
    if scanning && used + width(scan) <= w {
        spans.push(Span::styled(scan, theme.dim()));
    }
    Line::from(spans)
}

/// Draw the message line and the status bar in `area`; a long message opens a box over `above`.
pub fn draw(frame: &mut Frame, area: Rect, above: Rect, app: &App, theme: &Theme) {
    let [message_line, status_line] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let w = usize::from(area.width);
    let line = if !app.scan.is_empty() {
        Line::from(vec![
            Span::styled(" Scan: ", theme.title()),
            Span::styled(clip(&app.scan, w.saturating_sub(40)), theme.key()),
            Span::styled("▏ Enter find · Esc clear", theme.dim()),
        ])
    } else if let Some(saving) = app.saving.as_ref().filter(|s| s.waiting) {
        let stop = app.settings.keymap.first_key(Action::StopWaiting);
        Line::from(vec![
            Span::styled(
                clip(
                    &format!(
                        " … saving {} (waiting for the database: a colleague is saving) ",
                        clean_line(&saving.what)
                    ),
                    w.saturating_sub(30),
                ),
                theme.warning(),
            ),
            Span::styled(format!(" {stop}"), theme.key()),
            Span::raw(" stop waiting, nothing is saved"),
        ])
    } else if let Some(m) = &app.message {
        let style = match m.kind {
            MessageKind::Info => theme.ok(),
            MessageKind::Error => theme.error(),
        };
        let mark = match m.kind {
            MessageKind::Info => " ✓ ",
            MessageKind::Error => " ✗ ",
        };
        if width(&m.text) + 3 <= w {
            Line::from(vec![
                Span::styled(mark, style),
                Span::styled(m.text.clone(), style),
            ])
        } else {
            draw_message_box(frame, above, &m.text, mark, style);
            Line::styled(format!("{mark}see above · any key to go on"), style)
        }
    } else {
        hints(app, theme, w)
    };
    frame.render_widget(Paragraph::new(line), message_line);

    let people = if app.counted {
        app.people.to_string()
    } else {
        "…".to_string()
    };
    let mut left = format!(
        " rmaboard │ {} │ {} │ {people} at work ",
        clean_line(&app.settings.db),
        clean_line(&app.settings.user),
    );
    let right = format!(
        "{} {} help ",
        marked(app),
        app.settings.keymap.first_key(Action::Help)
    );
    let read_only = " READ-ONLY: look only, changes are refused ";
    let looks_only = app.settings.read_only || app.outdated.is_some();
    let ro_w = if looks_only { width(read_only) } else { 0 };
    left = clip(&left, w.saturating_sub(width(&right) + ro_w));
    let gap = w.saturating_sub(width(&left) + ro_w + width(&right));
    let mut spans = vec![Span::raw(left)];
    if looks_only {
        spans.push(Span::styled(read_only, theme.warning()));
    }
    spans.push(Span::raw(" ".repeat(gap)));
    spans.push(Span::raw(right));
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status()),
        status_line,
    );
}

/// " Smart Gent BV only · c clears │ 3 marked · Esc clears │" while one reseller is
/// shown and cards are marked; "" when neither.
fn marked(app: &App) -> String {
    let keys = &app.settings.keymap;
    let mut out = String::new();
    if let Some(only) = app.filter_label() {
        out.push_str(&format!(
            " {} · {} clears │",
            clean_line(&crate::tui::views::fit(&only, 30)),
            keys.first_key(Action::Reseller)
        ));
    }
    match app.marked_count() {
        0 => {}
        n => out.push_str(&format!(
            " {n} marked · {} clears │",
            keys.first_key(Action::Back)
        )),
    }
    out
}

fn draw_message_box(
    frame: &mut Frame,
    above: Rect,
    text: &str,
    mark: &str,
    style: ratatui::style::Style,
) {
    let inner_w = usize::from(above.width.saturating_sub(4));
    let lines = wrap(text, inner_w);
    // Inside the frame of what is above: its edges stay drawn around the box.
    let h = (lines.len() as u16 + 2).min(above.height.saturating_sub(2));
    let area = popup(
        frame,
        Rect {
            x: above.x + 1,
            y: above.bottom().saturating_sub(h + 1),
            width: above.width.saturating_sub(2),
            height: h,
        },
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(mark.to_string(), style));
    let body: Vec<Line> = lines.into_iter().map(|l| Line::styled(l, style)).collect();
    frame.render_widget(Paragraph::new(body).block(block), area);
}

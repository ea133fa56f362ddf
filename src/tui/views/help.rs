//! The help overlay, written from the key map: the board's keys, then the keys of the
//! detail view and of each overlay.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clip, hint_line, pad, popup, width, wrap};
use crate::tui::action::{HelpAction, Mode};
use crate::tui::app::App;
use crate::tui::keymap::KeyMap;
use crate::tui::layout::centered;
use crate::tui::theme::Theme;

/// The keys column is at least this wide, wider when a mode's keys need it.
const KEYS_W: usize = 9;
/// Room for a description: two columns of bindings when both get this much.
const DESC_W: usize = 27;

/// Draw the help in `area`, scrolled down `scroll` lines.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, scroll: u16, theme: &Theme) {
    let box_area = centered(area, area.width.saturating_sub(4).min(96), area.height);
    let inner_w = usize::from(box_area.width.saturating_sub(2));
    let mut lines = vec![
        Line::styled(
            clip(
                "Scan or type an IMEI, RMA or tracking number + Enter: jump to its case.",
                inner_w,
            ),
            theme.title(),
        ),
        Line::raw(clip(
            "A scan never runs a command or answers a question: scanning is safe.",
            inner_w,
        )),
        Line::raw(""),
    ];
    let keys = &app.settings.keymap;
    lines.extend(section(keys, Mode::Board, inner_w, theme));
    lines.push(Line::raw(""));
    let legend = [
        (
            "Card marks: ",
            "! late (also red)   R2 second round at the manufacturer",
        ),
        ("", "X void, returned unrepaired   G goodwill (override)"),
        ("", "* marked: > < v and ship act on every marked card"),
    ];
    for (head, text) in legend {
        lines.push(Line::from(vec![
            Span::styled(format!("{head:<12}"), theme.title()),
            Span::raw(clip(text, inner_w.saturating_sub(12))),
        ]));
    }
    // Then the keys of the detail view and of each overlay, mode by mode.
    for mode in Mode::ALL.into_iter().filter(|&m| m != Mode::Board) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(clip(mode.title(), inner_w), theme.title()));
        lines.extend(section(keys, mode, inner_w, theme));
        for l in mode.note().map(|n| wrap(n, inner_w)).unwrap_or_default() {
            lines.push(Line::styled(l, theme.dim()));
        }
    }
    let needed = lines.len() as u16 + 2;
    let box_area = centered(area, box_area.width, needed.min(area.height));
    let popup_area = popup(frame, box_area);
    let more = needed > popup_area.height;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(
            " Help: keys (from the key map) ",
            theme.title(),
        ));
    let scroll_keys = match more {
        true => keys.pair(HelpAction::ScrollUp, HelpAction::ScrollDown),
        false => String::new(),
    };
    let bottom = hint_line(&[
        (scroll_keys, "scroll"),
        (keys.first_key(HelpAction::Close), "close"),
    ]);
    block = block.title_bottom(Line::styled(format!(" {bottom} "), theme.dim()).right_aligned());
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup_area,
    );
}

/// One mode's bindings with their descriptions, in two columns when there is room.
fn section(keys: &KeyMap, mode: Mode, inner_w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let entries: Vec<(String, String)> = keys
        .mode(mode)
        .filter(|b| !b.keys.is_empty())
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
            (keys.join(" "), b.desc.clone())
        })
        .collect();
    let keys_w = entries
        .iter()
        .map(|(k, _)| width(k) + 1)
        .max()
        .unwrap_or(0)
        .max(KEYS_W);
    let entry = |(k, d): &(String, String), w: usize| -> Vec<Span<'static>> {
        vec![
            Span::styled(pad(k, keys_w), theme.key()),
            Span::raw(pad(
                &clip(d, w.saturating_sub(keys_w)),
                w.saturating_sub(keys_w),
            )),
        ]
    };
    let mut lines = Vec::new();
    if inner_w >= 2 * (keys_w + DESC_W) + 2 {
        let col = (inner_w - 2) / 2;
        let half = entries.len().div_ceil(2);
        for i in 0..half {
            let mut spans = entry(&entries[i], col);
            if let Some(right) = entries.get(i + half) {
                spans.push(Span::raw("  "));
                spans.extend(entry(right, col));
            }
            lines.push(Line::from(spans));
        }
    } else {
        for e in &entries {
            lines.push(Line::from(entry(e, inner_w)));
        }
    }
    lines
}

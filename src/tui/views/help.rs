//! The help overlay, written from the key map.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clip, pad, popup};
use crate::tui::action::Mode;
use crate::tui::app::App;
use crate::tui::layout::centered;
use crate::tui::theme::Theme;

const KEYS_W: usize = 9;
/// Two columns of bindings from this inner width (the default descriptions fit).
const TWO_COLUMNS: usize = 2 * (KEYS_W + 27) + 2;

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
            "Digits and capital letters never run commands: scanning is safe.",
            inner_w,
        )),
        Line::raw(""),
    ];
    let entries: Vec<(String, String)> = app
        .settings
        .keymap
        .mode(Mode::Board)
        .filter(|b| !b.keys.is_empty())
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
            (keys.join(" "), b.desc.clone())
        })
        .collect();
    let entry = |(k, d): &(String, String), w: usize| -> Vec<Span<'static>> {
        vec![
            Span::styled(pad(k, KEYS_W), theme.key()),
            Span::raw(pad(
                &clip(d, w.saturating_sub(KEYS_W)),
                w.saturating_sub(KEYS_W),
            )),
        ]
    };
    if inner_w >= TWO_COLUMNS {
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
    lines.push(Line::raw(""));
    let legend = [
        (
            "Card marks: ",
            "! late (also red)   R2 second round at the manufacturer",
        ),
        ("", "X void, returned unrepaired   G goodwill (override)"),
    ];
    for (head, text) in legend {
        lines.push(Line::from(vec![
            Span::styled(format!("{head:<12}"), theme.title()),
            Span::raw(clip(text, inner_w.saturating_sub(12))),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(clip(
        "Forms: Enter next/save · Tab field · ←/→ choose · Ctrl-S save · Esc cancel",
        inner_w,
    )));
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
    let bottom = if more {
        " ↑/↓ scroll · Esc close "
    } else {
        " Esc close "
    };
    block = block.title_bottom(Line::styled(bottom, theme.dim()).right_aligned());
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup_area,
    );
}

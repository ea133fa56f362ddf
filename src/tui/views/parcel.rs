//! An inbound parcel being unpacked: its expected cases, ticked as their IMEIs are
//! scanned, and what the last scan did.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{fit, pad, popup, wrap};
use crate::tui::action::ChoiceAction;
use crate::tui::keymap::KeyMap;
use crate::tui::layout::centered;
use crate::tui::overlay::Parcel;
use crate::tui::theme::Theme;

/// Draw the parcel's cases and the last scan's note in `area`.
pub fn draw(frame: &mut Frame, area: Rect, parcel: &Parcel, keys: &KeyMap, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(72);
    let inner_w = usize::from(w.saturating_sub(4));
    let note = wrap(parcel.note.as_deref().unwrap_or(""), inner_w);
    let room = usize::from(area.height.saturating_sub(8 + note.len() as u16)).max(1);
    let shown = parcel.cases.len().min(room);
    // The cases, a gap, the note, the number being typed, a gap, the hint, the borders.
    let more = usize::from(shown < parcel.cases.len());
    let typed = usize::from(!parcel.typed.is_empty());
    let h = (shown + more + note.len() + typed + 5) as u16;
    let rect = popup(frame, centered(area, w, h.min(area.height)));
    let mut lines: Vec<Line> = Vec::new();
    for c in parcel.cases.iter().take(shown) {
        let mark = if c.ticked { "[x]" } else { "[ ]" };
        let text = format!(
            "{mark} {}  {}  …{}",
            c.target.rma,
            pad(&fit(&c.model, 18), 18),
            c.imei.tail(6)
        );
        let style = if c.ticked {
            theme.selected()
        } else {
            theme.base()
        };
        lines.push(Line::styled(pad(&text, inner_w), style));
    }
    if shown < parcel.cases.len() {
        lines.push(Line::styled(
            format!("… and {} more", parcel.cases.len() - shown),
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(note.into_iter().map(|l| Line::styled(l, theme.title())));
    if !parcel.typed.is_empty() {
        lines.push(Line::raw(format!("> {}", fit(&parcel.typed, inner_w))));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "scan each IMEI · {} receive the ticked · {} leave, save nothing",
            keys.first_key(ChoiceAction::Pick),
            keys.first_key(ChoiceAction::Cancel)
        ),
        theme.dim(),
    ));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(
            format!(
                " Parcel {}: {} of {} out ",
                parcel.tracking,
                parcel.ticked(),
                parcel.cases.len()
            ),
            theme.title(),
        ));
    frame.render_widget(
        Paragraph::new(lines).block(block.padding(ratatui::widgets::Padding::horizontal(1))),
        rect,
    );
}

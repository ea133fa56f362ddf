//! The reseller filter's picker: customer number, name and cases on the board, narrowing
//! as you type.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clip, fit, hint_line, pad, popup, width};
use crate::domain::text::clean_line;
use crate::tui::action::SearchAction;
use crate::tui::app::App;
use crate::tui::layout::centered;
use crate::tui::overlay::ResellerPicker;
use crate::tui::theme::Theme;

/// Draw the picker in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, p: &ResellerPicker, theme: &Theme) {
    let rect = popup(
        frame,
        centered(area, area.width.saturating_sub(4).min(80), area.height),
    );
    let keys = &app.settings.keymap;
    let hints = hint_line(&[
        (keys.pair(SearchAction::Up, SearchAction::Down), "pick"),
        (
            keys.first_key(SearchAction::Show),
            if p.ready {
                "mark their parcel"
            } else {
                "show only theirs"
            },
        ),
        (keys.first_key(SearchAction::Close), "close"),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(
            if p.ready {
                " Ship one reseller's parcel "
            } else {
                " Show one reseller "
            },
            theme.title(),
        ))
        .title_bottom(Line::styled(format!(" {hints} "), theme.dim()).right_aligned());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = usize::from(inner.width);
    let query = p.input.text();
    let mut lines = vec![Line::from(vec![
        Span::styled("Reseller: ", theme.label()),
        Span::raw(clip(query, w.saturating_sub(11))),
    ])];
    let shown = p.shown();
    let note = match &p.all {
        None => "loading…".to_string(),
        Some(all) if all.is_empty() => "no reseller has cases on the board".to_string(),
        Some(_) if shown.is_empty() => "no reseller matches".to_string(),
        Some(_) if p.ready => format!(
            "{} with devices ready to ship: pick whose parcel to mark",
            crate::domain::text::count(shown.len() as u64, "reseller")
        ),
        Some(_) => format!(
            "{} with cases on the board: type a customer number or name",
            crate::domain::text::count(shown.len() as u64, "reseller")
        ),
    };
    lines.push(Line::styled(clip(&note, w), theme.dim()));
    let rows = usize::from(inner.height.saturating_sub(2));
    let start = p.selected.saturating_sub(rows.saturating_sub(1));
    for (i, r) in shown.iter().enumerate().skip(start).take(rows) {
        let cases = if p.ready {
            format!("{} ready", r.cases)
        } else {
            crate::domain::text::count(r.cases, "case")
        };
        let name_w = w.saturating_sub(12 + 2 + width(&cases) + 2);
        let text = format!(
            "{}  {}  {cases}",
            pad(&fit(&clean_line(&r.customer_number), 12), 12),
            pad(
                &fit(&clean_line(r.name.as_deref().unwrap_or("")), name_w),
                name_w
            ),
        );
        let style = if i == p.selected {
            theme.selected()
        } else {
            theme.base()
        };
        lines.push(Line::styled(pad(&text, w), style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let cx = inner.x + 10 + width(&clip(query, w.saturating_sub(11))) as u16;
    frame.set_cursor_position(Position::new(
        cx.min(inner.right().saturating_sub(1)),
        inner.y,
    ));
}

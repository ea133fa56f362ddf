//! Search across RMA, IMEI, tracking numbers, customer and notes, narrowing as you type.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::{clip, fit, hint_line, pad, popup, put_lines, width};
use crate::tui::action::SearchAction;
use crate::tui::app::App;
use crate::tui::layout::centered;
use crate::tui::overlay::Search;
use crate::tui::theme::Theme;

/// Draw the search box and its results in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &Search, theme: &Theme) {
    let rect = popup(
        frame,
        centered(area, area.width.saturating_sub(4).min(110), area.height),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(" Search ", theme.title()))
        .title_bottom(Line::styled(hints(app), theme.dim()).right_aligned());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = usize::from(inner.width);
    let query = s.input.text();
    let mut lines = vec![Line::from(vec![
        Span::styled("Find: ", theme.label()),
        Span::raw(clip(query, w.saturating_sub(7))),
    ])];
    let note = if query.trim().is_empty() {
        "RMA, IMEI, tracking number, manufacturer ref, model, fault, order, customer or note text"
            .to_string()
    } else if s.results.is_empty() {
        "no case matches".to_string()
    } else {
        format!(
            "{}, newest first",
            crate::domain::text::count(s.results.len() as u64, "case")
        )
    };
    lines.push(Line::styled(clip(&note, w), theme.dim()));
    let rows = usize::from(inner.height.saturating_sub(2));
    let start = s.selected.saturating_sub(rows.saturating_sub(1));
    for (i, c) in s.results.iter().enumerate().skip(start).take(rows) {
        let text = format!(
            "{}  {}  {}  {}  {}  {}",
            c.rma,
            pad(c.stage.title(), 15),
            pad(&fit(&c.model, 18), 18),
            c.imei,
            pad(&fit(&c.customer_number, 10), 10),
            fit(&c.fault, 60)
        );
        let style = if i == s.selected {
            theme.selected()
        } else if app.is_late(c) {
            theme.late()
        } else {
            theme.base()
        };
        lines.push(Line::styled(pad(&text, w), style));
    }
    put_lines(frame.buffer_mut(), inner, lines);
    let cx = inner.x + 6 + width(&clip(query, w.saturating_sub(7))) as u16;
    frame.set_cursor_position(Position::new(
        cx.min(inner.right().saturating_sub(1)),
        inner.y,
    ));
}

fn hints(app: &App) -> String {
    let keys = &app.settings.keymap;
    let line = hint_line(&[
        (keys.pair(SearchAction::Up, SearchAction::Down), "pick"),
        (keys.first_key(SearchAction::Show), "show"),
        (keys.first_key(SearchAction::Close), "close"),
    ]);
    format!(" {line} ")
}

//! The outbox on the board: customer messages waiting to be sent (the RMA instructions
//! drafted on opening, the shipping notice drafted on shipping), one picked and shown
//! whole; one key sends them all through the configured mail command, another drops the
//! picked one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{clip, fit, hint_line, pad, popup};
use crate::domain::text::clean_line;
use crate::paperwork::OutboxMessage;
use crate::tui::action::OutboxAction;
use crate::tui::keymap::KeyMap;
use crate::tui::theme::Theme;

/// Draw the outbox in `area`: the list, and the picked message in full.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    messages: Option<&[OutboxMessage]>,
    selected: usize,
    scroll: u16,
    keys: &KeyMap,
    theme: &Theme,
) {
    let hints = hint_line(&[
        (keys.pair(OutboxAction::Up, OutboxAction::Down), "pick"),
        (
            keys.pair(OutboxAction::PageUp, OutboxAction::PageDown),
            "scroll",
        ),
        (keys.first_key(OutboxAction::SendAll), "send all"),
        (keys.first_key(OutboxAction::Drop), "drop picked"),
        (keys.first_key(OutboxAction::Close), "close"),
    ]);
    let area = popup(frame, area);
    let outer = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(
            " Outbox: messages to customers ",
            theme.title(),
        ))
        .title_bottom(Line::from(format!(" {hints} ")).right_aligned());
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let Some(list) = messages else {
        frame.render_widget(Paragraph::new("reading the outbox…"), inner);
        return;
    };
    if list.is_empty() {
        frame.render_widget(
            Paragraph::new("Nothing waiting: every message was sent or dropped.")
                .style(theme.dim()),
            inner,
        );
        return;
    }
    let rows = (list.len() as u16).min(inner.height / 3).max(1);
    let [top, body] =
        Layout::vertical([Constraint::Length(rows + 1), Constraint::Min(0)]).areas(inner);
    let w = usize::from(top.width);
    // Keep the picked message in view.
    let first = selected.saturating_sub(usize::from(rows).saturating_sub(1));
    let mut lines = vec![Line::styled(
        pad(&format!("{} waiting", list.len()), w),
        theme.label(),
    )];
    for (i, m) in list.iter().enumerate().skip(first).take(usize::from(rows)) {
        let to = m.to_address.as_deref().unwrap_or("no address");
        let state = match &m.last_error {
            _ if m.needs_person() => "no address: drop it".to_string(),
            Some(_) => format!("{} (failed {}x)", m.status.as_str(), m.attempts),
            None => m.status.as_str().to_string(),
        };
        let text = format!(
            "#{:<5} {:<15} {:<17} {:<22} {}",
            m.id,
            fit(&m.rma, 15),
            m.kind.as_str(),
            fit(to, 22),
            fit(&state, 24)
        );
        let style = if i == selected {
            theme.selected()
        } else if m.last_error.is_some() {
            theme.error()
        } else {
            theme.base()
        };
        lines.push(Line::styled(pad(&clip(&text, w), w), style));
    }
    frame.render_widget(Paragraph::new(lines), top);

    let Some(m) = list.get(selected) else {
        return;
    };
    let mut text = vec![Line::from(vec![
        Span::styled("Subject  ", theme.label()),
        Span::raw(clean_line(&m.subject)),
    ])];
    if let Some(e) = &m.last_error {
        text.push(Line::from(vec![
            Span::styled("Error    ", theme.label()),
            Span::styled(clean_line(e), theme.error()),
        ]));
    }
    text.push(Line::raw(""));
    // The body is already clean text from the templates and the store; clean it again
    // line by line, as everything from the database is before it is drawn.
    text.extend(m.body.lines().map(|l| Line::raw(clean_line(l))));
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.border()),
            ),
        body,
    );
}

//! A short question with lettered answers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{pad, popup, wrap};
use crate::tui::action::ChoiceAction;
use crate::tui::keymap::KeyMap;
use crate::tui::layout::centered;
use crate::tui::overlay::Choice;
use crate::tui::theme::Theme;

/// Draw the question and its lettered answers in `area`.
pub fn draw(frame: &mut Frame, area: Rect, choice: &Choice, keys: &KeyMap, theme: &Theme) {
    let options = choice.kind.options();
    let w = area.width.saturating_sub(4).min(64);
    let inner_w = usize::from(w.saturating_sub(4));
    let question = wrap(&choice.question(), inner_w);
    let h = options.len() as u16 + 5 + question.len() as u16;
    let rect = popup(frame, centered(area, w, h));
    let mut lines: Vec<Line> = question
        .into_iter()
        .map(|l| Line::styled(l, theme.title()))
        .collect();
    lines.push(Line::raw(""));
    for (i, (key, label)) in options.iter().enumerate() {
        let text = pad(&format!(" [{key}] {label}"), inner_w);
        let style = if i == choice.selected {
            theme.selected()
        } else {
            theme.base()
        };
        lines.push(Line::styled(text, style));
    }
    lines.push(Line::raw(""));
    let hint = format!(
        "letter, or {} and {} · {} cancel",
        keys.pair(ChoiceAction::Up, ChoiceAction::Down),
        keys.first_key(ChoiceAction::Pick),
        keys.first_key(ChoiceAction::Cancel)
    );
    lines.push(Line::styled(hint, theme.dim()));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(
            match choice.together.len() {
                0 => format!(" {} ", choice.target.rma),
                n => format!(" {} and {} more ", choice.target.rma, n),
            },
            theme.title(),
        ));
    frame.render_widget(
        Paragraph::new(lines).block(block.padding(ratatui::widgets::Padding::horizontal(1))),
        rect,
    );
}

//! A form in a box: each field with its problem under it as the user types, the warranty
//! verdict for a new case, and the store's refusal if saving failed.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{clip, hint_line, pad, popup, width, wrap};
use crate::tui::action::FormAction;
use crate::tui::form::{FieldKind, Form, FormKind};
use crate::tui::keymap::KeyMap;
use crate::tui::layout::centered;
use crate::tui::theme::Theme;

/// Lines a multi-line field shows.
const TEXT_LINES: usize = 4;

/// Draw `form` in a box in `area`.
pub fn draw(frame: &mut Frame, area: Rect, form: &Form, keys: &KeyMap, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(78);
    let inner_w = usize::from(w.saturating_sub(4));
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor: Option<(usize, usize)> = None;
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            theme.title()
        } else {
            theme.label()
        };
        let mark = if focused { "▸ " } else { "  " };
        lines.push(Line::styled(format!("{mark}{}", f.label), label_style));
        let field_style = if focused {
            Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            theme.base()
        };
        match &f.kind {
            FieldKind::Choice { options } => {
                let value = options.get(f.choice).map(String::as_str).unwrap_or("");
                let text = if focused {
                    format!("  ◂ {value} ▸")
                } else {
                    format!("  {value}")
                };
                lines.push(Line::styled(clip(&text, inner_w), field_style));
            }
            kind => {
                let multiline = matches!(kind, FieldKind::Text { .. });
                let text_lines: Vec<&str> = f.value().split('\n').collect();
                let (cl, cc) = f.input.cursor_line_col();
                let shown = if multiline { TEXT_LINES } else { 1 };
                let first = cl.saturating_sub(shown - 1);
                for row in 0..shown {
                    let t = text_lines.get(first + row).copied().unwrap_or("");
                    lines.push(Line::styled(
                        format!("  {}", pad(&clip(t, inner_w - 3), inner_w - 3)),
                        field_style,
                    ));
                }
                if focused {
                    let line_text = text_lines.get(cl).copied().unwrap_or("");
                    let before: String = line_text.chars().take(cc).collect();
                    cursor = Some((lines.len() - shown + (cl - first), 2 + width(&before)));
                }
            }
        }
        if let Some(problem) = form.shows_problem(i) {
            for (j, l) in wrap(&problem, inner_w.saturating_sub(4))
                .into_iter()
                .enumerate()
            {
                let m = if j == 0 { "  ✗ " } else { "    " };
                lines.push(Line::styled(format!("{m}{l}"), theme.error()));
            }
        }
    }
    if let FormKind::NewCase { verdict, .. } = &form.kind {
        lines.push(Line::raw(""));
        if let Some(text) = form.open_case_warning() {
            for l in wrap(&text, inner_w) {
                lines.push(Line::styled(l, theme.error()));
            }
        }
        match verdict {
            None => lines.push(Line::styled(
                "Verdict: shown once the IMEI is valid.",
                theme.dim(),
            )),
            Some((_, _, Ok(a))) => {
                let style = if a.verdict.accepts_repair() {
                    theme.ok()
                } else {
                    theme.warning()
                };
                // The reason often names the dates already; say them once.
                let dates = match (a.starts_on, a.ends_on) {
                    (Some(s), Some(e))
                        if !a.reason.contains(&s.to_string())
                            && !a.reason.contains(&e.to_string()) =>
                    {
                        format!(" Guarantee {s} to {e}.")
                    }
                    _ => String::new(),
                };
                let text = format!(
                    "Verdict: {} — {}{dates}",
                    crate::domain::case::verdict_label(a.verdict),
                    a.reason
                );
                for l in wrap(&text, inner_w) {
                    lines.push(Line::styled(l, style));
                }
                if !a.verdict.accepts_repair() {
                    lines.push(Line::styled(
                        clip(
                            "Refused unless you give a goodwill override reason.",
                            inner_w,
                        ),
                        style,
                    ));
                }
            }
            Some((_, _, Err(e))) => {
                for l in wrap(&format!("Verdict: {e}"), inner_w) {
                    lines.push(Line::styled(l, theme.error()));
                }
            }
        }
    }
    if let Some(err) = &form.error {
        lines.push(Line::raw(""));
        // Borders, this blank line, and the blank and key hints below.
        let room = usize::from(area.height).saturating_sub(lines.len() + 5);
        for (j, l) in error_lines(err, inner_w.saturating_sub(2), room)
            .into_iter()
            .enumerate()
        {
            let m = if j == 0 { "✗ " } else { "  " };
            lines.push(Line::styled(format!("{m}{l}"), theme.error()));
        }
    }
    lines.push(Line::raw(""));
    let multiline = form.focused().is_some_and(|f| f.multiline());
    // In a note Enter is the text's own key: it starts a new line.
    let (enter, field) = if multiline {
        ("Enter".to_string(), "next field")
    } else {
        (keys.first_key(FormAction::NextOrSave), "field")
    };
    let hint = hint_line(&[
        (enter, if multiline { "new line" } else { "next / save" }),
        (keys.first_key(FormAction::NextField), field),
        (keys.first_key(FormAction::Save), "save"),
        (keys.first_key(FormAction::Cancel), "cancel"),
    ]);
    lines.push(Line::styled(clip(&hint, inner_w), theme.dim()));

    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = popup(frame, centered(area, w, h));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(format!(" {} ", form.title()), theme.title()))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
    if let Some((row, col)) = cursor
        && row < usize::from(inner.height)
    {
        frame.set_cursor_position(Position::new(
            inner.x + (col as u16).min(inner.width.saturating_sub(1)),
            inner.y + row as u16,
        ));
    }
}

/// The refusal's lines, wrapped to `width`, in at most `room` lines. One too long for the
/// screen (a file's many bad rows) keeps its first lines whole, says how many more there
/// are, and keeps its last line, which says what to do.
fn error_lines(err: &str, width: usize, room: usize) -> Vec<String> {
    let parts: Vec<Vec<String>> = err.split('\n').map(|p| wrap(p, width)).collect();
    if parts.iter().map(Vec::len).sum::<usize>() <= room || parts.len() < 3 {
        return parts.concat();
    }
    let Some((last, rest)) = parts.split_last() else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut shown = 0;
    for p in rest {
        if lines.len() + p.len() + 1 + last.len() > room && shown > 0 {
            break;
        }
        lines.extend(p.iter().cloned());
        shown += 1;
    }
    let more = rest.len() - shown;
    if more > 0 {
        lines.extend(wrap(&format!("… and {more} more"), width));
    }
    lines.extend(last.iter().cloned());
    lines
}

//! Drawing. Views read the app and never change it; text that came from the database is
//! cleaned of control characters before it reaches the screen.

mod board;
mod choice;
mod detail;
mod form;
mod help;
mod mail;
mod outbox;
mod parcel;
mod report;
mod resellers;
mod search;
mod status;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::app::{App, Screen};
use super::layout::{BOTTOM_LINES, MIN_HEIGHT, MIN_WIDTH, too_small};
use super::overlay::Overlay;
use super::theme::Theme;
use crate::domain::text::clean_line;
use crate::domain::time::Zone;

/// Draw the whole screen: the board or a case, the overlay, and the bottom lines.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if too_small(area) {
        frame.render_widget(Clear, area);
        let text = format!(
            "The board needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {}x{}. Make it larger.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [main, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(BOTTOM_LINES)]).areas(area);
    match &app.screen {
        Screen::Board => board::draw(frame, main, app, theme),
        Screen::Detail(d) => detail::draw(frame, main, app, d, theme),
    }
    status::draw(frame, bottom, main, app, theme);
    let keys = &app.settings.keymap;
    match &app.overlay {
        None => {}
        Some(Overlay::Help(h)) => help::draw(frame, main, app, h.scroll, theme),
        Some(Overlay::Form(f)) => form::draw(frame, main, f, keys, theme),
        Some(Overlay::Choice(c)) => choice::draw(frame, main, c, keys, theme),
        Some(Overlay::Search(s)) => search::draw(frame, main, app, s, theme),
        Some(Overlay::Resellers(p)) => resellers::draw(frame, main, app, p, theme),
        Some(Overlay::Parcel(p)) => parcel::draw(frame, main, p, keys, theme),
        Some(Overlay::Mail(m)) => mail::draw(frame, main, app, m, theme),
        Some(Overlay::Report(r)) => {
            report::draw(frame, main, r.report.as_deref(), r.scroll, keys, theme)
        }
        Some(Overlay::Outbox(o)) => outbox::draw(
            frame,
            main,
            o.messages.as_deref(),
            o.selected,
            o.scroll,
            keys,
            theme,
        ),
    }
}

/// Short key hints for a popup's edge, from the key map: "↑/↓ pick · Esc close". A hint
/// whose keys are all unbound is left out.
pub fn hint_line(hints: &[(String, &str)]) -> String {
    let parts: Vec<String> = hints
        .iter()
        .filter(|(keys, _)| !keys.is_empty())
        .map(|(keys, what)| format!("{keys} {what}"))
        .collect();
    parts.join(" · ")
}

/// Display width of a string in terminal cells.
pub fn width(s: &str) -> usize {
    Line::raw(s).width()
}

/// Database text made safe and cut to `max` cells (with an ellipsis when cut).
pub fn fit(s: &str, max: usize) -> String {
    clip(&clean_line(s), max)
}

/// Cut already-clean text to `max` cells (with an ellipsis when cut).
pub fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Write `lines` into `area`, one a row, as a paragraph of them shows them. Cards and
/// result lists are plain ASCII nearly always: those are written cell by cell, without the
/// paragraph's grapheme and wrapping work, which was most of the time a frame took.
/// Lines that are not (other characters, styled spans) go through a paragraph.
pub(super) fn put_lines(buf: &mut ratatui::buffer::Buffer, area: Rect, lines: Vec<Line>) {
    for (line, y) in lines.into_iter().zip(area.top()..area.bottom()) {
        // Aligned lines go through the paragraph, which places them.
        let plain = line.alignment.is_none()
            && line.spans.iter().all(|s| {
                s.style == ratatui::style::Style::new()
                    && s.content.bytes().all(|b| (0x20..0x7f).contains(&b))
            });
        if !plain {
            let row = Rect {
                y,
                height: 1,
                ..area
            };
            ratatui::widgets::Widget::render(Paragraph::new(line), row, buf);
            continue;
        }
        let text = line.spans.iter().flat_map(|s| s.content.bytes());
        for (x, b) in (area.left()..area.right()).zip(text) {
            buf[(x, y)].set_char(char::from(b)).set_style(line.style);
        }
    }
}

/// Pad (or cut) already-clean text to exactly `w` cells.
pub fn pad(s: &str, w: usize) -> String {
    let mut out = clip(s, w);
    let used = width(&out);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// Word-wrap plain text to `w` cells; long words are cut.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in clean_line(para).split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate) <= w {
                line = candidate;
            } else {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line = fit(word, w);
            }
        }
        lines.push(line);
    }
    lines
}

/// A file's size for people: `512 bytes`, `2 kB`, `3.4 MB`.
pub fn file_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} kB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A time for people, at the offset in force then where the board is: `2026-05-04 09:30`.
pub fn local_time(at: DateTime<Utc>, zone: &Zone) -> String {
    crate::domain::time::minutes_in(at, zone)
}

/// Clear a popup's area and return it.
pub fn popup(frame: &mut Frame, area: Rect) -> Rect {
    frame.render_widget(Clear, area);
    area
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_wrap_keep_to_the_width() {
        assert_eq!(fit("CECT P30 Pro Max", 8), "CECT P3…");
        assert_eq!(fit("ok\u{1b}[2J", 20), "ok [2J");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(width(&fit("日本語のメモ", 5)), 5);
    }
}

#[cfg(test)]
mod put_lines_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use ratatui::buffer::Buffer;
    use ratatui::style::{Color, Modifier, Style};

    use super::*;
    use ratatui::text::Span;
    use ratatui::widgets::Widget;

    /// Cell for cell what a paragraph of the same lines leaves, whatever the text: plain
    /// ASCII, accents, wide characters, lines too long, more lines than rows.
    #[test]
    fn cards_are_written_as_a_paragraph_writes_them() {
        let style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
        let picked = style.add_modifier(Modifier::REVERSED);
        let lines = || {
            vec![
                Line::styled("! RMA-2026-00042 G        12d", style),
                Line::styled("  CECT P30 Pro         237518", picked),
                Line::styled("  Zoë's phone \u{2014} 漢字 wide   1d", style),
                Line::raw("a line much longer than the pane is wide, cut at its edge"),
                Line::from(vec![Span::raw("two "), Span::styled("spans", style)]),
                Line::styled("", style),
                Line::styled("  short", Style::new()).right_aligned(),
                Line::styled("below the last row", style),
            ]
        };
        let area = Rect::new(3, 1, 30, 7);
        let mut want = Buffer::empty(Rect::new(0, 0, 40, 10));
        let mut got = want.clone();
        // A frame's buffer holds the last frame's cells until drawn over.
        for b in [&mut want, &mut got] {
            for y in 0..10 {
                b.set_string(0, y, "x".repeat(40), Style::new().fg(Color::Blue));
            }
        }
        Paragraph::new(lines())
            .style(Style::new())
            .render(area, &mut want);
        put_lines(&mut got, area, lines());
        assert_eq!(got, want);
    }
}

//! The panes, side by side, or one focused pane with tabs on a narrow screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{fit, pad, put_lines, width};
use crate::domain::time::short_age;
use crate::domain::{Case, Outcome, Stage, Verdict};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::layout::BoardGeometry;
use crate::tui::theme::Theme;

/// A pane's count, or `…` while the store is still counting (the first frame comes
/// before the counts).
fn count_label(app: &App, stage: Stage) -> String {
    if app.counted {
        app.pane_len(stage).to_string()
    } else {
        "…".to_string()
    }
}

/// Draw the panes in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let geo = app.geometry();
    let stages = app.visible_stages();
    let requests = app.requests_width();
    let area = if requests > 0 && !geo.tabs {
        let [left, rest] =
            Layout::horizontal([Constraint::Length(requests), Constraint::Min(0)]).areas(area);
        draw_requests(frame, left, app, theme);
        rest
    } else {
        area
    };
    if geo.tabs {
        let [tabs, pane] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        draw_tabs(frame, tabs, app, &stages, theme);
        if app.inbox.focused {
            draw_requests(frame, pane, app, theme);
        } else {
            draw_pane(frame, pane, app, app.focus, true, geo, theme);
        }
    } else {
        let n = stages.len() as u32;
        let columns =
            Layout::horizontal(stages.iter().map(|_| Constraint::Ratio(1, n))).split(area);
        for (stage, col) in stages.iter().zip(columns.iter()) {
            let focused = *stage == app.focus && !app.inbox.focused;
            draw_pane(frame, *col, app, *stage, focused, geo, theme);
        }
    }
}

fn short_title(stage: Stage) -> &'static str {
    match stage {
        Stage::Expected => "Exp",
        Stage::Received => "Recv",
        Stage::AtManufacturer => "Mfr",
        Stage::Inspected => "Insp",
        Stage::Shipped => "Ship",
    }
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App, stages: &[Stage], theme: &Theme) {
    let label = |stage: Stage, short: bool| {
        let name = if short {
            short_title(stage)
        } else {
            stage.title()
        };
        let late = if app.counted && app.late_count(stage) > 0 {
            "!"
        } else {
            ""
        };
        format!(" {name} {}{late} ", count_label(app, stage))
    };
    let total = |short| {
        stages
            .iter()
            .map(|&s| width(&label(s, short)) + 1)
            .sum::<usize>()
    };
    // The open requests, counted ahead of the tabs when their pane has no room.
    let requests = (app.inbox.shown && !app.requests.is_empty()).then(|| {
        let late = if app.late_requests() > 0 { "!" } else { "" };
        (
            format!(" Req {}{late} ", app.requests.len()),
            app.late_requests() > 0,
        )
    });
    let room = usize::from(area.width)
        .saturating_sub(requests.as_ref().map_or(0, |(label, _)| width(label) + 1));
    let short = total(false) > room;
    let mut spans = Vec::new();
    if let Some((label, late)) = requests {
        let style = if app.inbox.focused {
            theme.selected().patch(theme.title())
        } else if late {
            theme.attention()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::styled("│", theme.border()));
    }
    for (i, &stage) in stages.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.border()));
        }
        let style = if stage == app.focus && !app.inbox.focused {
            theme.selected().patch(theme.title())
        } else if app.late_count(stage) > 0 {
            theme.attention()
        } else {
            theme.base()
        };
        spans.push(Span::styled(label(stage, short), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The Requests pane: customers' mail waiting for an answer, oldest first, each with the
/// reseller (or who wrote), how many devices it names and its age; `!` and the late colour past the answer
/// clock, `?` when a question was asked (the clock stopped). The picked request shows
/// when the cursor is in it; Enter opens its mail to answer it.
fn draw_requests(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let late = app.late_requests();
    let late_label = (late > 0).then(|| format!("! {late} late "));
    let room = usize::from(area.width.saturating_sub(2))
        .saturating_sub(late_label.as_deref().map_or(0, width));
    let long = format!(" Requests ({}) ", app.requests.len());
    let name = if width(&long) <= room {
        long
    } else {
        format!(" Req ({}) ", app.requests.len())
    };
    let mut title = vec![Span::styled(name, theme.title())];
    if let Some(label) = late_label {
        title.push(Span::styled(label, theme.late()));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if app.inbox.focused {
            theme.focused_border()
        } else {
            theme.border()
        })
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let hours = app.settings.clocks.request_hours;
    let picked = app.inbox.focused.then_some(app.inbox.selected);
    // Two lines a card; as many as fit in the height the stages' cards have.
    let fit_cards = (usize::from(inner.height) / 2).max(1);
    // The picked request stays in view: the window ends on it when it is further down.
    let first = picked.map_or(0, |p| p.saturating_sub(fit_cards - 1));
    let mut lines: Vec<Line> = Vec::new();
    for (i, r) in app.requests.iter().enumerate().skip(first).take(fit_cards) {
        let is_late = r.is_late(hours, app.now);
        let mut style = if is_late { theme.late() } else { theme.base() };
        if picked == Some(i) {
            style = style.patch(theme.selected());
        }
        let flag = if is_late {
            "!"
        } else if r.answered.is_some() {
            "?"
        } else {
            " "
        };
        let age = short_age(r.received_at, app.now);
        let number = format!("{flag}#{} ", r.id);
        let lw = w.saturating_sub(width(&age) + 1);
        let sender = fit(&r.customer_or_sender(), lw.saturating_sub(width(&number)));
        lines.push(Line::styled(
            format!("{} {age}", pad(&format!("{number}{sender}"), lw)),
            style,
        ));
        let devices = crate::domain::text::count(r.imeis.len() as u64, "device");
        let customer = r
            .customer_number
            .as_deref()
            .map(fit_any)
            .unwrap_or_default();
        // The subject where the pane is wide enough (a tab on a narrow screen).
        let mut second = format!(" {devices}  {customer}");
        if width(&second) + 10 <= w {
            second = format!("{second}  {}", fit_any(&r.subject));
        }
        lines.push(Line::styled(pad(&second, w), style));
    }
    frame.render_widget(Paragraph::new(lines).style(Style::new()), inner);
}

/// Database text made safe for one line, uncut (the line is cut as a whole).
fn fit_any(s: &str) -> String {
    crate::domain::text::clean_line(s)
}

/// What a card flags, as short symbols that read without colour.
fn markers(case: &Case) -> String {
    let mut m = Vec::new();
    if case.rounds > 1 {
        m.push(format!("R{}", case.rounds));
    }
    if case.outcome == Some(Outcome::ReturnedUnrepaired) || matches!(case.verdict, Verdict::Void(_))
    {
        m.push("X".to_string());
    }
    if case.goodwill.is_some() {
        m.push("G".to_string());
    }
    m.join(" ")
}

fn draw_pane(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    stage: Stage,
    focused: bool,
    geo: BoardGeometry,
    theme: &Theme,
) {
    let len = app.pane_len(stage);
    let late = app.late_count(stage);
    let mut title = vec![Span::styled(
        format!(" {} ({}) ", stage.title(), count_label(app, stage)),
        theme.title(),
    )];
    if late > 0 && app.counted {
        title.push(Span::styled(format!("! {late} late "), theme.late()));
    }
    let pane = app.pane(stage);
    let rows = app.rows_of(stage);
    let ready = if stage == Stage::Inspected {
        app.ready_lines()
    } else {
        Vec::new()
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.focused_border()
        } else {
            theme.border()
        })
        .title(Line::from(title));
    let position = (len > rows).then(|| {
        let last = (pane.offset + rows).min(len);
        format!(
            " {}-{last} of {} ",
            pane.offset + 1,
            count_label(app, stage)
        )
    });
    if stage == Stage::Shipped && app.shipped_older > 0 && app.counted {
        // Both bottom titles share the border: shorten the first when they would meet.
        let room = usize::from(area.width.saturating_sub(3))
            .saturating_sub(position.as_deref().map_or(0, width));
        let long = format!(
            " +{} older than {} ",
            app.shipped_older,
            crate::domain::text::count(app.settings.shipped_days, "day")
        );
        let short = format!(" +{} older ", app.shipped_older);
        if let Some(text) = [long, short].into_iter().find(|t| width(t) <= room) {
            block = block.title_bottom(Line::styled(text, theme.dim()));
        }
    }
    if !ready.is_empty() {
        let room = usize::from(area.width.saturating_sub(3))
            .saturating_sub(position.as_deref().map_or(0, width));
        let key = app.settings.keymap.first_key(Action::MarkReady);
        let long = format!(" {key} marks a parcel ");
        let short = format!(" {key}: parcel ");
        if let Some(text) = [long, short].into_iter().find(|t| width(t) <= room) {
            block = block.title_bottom(Line::styled(text, theme.ok()));
        }
    }
    if let Some(p) = position {
        block = block.title_bottom(Line::from(p).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    if pane.cases.is_empty() {
        let empty = if len == 0 {
            "nothing here"
        } else {
            "loading…"
        };
        lines.push(Line::styled(pad(empty, w), theme.dim()));
    }
    for (i, case) in pane.cases.iter().take(rows).enumerate() {
        let selected = focused && pane.loaded_at + i == pane.selected;
        let is_late = app.is_late(case);
        let marked = pane.is_marked(case.id);
        let mut style = if is_late { theme.late() } else { theme.base() };
        if marked {
            style = style.patch(theme.title());
        }
        if selected {
            style = style.patch(theme.selected());
        }
        for text in card(app, case, (is_late, marked), w, geo.card_lines) {
            lines.push(Line::styled(text, style));
        }
    }
    put_lines(frame.buffer_mut(), inner, lines);
    // What is ready to ship, per reseller, at the Inspected pane's foot.
    let n = (ready.len() as u16).min(inner.height);
    if n > 0 {
        let foot = Rect {
            y: inner.bottom() - n,
            height: n,
            ..inner
        };
        let lines: Vec<Line> = ready
            .iter()
            .take(usize::from(n))
            .map(|l| Line::styled(pad(&fit(l, w), w), theme.ok()))
            .collect();
        frame.render_widget(Paragraph::new(lines), foot);
    }
}

/// A card as `lines` strings of exactly `w` cells. Its first two cells say late (`!`) and
/// marked (`*`), which read without colour.
fn card(
    app: &App,
    case: &Case,
    (is_late, marked): (bool, bool),
    w: usize,
    lines: u16,
) -> Vec<String> {
    let flag = match (is_late, marked) {
        (false, false) => "  ",
        (true, false) => "! ",
        (false, true) => "* ",
        (true, true) => "!*",
    };
    let rma = case.rma.to_string();
    let age = short_age(case.stage_since, app.now);
    let tail = case.imei.tail(6);
    let marks = markers(case);
    let left_right = |left: String, right: String| {
        let rw = width(&right);
        let lw = w.saturating_sub(rw + 1);
        format!("{} {right}", pad(&left, lw))
    };
    if lines == 1 {
        // ! RMA-2026-00042  CECT P30 Pro        237518  R2 G   12d
        let fixed = format!("{flag}{rma}  ");
        let right = format!("{tail}  {marks:<5} {age:>4}");
        let model_w = w.saturating_sub(width(&fixed) + width(&right) + 2);
        vec![pad(
            &format!(
                "{fixed}{}  {right}",
                pad(&fit(&case.model, model_w), model_w)
            ),
            w,
        )]
    } else {
        let top = left_right(format!("{flag}{rma} {marks}"), age);
        let bottom = left_right(format!("  {}", fit(&case.model, w)), tail.to_string());
        vec![top, bottom]
    }
}

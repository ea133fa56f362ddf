//! The workshop report on the board: the same `Report` as `rmaboard report --json`,
//! drawn with ratatui's chart widgets. A tall window also lists the overdue cases.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Borders, Chart, Dataset, GraphType, Paragraph,
};

use super::{clip, fit, hint_line, pad, popup};
use crate::domain::time::short_age;
use crate::report::{Report, show_hours, show_share};
use crate::tui::action::ReportAction;
use crate::tui::keymap::KeyMap;
use crate::tui::theme::Theme;

/// From this height the overdue cases get a list of their own.
const OVERDUE_LIST: u16 = 32;
/// From this width the top row holds three boxes.
const WIDE: u16 = 120;

/// Draw the workshop report in `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    report: Option<&Report>,
    scroll: u16,
    keys: &KeyMap,
    theme: &Theme,
) {
    let area = popup(frame, area);
    let Some(r) = report else {
        let block = boxed(" Workshop report ", theme);
        frame.render_widget(Paragraph::new("reading the history…").block(block), area);
        return;
    };
    let title = format!(
        " Workshop report {} to {} · {} ",
        r.period.from,
        r.period.to,
        hint_line(&[
            (
                keys.pair(ReportAction::Earlier, ReportAction::Later),
                "earlier/later"
            ),
            (keys.first_key(ReportAction::Close), "closes"),
        ])
    );
    let outer = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.focused_border())
        .title(Span::styled(title, theme.title()));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);

    if inner.height >= OVERDUE_LIST && inner.width >= WIDE {
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Length(13),
            Constraint::Min(0),
        ])
        .areas(inner);
        let [now, times, mix] = Layout::horizontal([
            Constraint::Percentage(30),
            Constraint::Percentage(35),
            Constraint::Percentage(35),
        ])
        .areas(top);
        stages(frame, now, r, theme);
        time_in_stage(frame, times, r, theme);
        verdicts(frame, mix, r, theme);
        let [flow, turn] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(middle);
        weekly(frame, flow, r, theme);
        turnaround(frame, turn, r, theme);
        let [late, mail] =
            Layout::horizontal([Constraint::Percentage(65), Constraint::Percentage(35)])
                .areas(bottom);
        overdue(frame, late, r, scroll, keys, theme);
        answers(frame, mail, r, theme);
    } else {
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Min(5),
            Constraint::Length(7),
        ])
        .areas(inner);
        let [now, turn] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
        stages(frame, now, r, theme);
        turnaround(frame, turn, r, theme);
        let [flow, mail] =
            Layout::horizontal([Constraint::Percentage(64), Constraint::Percentage(36)])
                .areas(middle);
        weekly(frame, flow, r, theme);
        answers(frame, mail, r, theme);
        let [times, mix] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        time_in_stage(frame, times, r, theme);
        verdicts(frame, mix, r, theme);
    }
}

fn boxed<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title.to_string(), theme.title()))
}

fn stages(frame: &mut Frame, area: Rect, r: &Report, theme: &Theme) {
    let late: u64 = r.stages.iter().map(|s| s.late).sum();
    let block = boxed(" Cases now ", theme)
        .title_bottom(Line::styled(format!(" {late} overdue "), theme.late()).right_aligned());
    let w = usize::from(area.width.saturating_sub(2));
    let lines: Vec<Line> = r
        .stages
        .iter()
        .map(|s| {
            let mut spans = vec![Span::raw(format!(
                "{}{:>7}",
                pad(s.stage.title(), 16),
                s.cases
            ))];
            if s.late > 0 {
                spans.push(Span::styled(format!("  {} late", s.late), theme.late()));
            }
            Line::from(spans)
        })
        .map(|l| clip_line(l, w))
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn time_in_stage(frame: &mut Frame, area: Rect, r: &Report, theme: &Theme) {
    let block = boxed(" Time in stage ", theme);
    let w = usize::from(area.width.saturating_sub(2));
    let mut lines = vec![Line::styled(
        clip(&format!("{} {:>8} {:>8}", pad("", 16), "median", "90th"), w),
        theme.dim(),
    )];
    for t in &r.time_in_stage {
        lines.push(Line::raw(clip(
            &format!(
                // A space before each value: a long one must not run into the next.
                "{} {:>8} {:>8}",
                pad(t.stage.title(), 16),
                show_hours(t.median_hours),
                show_hours(t.p90_hours)
            ),
            w,
        )));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn verdicts(frame: &mut Frame, area: Rect, r: &Report, theme: &Theme) {
    let block = boxed(" Inspections and verdicts ", theme);
    let w = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    let i = &r.inspections;
    let mut lines = vec![Line::raw(clip(
        &format!(
            "failed inspection: {} of {} ({})",
            i.failed,
            i.cases,
            show_share(i.failed_share)
        ),
        w,
    ))];
    let room = rows.saturating_sub(1);
    let shown = if r.verdicts.len() > room {
        room.saturating_sub(1)
    } else {
        room
    };
    for v in r.verdicts.iter().take(shown) {
        lines.push(Line::raw(format!(
            "{}{:>6}",
            pad(&v.verdict, w.saturating_sub(6)),
            v.cases
        )));
    }
    if r.verdicts.len() > shown {
        let rest: u64 = r.verdicts.iter().skip(shown).map(|v| v.cases).sum();
        lines.push(Line::styled(
            clip(
                &format!(
                    "… {} more, {}",
                    crate::domain::text::count((r.verdicts.len() - shown) as u64, "verdict"),
                    crate::domain::text::count(rest, "case")
                ),
                w,
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// How fast customers' mail got its first answer: the same figures as the command line's
/// report, over the period, then week by week (the latest first) as room allows.
fn answers(frame: &mut Frame, area: Rect, r: &Report, theme: &Theme) {
    let a = &r.answers;
    let block = boxed(" Answers to mail ", theme);
    let w = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(2));
    let t = &a.total;
    let in_time = t
        .within_clock_share
        .map_or_else(|| "-".to_string(), show_share);
    let mut lines = vec![
        Line::raw(clip(
            &format!("{} mails, {} answered", t.requests, t.answered),
            w,
        )),
        Line::raw(clip(&format!("within {} h: {in_time}", a.clock_hours), w)),
        Line::raw(clip(
            &format!(
                "median {} · 90th {}",
                show_hours(t.median_hours),
                show_hours(t.p90_hours)
            ),
            w,
        )),
    ];
    if t.refusals.is_empty() {
        lines.push(Line::styled("no refusals", theme.dim()));
    }
    for (reason, n) in &t.refusals {
        lines.push(Line::raw(clip(&format!("refused {reason}: {n}"), w)));
    }
    if lines.len() + 2 <= rows && !a.weeks.is_empty() {
        lines.push(Line::styled(
            clip("week of     mails   median  in time", w),
            theme.dim(),
        ));
        let room = rows - lines.len();
        for wk in a.weeks.iter().rev().take(room) {
            let week = wk.week.map_or_else(|| "all".to_string(), |d| d.to_string());
            lines.push(Line::raw(clip(
                &format!(
                    "{week:<10} {:>6} {:>8} {:>8}",
                    wk.requests,
                    show_hours(wk.median_hours),
                    wk.within_clock_share
                        .map_or_else(|| "-".to_string(), show_share)
                ),
                w,
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn weekly(frame: &mut Frame, area: Rect, r: &Report, theme: &Theme) {
    let intake: Vec<(f64, f64)> = r
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| (i as f64, w.intake as f64))
        .collect();
    let shipped: Vec<(f64, f64)> = r
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| (i as f64, w.shipped as f64))
        .collect();
    let top = r
        .weeks
        .iter()
        .map(|w| w.intake.max(w.shipped))
        .max()
        .unwrap_or(0)
        .max(1);
    let last = r.weeks.len().saturating_sub(1).max(1) as f64;
    let week = |i: usize| {
        r.weeks
            .get(i)
            .map(|w| w.week.format("%d %b").to_string())
            .unwrap_or_default()
    };
    let chart = Chart::new(vec![
        Dataset::default()
            .name("intake")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.key())
            .data(&intake),
        Dataset::default()
            .name("shipped")
            // Its own mark, not only its own colour: without colour the lines still part.
            .marker(Marker::Dot)
            .graph_type(GraphType::Line)
            .style(theme.ok())
            .data(&shipped),
    ])
    // The legend sits in the title: a legend box would cover a short chart.
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Line::from(vec![
                Span::styled(" Per week: ", theme.title()),
                Span::styled("⣀ intake", theme.key()),
                Span::raw(" · "),
                Span::styled("• shipped ", theme.ok()),
            ])),
    )
    .legend_position(None)
    .x_axis(
        Axis::default()
            .style(theme.dim())
            .bounds([0.0, last])
            .labels([week(0), week(r.weeks.len().saturating_sub(1))]),
    )
    .y_axis(
        Axis::default()
            .style(theme.dim())
            .bounds([0.0, top as f64])
            .labels(["0".to_string(), top.to_string()]),
    );
    frame.render_widget(chart, area);
}

fn turnaround(frame: &mut Frame, area: Rect, r: &Report, theme: &Theme) {
    let labels = [
        "< 3 work days",
        "3 wd - 1 week",
        "1-2 weeks",
        "2 wk - 1 month",
        "> 1 month",
    ];
    let bars: Vec<Bar> = r
        .turnaround
        .buckets
        .iter()
        .zip(labels)
        .map(|(b, label)| {
            Bar::default()
                .label(Line::raw(label))
                .value(b.rounds)
                .text_value(b.rounds.to_string())
        })
        .collect();
    let chart = BarChart::horizontal(Vec::<Bar>::new())
        .data(BarGroup::default().bars(&bars))
        .block(boxed(
            &format!(
                " Manufacturer turnaround, {} ",
                crate::domain::text::count(r.turnaround.rounds, "round")
            ),
            theme,
        ))
        .bar_width(1)
        .bar_gap(0)
        .bar_style(theme.key())
        .value_style(theme.selected());
    frame.render_widget(chart, area);
}

fn overdue(frame: &mut Frame, area: Rect, r: &Report, scroll: u16, keys: &KeyMap, theme: &Theme) {
    let hint = hint_line(&[(
        keys.pair(ReportAction::ScrollUp, ReportAction::ScrollDown),
        "scroll",
    )]);
    let block = boxed(&format!(" Overdue now: {} ", r.overdue.len()), theme)
        .title_bottom(Line::styled(format!(" {hint} "), theme.dim()).right_aligned());
    let w = usize::from(area.width.saturating_sub(2));
    let rows = usize::from(area.height.saturating_sub(3));
    let start = usize::from(scroll).min(r.overdue.len().saturating_sub(rows));
    let mut lines = vec![Line::styled(
        clip(
            &format!(
                "{}{}{}{:>10}{:>10}",
                pad("RMA", 16),
                pad("stage", 17),
                pad("model", 22),
                "in stage",
                "over by"
            ),
            w,
        ),
        theme.dim(),
    )];
    for c in r.overdue.iter().skip(start).take(rows) {
        lines.push(clip_line(
            Line::from(vec![
                Span::raw(pad(&fit(&c.rma, 15), 16)),
                Span::raw(pad(c.stage.title(), 17)),
                Span::raw(pad(&fit(&c.model, 20), 22)),
                Span::raw(format!("{:>10}", short_age(c.since, r.generated_at))),
                Span::styled(
                    format!("{:>10}", short_age(c.due, r.generated_at)),
                    theme.late(),
                ),
            ]),
            w,
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A line cut to `w` cells, styles kept.
fn clip_line(line: Line<'_>, w: usize) -> Line<'_> {
    let mut used = 0;
    let mut spans = Vec::new();
    for s in line.spans {
        let sw = super::width(&s.content);
        if used + sw <= w {
            used += sw;
            spans.push(s);
        } else {
            spans.push(Span::styled(clip(&s.content, w - used), s.style));
            break;
        }
    }
    Line::from(spans)
}

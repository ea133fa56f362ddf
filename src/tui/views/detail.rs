//! One case in full: its fields, the warranty verdict with its dates, notes and history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{fit, hint_line, local_time, wrap};
use crate::domain::case::CaseDetail;
use crate::domain::time::{Zone, short_age};
use crate::domain::warranty::guarantee_period;
use crate::tui::action::DetailAction;
use crate::tui::app::{App, DetailState};
use crate::tui::theme::Theme;

/// From this width the fields and the notes/history sit side by side.
const TWO_COLUMNS: u16 = 120;

/// Draw one case in full in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, state: &DetailState, theme: &Theme) {
    let Some(d) = &state.detail else {
        let block = Block::default().borders(Borders::ALL).title(" Case ");
        frame.render_widget(Paragraph::new("loading…").block(block), area);
        return;
    };
    let c = &d.case;
    let late = app.is_late(c);
    let mut title = vec![Span::styled(
        format!(
            " {} · {} · {} in stage ",
            c.rma,
            c.stage.title(),
            short_age(c.stage_since, app.now)
        ),
        theme.title(),
    )];
    if late {
        title.push(Span::styled("! late ", theme.late()));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Line::from(title))
        .title_bottom(Line::styled(hints(app), theme.dim()).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let zone = &app.settings.zone;
    if inner.width >= TWO_COLUMNS {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .spacing(2)
                .areas(inner);
        let mut l = fields(d, zone, usize::from(left.width), theme);
        l.extend(attachments(d, app, usize::from(left.width), theme));
        let r = notes_and_history(d, zone, usize::from(right.width), theme);
        frame.render_widget(Paragraph::new(l).scroll((state.scroll, 0)), left);
        frame.render_widget(Paragraph::new(r).scroll((state.scroll, 0)), right);
    } else {
        let w = usize::from(inner.width);
        let mut all = fields(d, zone, w, theme);
        all.extend(attachments(d, app, w, theme));
        all.push(Line::raw(""));
        all.extend(notes_and_history(d, zone, w, theme));
        frame.render_widget(Paragraph::new(all).scroll((state.scroll, 0)), inner);
    }
}

fn heading<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::styled(text.to_string(), theme.title())
}

/// `label  value`, the value wrapped under itself.
fn field<'a>(out: &mut Vec<Line<'a>>, label: &str, value: &str, w: usize, theme: &Theme) {
    const LABEL: usize = 18;
    let lines = wrap(value, w.saturating_sub(LABEL).max(10));
    for (i, text) in lines.into_iter().enumerate() {
        let l = if i == 0 { label } else { "" };
        out.push(Line::from(vec![
            Span::styled(format!("{l:<LABEL$}"), theme.label()),
            Span::raw(text),
        ]));
    }
}

fn fields<'a>(d: &CaseDetail, zone: &Zone, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let c = &d.case;
    let none = "—".to_string();
    let opt = |o: &Option<String>| o.as_deref().map(|s| fit(s, 200)).unwrap_or(none.clone());
    let mut out = vec![heading("Case", theme)];
    let stage = match c.outcome {
        Some(o) => format!("{}, {}", c.stage.title(), o.describe(c.verdict)),
        None => c.stage.title().to_string(),
    };
    let customer = match d.sale.as_ref().and_then(|s| s.customer_name.clone()) {
        Some(name) => format!("{} {}", c.customer_number, name),
        None => c.customer_number.clone(),
    };
    let rows: Vec<(&str, String)> = vec![
        ("Stage", stage),
        ("IMEI", c.imei.to_string()),
        ("Model", c.model.clone()),
        ("Faulty part", c.part.to_string()),
        ("Fault", c.fault.clone()),
        ("Order", c.order_number.clone()),
        ("Customer", customer),
        ("Claimed", local_time(c.claimed_at, zone)),
        ("Opened", local_time(c.opened_at, zone)),
        ("In stage since", local_time(c.stage_since, zone)),
        ("Inbound tracking", opt(&c.tracking_in)),
        ("Manufacturer ref", opt(&c.manufacturer_ref)),
        ("Rounds at mfr", c.rounds.to_string()),
        ("Outbound (S10)", opt(&c.tracking_out)),
    ];
    for (label, value) in rows {
        field(&mut out, label, &value, w, theme);
    }
    if let Some(g) = &c.goodwill {
        field(&mut out, "Goodwill", g, w, theme);
    }
    out.push(Line::raw(""));
    out.push(heading("Warranty", theme));
    let verdict = crate::domain::case::verdict_label(c.verdict);
    field(&mut out, "Verdict", &verdict, w, theme);
    field(&mut out, "Why", &c.verdict_reason, w, theme);
    match &d.sale {
        Some(sale) => {
            let (start, end) = guarantee_period(sale.dispatched_on);
            field(
                &mut out,
                "Dispatched",
                &sale.dispatched_on.to_string(),
                w,
                theme,
            );
            field(
                &mut out,
                "Guarantee",
                &format!("{start} to {end}"),
                w,
                theme,
            );
            field(
                &mut out,
                "Claim date",
                &zone.date(c.claimed_at).to_string(),
                w,
                theme,
            );
        }
        None => field(&mut out, "Sale", "not in the sales registry", w, theme),
    }
    out
}

/// The files of the customer's mail the case was opened from: name, type, size and where
/// the file is (the board does not display images).
fn attachments<'a>(d: &CaseDetail, app: &App, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    if d.attachments.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        Line::raw(""),
        heading(&format!("Attachments ({})", d.attachments.len()), theme),
    ];
    let dir = std::path::Path::new(&app.settings.attachments_dir);
    for a in &d.attachments {
        let size = super::file_size(a.size);
        field(
            &mut out,
            &fit(&a.name, 17),
            &format!(
                "{}, {size}: {}",
                fit(&a.content_type, 60),
                fit(&dir.join(&a.file).display().to_string(), 400)
            ),
            w,
            theme,
        );
    }
    out
}

fn notes_and_history<'a>(d: &CaseDetail, zone: &Zone, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![heading(&format!("Notes ({})", d.notes.len()), theme)];
    if d.notes.is_empty() {
        out.push(Line::styled("none yet", theme.dim()));
    }
    for n in &d.notes {
        out.push(Line::styled(
            format!("{}  {}", local_time(n.at, zone), fit(&n.author, 40)),
            theme.label(),
        ));
        for line in wrap(&n.text, w.saturating_sub(2)) {
            out.push(Line::raw(format!("  {line}")));
        }
    }
    out.push(Line::raw(""));
    out.push(heading("History", theme));
    for e in &d.events {
        let change = match (&e.from, &e.to) {
            (Some(f), Some(t)) => format!("{}: {} → {}", e.field, fit(f, 60), fit(t, 60)),
            (None, Some(t)) => format!("{}: {}", e.field, fit(t, 60)),
            (Some(f), None) => format!("{}: {} → —", e.field, fit(f, 60)),
            (None, None) => e.field.to_string(),
        };
        let head = format!(
            "{}  {}  {}  ",
            local_time(e.at, zone),
            fit(&e.author, 20),
            fit(e.kind.as_str(), 14)
        );
        let text = format!("{head}{change}");
        for (i, line) in wrap(&text, w).into_iter().enumerate() {
            if i == 0 {
                out.push(Line::raw(line));
            } else {
                out.push(Line::raw(format!("    {line}")));
            }
        }
    }
    out
}

fn hints(app: &App) -> String {
    let keys = &app.settings.keymap;
    let line = hint_line(&[
        (keys.first_key(DetailAction::Back), "back"),
        (
            keys.pair(DetailAction::ScrollUp, DetailAction::ScrollDown),
            "scroll",
        ),
    ]);
    format!(" {line} ")
}

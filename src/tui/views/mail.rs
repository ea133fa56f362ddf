//! A customer's mail over the board: who wrote and when with the answer clock, the
//! subject, each device with its verdict on the mail's day (marked ones ticked), the
//! attachments with their size and place, and the text, which scrolls.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{file_size, fit, hint_line, local_time, pad, popup, width, wrap};
use crate::domain::intake::Request;
use crate::domain::time::short_age;
use crate::tui::action::MailAction;
use crate::tui::app::App;
use crate::tui::overlay::RequestMail;
use crate::tui::theme::Theme;

const LABEL: usize = 10;

/// Draw the mail of `mail` in `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, mail: &RequestMail, theme: &Theme) {
    let keys = &app.settings.keymap;
    let hints = hint_line(&[
        (keys.pair(MailAction::Up, MailAction::Down), "device"),
        (keys.first_key(MailAction::Mark), "mark"),
        (keys.first_key(MailAction::Open), "open cases"),
        (keys.first_key(MailAction::Refuse), "refuse"),
        (keys.first_key(MailAction::Ask), "ask"),
        (keys.pair(MailAction::PageUp, MailAction::PageDown), "text"),
        (keys.first_key(MailAction::Close), "close"),
    ]);
    let area = popup(frame, area);
    let title = match &mail.view {
        Some(v) => format!(
            " Request #{} · {} ",
            mail.id,
            fit(&v.request.customer_or_sender(), 40)
        ),
        None => format!(" Request #{} ", mail.id),
    };
    let mut outer = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focused_border())
        .title(Span::styled(title, theme.title()));
    // The hints go on the bottom edge when they fit; the status bar has them too.
    if width(&hints) + 4 <= usize::from(area.width) {
        outer = outer.title_bottom(Line::from(format!(" {hints} ")).right_aligned());
    }
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let Some(view) = &mail.view else {
        frame.render_widget(Paragraph::new("reading the mail…"), inner);
        return;
    };
    let r = &view.request;
    let w = usize::from(inner.width);
    let mut top = header(app, r, w, theme);

    // Devices: as many rows as leave room for the text, the picked one in view.
    let n = view.devices.len();
    let room = usize::from(inner.height).saturating_sub(top.len() + 2 * r.attachments.len() + 6);
    let rows = n.min(room.max(2)).max(1);
    let first = mail.picked.saturating_sub(rows.saturating_sub(1));
    let marked = mail.marked.len();
    let open_key = keys.first_key(MailAction::Open);
    let which = match marked {
        0 => format!("{open_key} opens a case for each"),
        m => format!("{m} marked: {open_key} opens theirs"),
    };
    top.push(Line::from(vec![
        Span::styled(format!("Devices ({n})  "), theme.label()),
        Span::styled(
            if n == 0 {
                "no IMEI with a right check digit in the mail".to_string()
            } else {
                which
            },
            theme.dim(),
        ),
    ]));
    for (i, d) in view.devices.iter().enumerate().skip(first).take(rows) {
        let tick = if mail.is_marked(&d.imei) {
            "[x]"
        } else {
            "[ ]"
        };
        // The picked device reads without colour too.
        let picked = if i == mail.picked { "▸" } else { " " };
        let model = d.model.as_deref().unwrap_or("not sold by us");
        let case = d
            .open_case
            .as_deref()
            .map(|c| format!(" · open case {c}"))
            .unwrap_or_default();
        let text = format!(
            "{picked}{tick} {} {}  {}: {}{case}",
            d.imei,
            fit(model, 20),
            d.verdict.as_str(),
            fit(d.reason.trim_end_matches('.'), 200)
        );
        let mut style = if d.verdict.accepts_repair() {
            theme.base()
        } else {
            theme.warning()
        };
        if i == mail.picked {
            style = style.patch(theme.selected());
        }
        top.push(Line::styled(pad(&text, w), style));
    }
    if n > rows {
        top.push(Line::styled(
            format!("  {}-{} of {n}", first + 1, (first + rows).min(n)),
            theme.dim(),
        ));
    }
    if !r.attachments.is_empty() {
        top.push(Line::styled(
            format!("Attachments ({})", r.attachments.len()),
            theme.label(),
        ));
        let dir = std::path::Path::new(&app.settings.attachments_dir);
        let limit = file_size(app.settings.preview_max_bytes);
        for a in &r.attachments {
            // The board draws no images (see the README): each is named with where it is.
            let shown = if !a.content_type.starts_with("image/") {
                "not an image, kept".to_string()
            } else if a.size > app.settings.preview_max_bytes {
                format!("over the {limit} preview limit, kept")
            } else {
                "no preview in the terminal: open the file".to_string()
            };
            let text = format!(
                "  {}  {}, {}, {shown}",
                fit(&a.name, 30),
                fit(&a.content_type, 40),
                file_size(a.size),
            );
            top.push(Line::raw(pad(&text, w)));
            let path = fit(&dir.join(&a.file).display().to_string(), 300);
            top.push(Line::styled(pad(&format!("    {path}"), w), theme.dim()));
        }
    }
    let top_rows = u16::try_from(top.len()).unwrap_or(u16::MAX);
    let [head, body] =
        Layout::vertical([Constraint::Length(top_rows), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(top), head);
    let text: Vec<Line> = wrap(&r.body, usize::from(body.width))
        .into_iter()
        .map(Line::raw)
        .collect();
    let total = text.len();
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" The mail ({} lines) ", total),
            theme.dim(),
        ));
    // Scrolled past the end, the last page shows.
    let rows = usize::from(body.height.saturating_sub(1));
    let last = u16::try_from(total.saturating_sub(rows)).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(text)
            .scroll((mail.scroll.min(last), 0))
            .block(block),
        body,
    );
}

/// From, customer, when it came and its clock, subject, the answer so far.
fn header<'a>(app: &App, r: &Request, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let zone = &app.settings.zone;
    let hours = app.settings.clocks.request_hours;
    let field = |label: &str, value: String, style| {
        Line::from(vec![
            Span::styled(pad(label, LABEL), theme.label()),
            Span::styled(fit(&value, w.saturating_sub(LABEL)), style),
        ])
    };
    let from = match (&r.from_name, &r.from_address) {
        (Some(n), Some(a)) if !n.trim().is_empty() => format!("{n} <{a}>"),
        (_, Some(a)) => a.clone(),
        (Some(n), None) => format!("{n} (no usable address: answer another way)"),
        (None, None) => "unknown sender (no usable address)".into(),
    };
    let customer = match (&r.customer_number, &r.customer_name) {
        (Some(n), Some(name)) => format!("{n} {name}"),
        (Some(n), None) => n.clone(),
        _ => "not matched in the sales registry".into(),
    };
    let late = r.is_late(hours, app.now);
    let clock = match &r.answered {
        Some(a) => format!(
            "answered after {}{}",
            short_age(r.received_at, a.at),
            if late {
                format!(", late on the {hours} h clock")
            } else {
                format!(", within the {hours} h clock")
            }
        ),
        None if late => format!(
            "open for {}: ! late, past the {hours} h clock",
            short_age(r.received_at, app.now)
        ),
        None => format!(
            "open for {} of the {hours} h clock",
            short_age(r.received_at, app.now)
        ),
    };
    let answer = match &r.answered {
        Some(a) => format!(
            "{} by {} {}",
            a.answer.label(),
            a.by,
            local_time(a.at, zone)
        ),
        None => "none yet".into(),
    };
    let mut lines = vec![
        field("From", from, theme.base()),
        field("Customer", customer, theme.base()),
        field(
            "Received",
            format!("{} · {clock}", local_time(r.received_at, zone)),
            if late { theme.late() } else { theme.base() },
        ),
        field("Subject", r.subject.clone(), theme.base()),
        field("Answer", answer, theme.base()),
    ];
    if let Some(n) = r.follows {
        lines.push(field("Replies to", format!("request {n}"), theme.dim()));
    }
    lines
}

//! `bill`, `outbox`, and the bill written when a case is shipped.

use std::io::Write;

use super::args::{BillArgs, OutboxCommand};
use super::{Context, Failure, Outcome};
use crate::config::templates_dir;
use crate::domain::Stage;
use crate::domain::case::Case;
use crate::domain::text::{clean_line, clean_text};
use crate::domain::time::local_minutes;
use crate::paperwork::send::{self, Channel};
use crate::paperwork::{self, OutboxMessage, Settings};
use crate::store::Store;

/// The paperwork settings from the config file and the config folder's `templates/`.
pub(super) fn settings(cx: &Context) -> Result<Settings, Failure> {
    let templates = templates_dir();
    Settings::from_config(&cx.config, templates.as_deref()).map_err(|e| Failure::new(e.to_string()))
}

/// Give a writable store the paperwork settings, so moves that ship draw their bill.
pub(super) fn install(cx: &Context, store: &mut Store) -> Result<(), Failure> {
    if store.is_read_only() {
        return Ok(());
    }
    store.set_paperwork(&settings(cx)?)?;
    Ok(())
}

/// After a move: when it shipped the case, write its bill as PDF into the bills folder.
/// The ship is saved either way; a bill that could not be written is said, with how to
/// make it again.
pub(super) fn after_act(cx: &Context, store: &Store, before: &Case, after: &Case) {
    if after.stage != Stage::Shipped || before.stage == Stage::Shipped {
        return;
    }
    let dir = paperwork::bills_dir(&cx.config, store.path());
    let result = paperwork::write_latest_bill(store, &dir, after.id);
    match result {
        Ok((bill, path)) => eprintln!(
            "rmaboard: bill {} written to {}",
            bill.label(),
            path.display()
        ),
        Err(e) => eprintln!(
            "rmaboard: warning: {} is shipped, but its bill could not be written to {} ({}): print it with `rmaboard bill {} --out FILE`",
            after.rma,
            dir.display(),
            clean_line(&e),
            after.rma
        ),
    }
}

pub(super) fn bill(cx: &Context, args: BillArgs) -> Outcome {
    let store = cx.store()?;
    let case = store.find(&args.key)?;
    let Some(bill) = store.latest_bill(case.id)? else {
        return Err(Failure::new(format!(
            "{} has no bill: a bill is made when the case is shipped (`rmaboard ship {} --tracking S10NUMBER`)",
            case.rma, case.rma
        )));
    };
    match args.out {
        Some(path) => {
            paperwork::pdf::write(&bill, &path).map_err(Failure::new)?;
            println!("{}", path.display());
        }
        None => print!("{}", bill.text()),
    }
    Ok(())
}

pub(super) fn outbox(cx: &Context, command: OutboxCommand) -> Outcome {
    match command {
        OutboxCommand::List { all } => {
            let store = cx.store()?;
            let mut out = std::io::stdout().lock();
            for m in store.outbox(all)? {
                let _ = writeln!(out, "{}", line(&m));
            }
            Ok(())
        }
        OutboxCommand::Show { id } => {
            let store = cx.store()?;
            print!("{}", show(&store.outbox_message(id)?));
            Ok(())
        }
        OutboxCommand::Send { eml } => {
            let channel = match eml {
                Some(dir) => Channel::Eml(dir),
                None => Channel::command(&cx.config.mail.command).map_err(Failure::new)?,
            };
            let from = cx.config.mail_from().to_string();
            let mut store = cx.store()?;
            let now = || cx.now();
            let report = send::send_pending(&mut store, &channel, &from, &cx.user, &now)?;
            for (id, rma, via) in &report.sent {
                println!("sent {id} ({rma}) via {}", clean_line(via));
            }
            for (id, rma, why) in &report.failed {
                eprintln!(
                    "rmaboard: message {id} ({rma}) was not sent: {}",
                    clean_line(why)
                );
            }
            if report.failed.is_empty() {
                Ok(())
            } else {
                Err(Failure::new(format!(
                    "{} message(s) could not be sent and stay in the outbox with the error (see above): fix the cause and run `rmaboard outbox send` again",
                    report.failed.len()
                )))
            }
        }
        OutboxCommand::Drop { id, reason } => {
            let mut store = cx.store()?;
            store.drop_message(id, &reason, &cx.user, cx.now())?;
            println!("message {id} was dropped: it will not be sent");
            Ok(())
        }
        OutboxCommand::Release { id } => {
            let mut store = cx.store()?;
            store.release_message(id)?;
            println!("message {id} is pending again");
            Ok(())
        }
    }
}

/// One line per message for `outbox list`.
fn line(m: &OutboxMessage) -> String {
    let mut s = format!(
        "{:>5}  {:<7}  {}  {:<16}  {}  {}",
        m.id,
        m.status.as_str(),
        m.rma,
        m.kind.as_str(),
        local_minutes(m.created_at),
        m.to_address
            .as_deref()
            .map(clean_line)
            .unwrap_or_else(|| "(no address)".into()),
    );
    if let Some(d) = &m.dropped {
        s.push_str(&format!(
            "  dropped by {}: {}",
            clean_line(&d.by),
            clean_line(&d.reason)
        ));
    } else if let Some(e) = &m.last_error {
        s.push_str("  error: ");
        s.push_str(&clean_line(e));
    }
    s
}

fn show(m: &OutboxMessage) -> String {
    let mut s = format!(
        "Message {} ({}, {}), {}\n",
        m.id,
        m.kind.title(),
        m.rma,
        m.status.as_str()
    );
    s.push_str(&format!("Created: {}\n", local_minutes(m.created_at)));
    if let (Some(at), Some(via)) = (m.sent_at, &m.sent_via) {
        s.push_str(&format!(
            "Sent: {} via {}\n",
            local_minutes(at),
            clean_line(via)
        ));
    }
    if let Some(d) = &m.dropped {
        s.push_str(&format!(
            "Dropped: {} by {}: {}\n",
            local_minutes(d.at),
            clean_line(&d.by),
            clean_line(&d.reason)
        ));
    }
    if m.attempts > 0 {
        s.push_str(&format!("Attempts: {}\n", m.attempts));
    }
    if let Some(e) = &m.last_error {
        s.push_str(&format!("Last error: {}\n", clean_line(e)));
    }
    s.push_str(&format!(
        "To: {}\nSubject: {}\n\n{}\n",
        m.to_address
            .as_deref()
            .map(clean_line)
            .unwrap_or_else(|| "(no usable address in the sales registry)".into()),
        clean_line(&m.subject),
        clean_text(&m.body)
    ));
    s
}

//! `bill`, `outbox`, and what is said of the bill written when a case is shipped.

use std::io::Write;

use super::args::{BillArgs, OutboxCommand};
use super::{Context, Failure, Outcome};
use crate::domain::case::Case;
use crate::domain::text::{clean_line, clean_text};
use crate::domain::time::local_minutes;
use crate::paperwork::OutboxMessage;
use crate::workshop::{BillFile, delivery};

/// Say where the bill of a case just shipped went, or that it could not be written and
/// how to make it again (the ship stands either way).
pub(super) fn say_bill(case: &Case, bill: &BillFile) {
    match bill {
        BillFile::Written { bill, path } => eprintln!(
            "rmaboard: bill {} written to {}",
            bill.label(),
            path.display()
        ),
        BillFile::NotWritten { dir, reason, .. } => eprintln!(
            "rmaboard: warning: {} is shipped, but its bill could not be written to {} ({}): print it with `rmaboard bill {} --out FILE`",
            case.rma,
            dir.display(),
            clean_line(reason),
            case.rma
        ),
    }
}

pub(super) fn bill(cx: &Context, args: BillArgs) -> Outcome {
    let ws = cx.workshop()?;
    let case = ws.find(&args.key)?;
    let Some(bill) = ws.latest_bill(&case)? else {
        return Err(Failure::new(format!(
            "{} has no bill: a bill is made when the case is shipped (`rmaboard ship {} --tracking S10NUMBER`)",
            case.rma, case.rma
        )));
    };
    match args.out {
        Some(path) => {
            delivery::write_pdf(&bill, &path).map_err(Failure::new)?;
            println!("{}", path.display());
        }
        None => print!("{}", bill.text()),
    }
    Ok(())
}

pub(super) fn outbox(cx: &Context, command: OutboxCommand) -> Outcome {
    match command {
        OutboxCommand::List { all } => {
            let ws = cx.workshop()?;
            let mut out = std::io::stdout().lock();
            for m in ws.outbox(all)? {
                let _ = writeln!(out, "{}", line(&m));
            }
            Ok(())
        }
        OutboxCommand::Show { id } => {
            let ws = cx.workshop()?;
            print!("{}", show(&ws.store().outbox_message(id)?));
            Ok(())
        }
        OutboxCommand::Send { eml } => {
            let report = cx.workshop()?.send_outbox(eml)?;
            for (id, rma, via) in &report.sent {
                println!("sent {id} ({rma}) via {}", clean_line(via));
            }
            for (id, rma, why) in &report.failed {
                eprintln!(
                    "rmaboard: message {id} ({rma}) was not sent: {}",
                    clean_line(why)
                );
            }
            for (id, rma, what) in &report.unsure {
                eprintln!(
                    "rmaboard: message {id} ({rma}) may have been sent: {}",
                    clean_line(what)
                );
            }
            match (report.failed.len(), report.unsure.len()) {
                (0, 0) => Ok(()),
                (failed, 0) => Err(Failure::new(format!(
                    "{failed} message(s) could not be sent and stay in the outbox with the error (see above): fix the cause and run `rmaboard outbox send` again"
                ))),
                (failed, unsure) => Err(Failure::new(format!(
                    "{failed} message(s) could not be sent and {unsure} may have been sent (see above): check the mail log, release with `rmaboard outbox release ID` only what did not go out, and run `rmaboard outbox send` again"
                ))),
            }
        }
        OutboxCommand::Drop { id, reason } => {
            cx.workshop()?.drop_message(id, &reason)?;
            println!("message {id} was dropped: it will not be sent");
            Ok(())
        }
        OutboxCommand::Release { id } => {
            cx.workshop()?.release_message(id)?;
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

//! `bill`, `outbox`, and what is said of the bill written when a case is shipped.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::args::{BillArgs, OutboxCommand};
use super::{Context, Failure, Outcome};
use crate::domain::case::Case;
use crate::domain::text::{clean_line, clean_text};
use crate::domain::time::local_minutes;
use crate::files;
use crate::paperwork::OutboxMessage;
use crate::store::Store;
use crate::workshop::BillFile;

/// Say where the bill of a case just shipped went, or that it could not be written and
/// how to make it again (the ship stands either way).
pub(super) fn say_bill(case: &Case, bill: &BillFile) {
    match bill {
        BillFile::Written {
            bill,
            path,
            warnings,
        } => {
            eprintln!(
                "rmaboard: bill {} written to {}",
                bill.label(),
                path.display()
            );
            say_font_warnings(bill, warnings);
        }
        BillFile::NotWritten { dir, reason, .. } => eprintln!(
            "rmaboard: warning: {} is shipped, but its bill could not be written to {} ({}): print it with `rmaboard bill {} --out FILE`",
            case.rma,
            dir.display(),
            clean_line(reason),
            case.rma
        ),
    }
}

/// Each font warning of a bill's PDF, on its own line.
fn say_font_warnings(bill: &crate::paperwork::Bill, warnings: &[String]) {
    for w in warnings {
        eprintln!(
            "rmaboard: warning: bill {}: {} (set [paperwork] fonts in config.toml to a font that has it)",
            bill.label(),
            clean_line(w)
        );
    }
}

/// What `doctor` finds around the database: bills without their PDF, and temporary
/// files left by interrupted runs.
pub(super) struct FileCheck {
    /// False when there is no bills folder (a backup, or generated data): not checked.
    bills_dir_exists: bool,
    missing_pdfs: Vec<String>,
    stale: Vec<PathBuf>,
    bills_dir: PathBuf,
    /// Attachments the database names that are not in the attachments folder.
    missing_attachments: Vec<String>,
    attachments_dir: PathBuf,
}

impl FileCheck {
    pub(super) fn healthy(&self) -> bool {
        self.missing_pdfs.is_empty() && self.stale.is_empty() && self.missing_attachments.is_empty()
    }

    pub(super) fn report(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<23}{v}\n"));
        line(
            "bill files",
            if !self.bills_dir_exists {
                format!(
                    "not checked: there is no bills folder {} (set [paperwork] bills_dir if this database's bills are elsewhere)",
                    self.bills_dir.display()
                )
            } else if self.missing_pdfs.is_empty() {
                format!(
                    "ok: every shipped case has its PDF in {}",
                    self.bills_dir.display()
                )
            } else {
                format!(
                    "{} {} no PDF of their bill in {} (write each with `rmaboard bill RMA`): {}",
                    crate::domain::text::count(self.missing_pdfs.len() as u64, "shipped case"),
                    if self.missing_pdfs.len() == 1 {
                        "has"
                    } else {
                        "have"
                    },
                    self.bills_dir.display(),
                    first_of(&self.missing_pdfs)
                )
            },
        );
        if !self.missing_attachments.is_empty() {
            line(
                "attachment files",
                format!(
                    "{} of customers' mail missing from {} (copy {} back from the `{}` folder beside your backups, or run `rmaboard restore`): {}",
                    crate::domain::text::count(self.missing_attachments.len() as u64, "attachment"),
                    self.attachments_dir.display(),
                    if self.missing_attachments.len() == 1 {
                        "it"
                    } else {
                        "them"
                    },
                    crate::workshop::backup::KEPT_ATTACHMENTS,
                    first_of(&self.missing_attachments)
                ),
            );
        }
        line(
            "temporary files",
            if self.stale.is_empty() {
                "ok: none left by interrupted runs".to_string()
            } else {
                format!(
                    "{} left by interrupted runs (the next ship, backup or send there removes them, or delete them): {}",
                    self.stale.len(),
                    first_of(
                        &self
                            .stale
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                    )
                )
            },
        );
        out
    }
}

/// The first twenty of a list, and how many more there are.
fn first_of(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(20)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 20 {
        s.push_str(&format!(" and {} more", items.len() - 20));
    }
    s
}

pub(super) fn check_files(
    store: &Store,
    bills_dir: &Path,
    attachments_dir: &Path,
) -> Result<FileCheck, Failure> {
    let bills_dir_exists = bills_dir.is_dir();
    let missing_pdfs = if bills_dir_exists {
        store
            .shipped_bills()?
            .into_iter()
            .filter(|(_, file)| !bills_dir.join(file).exists())
            .map(|(rma, file)| format!("{rma} ({file})"))
            .collect()
    } else {
        Vec::new()
    };
    let mut stale = files::stale_temporaries(bills_dir, None);
    stale.extend(files::stale_temporaries(bills_dir, Some(files::Kind::Bill)));
    stale.sort();
    stale.dedup();
    let db_dir = files::folder_of(store.path());
    if db_dir != bills_dir {
        stale.extend(files::stale_temporaries(db_dir, None));
    }
    // An import killed while saving a customer's photo leaves its temporary file.
    if attachments_dir != bills_dir && attachments_dir != db_dir {
        stale.extend(files::stale_temporaries(attachments_dir, None));
    }
    // Checked where there is an attachments folder (a backup checked in its own folder
    // has its attachments in a folder of their own).
    let missing_attachments = if attachments_dir.is_dir() {
        store
            .attachment_files()?
            .into_iter()
            .filter(|file| !attachments_dir.join(file).exists())
            .collect()
    } else {
        Vec::new()
    };
    Ok(FileCheck {
        bills_dir_exists,
        missing_pdfs,
        stale,
        bills_dir: bills_dir.to_path_buf(),
        missing_attachments,
        attachments_dir: attachments_dir.to_path_buf(),
    })
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
            let warnings = ws.write_bill_to(&bill, &path).map_err(Failure::new)?;
            say_font_warnings(&bill, &warnings);
            println!("{}", path.display());
        }
        None => {
            // A ship interrupted after its commit left the bill without its PDF: make it
            // now, before anything is printed.
            if let Some(written) = ws.write_missing_bill(bill.clone()) {
                say_bill(&case, &written);
            }
            print!("{}", bill.text());
        }
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
            for (id, rma) in &report.need_person {
                println!(
                    "message {id} ({rma}) has no address and is not tried again: reach the customer another way, then `rmaboard outbox drop {id} --reason TEXT`"
                );
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
                    "{} could not be sent and stay in the outbox with the error (see above): fix the cause and run `rmaboard outbox send` again",
                    crate::domain::text::count(failed as u64, "message")
                ))),
                (failed, unsure) => Err(Failure::new(format!(
                    "{} could not be sent and {unsure} may have been sent (see above): check the mail log, release with `rmaboard outbox release ID` only what did not go out, and run `rmaboard outbox send` again",
                    crate::domain::text::count(failed as u64, "message")
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
    if m.rmas.len() > 1 {
        s.push_str(&format!("  (+{} more)", m.rmas.len() - 1));
    }
    if m.needs_person() {
        s.push_str("  no address: reach the customer another way, then drop it");
    } else if let Some(d) = &m.dropped {
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
        m.rmas.join(", "),
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

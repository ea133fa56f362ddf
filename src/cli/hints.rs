//! The command line's way out of a refusal. The domain and the store say what is wrong
//! (and carry the data); where the way out is a flag or a command, it is said here.

use crate::domain::EventField;
use crate::domain::case::{AdmitError, CaseError, OpenError};
use crate::store::StoreError;

/// The sentence `rmaboard` prints on stderr for a store error.
pub(super) fn sentence(e: &StoreError) -> String {
    let problem = e.problem();
    match e {
        StoreError::NotOurs { .. } => format!("{problem}: check --db or RMABOARD_DB"),
        StoreError::NeedsUpgrade { .. } => {
            format!("{problem}: ask someone who may write to it to run `rmaboard init`")
        }
        StoreError::Corrupt(_) => format!(
            "{problem}: run `rmaboard doctor` and restore the latest backup (see README, Backups)"
        ),
        StoreError::FolderNotWritable { .. } => {
            format!("{problem}; choose another --db or ask for write access to the folder")
        }
        StoreError::NotFound(_) => {
            format!("{problem}: check the number, or look with `rmaboard list`")
        }
        StoreError::NoSuchMessage(_) => {
            format!("{problem}: look with `rmaboard outbox list --all`")
        }
        StoreError::MessageBeingSent { id, .. } => format!(
            "{problem}: if that sender stopped mid-way, check that it did not reach the customer, `rmaboard outbox release {id}`, then drop it"
        ),
        StoreError::TrackingUsed { .. } => format!(
            "{problem}; nothing was shipped: give this parcel its own S10 number, or add --reuse-tracking if it is that parcel opened again"
        ),
        StoreError::OfCase { rma, error } => format!("{rma}: {}", sentence(error)),
        StoreError::Case(c) => case(c),
        StoreError::Admit(AdmitError::Open(OpenError::Refused { .. })) => {
            format!("{problem} To open a case anyway as goodwill, add --override REASON.")
        }
        _ => e.to_string(),
    }
}

fn case(e: &CaseError) -> String {
    let problem = e.problem();
    match e {
        CaseError::Missing {
            field: EventField::ManufacturerRef,
            ..
        } => format!("{problem}: use `send KEY --manufacturer-ref REF` instead"),
        CaseError::Missing {
            field: EventField::TrackingOut,
            ..
        } => format!("{problem}: use `ship KEY --tracking S10` instead"),
        CaseError::NotInspected { .. } => {
            format!("{problem}: use `inspect --pass` or `inspect --fail --note TEXT`")
        }
        CaseError::BeforeStage { .. } => format!("{problem}: check the time given with --at"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RmaNumber, Stage};

    #[test]
    fn the_command_line_names_its_flags() {
        let rma = RmaNumber::new(2026, 7);
        let missing = StoreError::Case(CaseError::Missing {
            rma,
            field: EventField::TrackingOut,
            to: Stage::Shipped,
        });
        assert_eq!(
            sentence(&missing),
            "RMA-2026-00007 has no outbound tracking number yet, so a plain move cannot take it to shipped: use `ship KEY --tracking S10` instead"
        );
        assert!(!missing.to_string().contains("--"), "{missing}");
        let early = StoreError::Case(CaseError::BeforeStage {
            rma,
            stage: Stage::Received,
            since: "2026-05-04 09:00".into(),
        });
        assert_eq!(
            sentence(&early),
            "RMA-2026-00007 entered received at 2026-05-04 09:00, so this cannot have happened earlier: check the time given with --at"
        );
        assert_eq!(
            sentence(&StoreError::NoSuchMessage(9)),
            "there is no message 9 in the outbox: look with `rmaboard outbox list --all`"
        );
        assert_eq!(
            sentence(&StoreError::MessageBeingSent {
                id: 4,
                by: Some("ben".into())
            }),
            "message 4 is being sent by ben right now: if that sender stopped mid-way, check that it did not reach the customer, `rmaboard outbox release 4`, then drop it"
        );
        // Errors without a flag to name read as the store says them.
        assert_eq!(
            sentence(&StoreError::ReadOnly),
            StoreError::ReadOnly.to_string()
        );
    }
}

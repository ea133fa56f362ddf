//! The board's way out of a refusal, in its own keys. The domain and the store say what
//! is wrong (and carry the data); where the way out is a key on the board, it is said
//! here, with the key the user has bound.

use super::action::Action;
use super::keymap::KeyMap;
use crate::domain::EventField;
use crate::domain::case::{AdmitError, CaseError, OpenError};
use crate::store::StoreError;

/// The sentence the board shows for a store error.
pub fn sentence(e: &StoreError, keys: &KeyMap) -> String {
    let problem = e.problem();
    match (e, bound(keys, Action::Search)) {
        (StoreError::NotFound(_), Some(search)) => {
            format!("{problem}: check the number, or search with {search}")
        }
        // The board has no key for it: the command line does it.
        (StoreError::MessageBeingSent { id, .. }, _) => format!(
            "{problem}: if that sender stopped mid-way, check that it did not reach the customer, release it on the command line (rmaboard outbox release {id}), then drop it"
        ),
        (StoreError::Case(c), _) => case(c, keys),
        (StoreError::Admit(AdmitError::Open(refusal @ OpenError::Refused { .. })), _) => {
            goodwill_needed(refusal)
        }
        _ => e.to_string(),
    }
}

/// The key that runs `action`, if the user left it one.
fn bound(keys: &KeyMap, action: Action) -> Option<String> {
    Some(keys.first_key(action)).filter(|k| !k.is_empty())
}

fn case(e: &CaseError, keys: &KeyMap) -> String {
    let problem = e.problem();
    match (e, bound(keys, Action::MoveForward)) {
        (
            CaseError::Missing {
                field: field @ (EventField::ManufacturerRef | EventField::TrackingOut),
                ..
            },
            Some(next),
        ) => format!(
            "{problem}: press {next} on it instead, which asks for the {}",
            field.describe()
        ),
        (CaseError::NotInspected { .. }, Some(next)) => {
            format!("{problem}: press {next} on it instead, which asks whether it passed")
        }
        // The board dates every change with its own clock.
        (CaseError::BeforeStage { .. }, _) => format!(
            "{problem}: check this computer's clock, which is behind the one that recorded that move"
        ),
        _ => e.to_string(),
    }
}

/// A device the verdict refuses, on the new-case form: the form has a field for the
/// goodwill reason.
pub fn goodwill_needed(refusal: &OpenError) -> String {
    format!(
        "{} To open a case anyway as goodwill, give an override reason.",
        refusal.problem()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{RmaNumber, Stage};

    #[test]
    fn the_board_names_its_keys() {
        let mut keys = KeyMap::default_keys();
        let not_inspected = StoreError::Case(CaseError::NotInspected {
            rma: RmaNumber::new(2026, 7),
        });
        assert_eq!(
            sentence(&not_inspected, &keys),
            "RMA-2026-00007 has no inspection result, so a plain move cannot take it to inspected: press > on it instead, which asks whether it passed"
        );
        // A rebound key is the one named.
        keys.merge_user("[[keymap]]\nrun = \"move_forward\"\non = [\"f\"]\n")
            .unwrap();
        let missing = StoreError::Case(CaseError::Missing {
            rma: RmaNumber::new(2026, 7),
            field: EventField::ManufacturerRef,
            to: Stage::AtManufacturer,
        });
        assert_eq!(
            sentence(&missing, &keys),
            "RMA-2026-00007 has no manufacturer reference yet, so a plain move cannot take it to at_manufacturer: press f on it instead, which asks for the manufacturer reference"
        );
        let unknown = StoreError::NotFound("RMA-2026-00099".into());
        assert_eq!(
            sentence(&unknown, &keys),
            "no case has the RMA number, IMEI or tracking number RMA-2026-00099: check the number, or search with /"
        );
    }

    #[test]
    fn no_board_sentence_names_a_flag() {
        let keys = KeyMap::default_keys();
        let errors = [
            StoreError::NotFound("x".into()),
            StoreError::NoSuchMessage(3),
            StoreError::Corrupt("bad page".into()),
            StoreError::Case(CaseError::BeforeStage {
                rma: RmaNumber::new(2026, 7),
                stage: Stage::Received,
                since: "2026-05-04 09:00".into(),
            }),
        ];
        for e in &errors {
            let s = sentence(e, &keys);
            assert!(!s.contains("--") && !s.contains('`'), "{s}");
        }
    }
}

//! The stages a device goes through and the moves allowed between them.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a case is in the flow; one pane of the board each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// RMA issued, the customer's parcel is on its way.
    Expected,
    /// The parcel arrived at the shop.
    Received,
    /// Sent to the manufacturer for repair.
    AtManufacturer,
    /// Back and inspected (or found void and returned unrepaired).
    Inspected,
    /// Sent back to the customer by China Post.
    Shipped,
}

/// A stage name typed that is not one; holds what was typed, cut to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not a stage: use one of expected, received, at_manufacturer, inspected, shipped")]
pub struct UnknownStage(pub String);

impl Stage {
    /// Every stage, in the order of the flow and the panes.
    pub const ALL: [Stage; 5] = [
        Stage::Expected,
        Stage::Received,
        Stage::AtManufacturer,
        Stage::Inspected,
        Stage::Shipped,
    ];

    /// The snake_case name used in the database, JSON and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Expected => "expected",
            Stage::Received => "received",
            Stage::AtManufacturer => "at_manufacturer",
            Stage::Inspected => "inspected",
            Stage::Shipped => "shipped",
        }
    }

    /// The pane title staff read.
    pub fn title(self) -> &'static str {
        match self {
            Stage::Expected => "Expected",
            Stage::Received => "Received",
            Stage::AtManufacturer => "At manufacturer",
            Stage::Inspected => "Inspected",
            Stage::Shipped => "Shipped",
        }
    }

    /// Read a stage name as typed: any case, dashes or spaces for underscores.
    pub fn parse(s: &str) -> Result<Stage, UnknownStage> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| UnknownStage(s.chars().take(40).collect()))
    }

    /// The usual next stage (the board's `>`), if any.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Expected => Some(Stage::Received),
            Stage::Received => Some(Stage::AtManufacturer),
            Stage::AtManufacturer => Some(Stage::Inspected),
            Stage::Inspected => Some(Stage::Shipped),
            Stage::Shipped => None,
        }
    }

    /// The usual previous stage (the board's `<`), if any.
    pub fn previous(self) -> Option<Stage> {
        match self {
            Stage::Expected => None,
            Stage::Received => Some(Stage::Expected),
            Stage::AtManufacturer => Some(Stage::Received),
            Stage::Inspected => Some(Stage::AtManufacturer),
            Stage::Shipped => Some(Stage::Inspected),
        }
    }

    /// Forward moves of the flow; every one of them may also be undone backwards.
    /// `received -> inspected` is the in-house repair.
    const FORWARD: [(Stage, Stage); 5] = [
        (Stage::Expected, Stage::Received),
        (Stage::Received, Stage::AtManufacturer),
        (Stage::Received, Stage::Inspected),
        (Stage::AtManufacturer, Stage::Inspected),
        (Stage::Inspected, Stage::Shipped),
    ];

    /// Whether `from -> to` is a forward move of the flow.
    pub fn is_forward(from: Stage, to: Stage) -> bool {
        Self::FORWARD.contains(&(from, to))
    }

    /// Whether `from -> to` undoes a forward move.
    pub fn is_backward(from: Stage, to: Stage) -> bool {
        Self::FORWARD.contains(&(to, from))
    }

    /// Check a move against the flow.
    pub fn check_move(from: Stage, to: Stage) -> Result<(), MoveError> {
        if from == to {
            return Err(MoveError::AlreadyThere(to));
        }
        if Self::is_forward(from, to) || Self::is_backward(from, to) {
            Ok(())
        } else {
            Err(MoveError::NotAllowed { from, to })
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A move the flow does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoveError {
    /// The case is already in that stage.
    #[error("the case is already in {0}")]
    AlreadyThere(Stage),
    /// A move that skips stages; the message lists the allowed ones.
    #[error("a case cannot go from {from} to {to} directly: {hint}", hint = move_hint(*from))]
    NotAllowed {
        /// The stage the case is in.
        from: Stage,
        /// The stage asked for.
        to: Stage,
    },
}

fn move_hint(from: Stage) -> String {
    let reachable: Vec<&str> = Stage::ALL
        .into_iter()
        .filter(|&s| Stage::is_forward(from, s) || Stage::is_backward(from, s))
        .map(Stage::as_str)
        .collect();
    format!("from {from} it can go to {}", reachable.join(" or "))
}

/// What became of the device, once inspected. A field, not a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Repaired by the manufacturer and passed inspection.
    Repaired,
    /// Repaired at the shop's own bench (`received -> inspected`).
    RepairedInHouse,
    /// Not covered (void, expired, ...): sent back as it came.
    ReturnedUnrepaired,
}

impl Outcome {
    /// The snake_case name used in the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Repaired => "repaired",
            Outcome::RepairedInHouse => "repaired_in_house",
            Outcome::ReturnedUnrepaired => "returned_unrepaired",
        }
    }

    /// The outcome a stored name stands for, if any.
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Repaired,
            Outcome::RepairedInHouse,
            Outcome::ReturnedUnrepaired,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

impl Outcome {
    /// The outcome as people read it, with the reason a device went back unrepaired:
    /// "returned unrepaired (void: water damage)".
    pub fn describe(self, verdict: crate::domain::Verdict) -> String {
        use crate::domain::Verdict;
        match self {
            Outcome::Repaired => "repaired".into(),
            Outcome::RepairedInHouse => "repaired in house".into(),
            Outcome::ReturnedUnrepaired => {
                let why = match verdict {
                    Verdict::Void(r) => format!("void: {}", r.describe()),
                    Verdict::NotCovered(e) => format!("not covered: {}", e.as_str()),
                    Verdict::Expired => "guarantee expired".into(),
                    Verdict::NotSoldByUs => "not sold by us".into(),
                    Verdict::Covered | Verdict::DeliveryDamage => String::new(),
                };
                if why.is_empty() {
                    "returned unrepaired".into()
                } else {
                    format!("returned unrepaired ({why})")
                }
            }
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    #[test]
    fn an_outcome_reads_as_words_with_its_reason() {
        use crate::domain::{Verdict, VoidReason};
        let void = Verdict::Void(VoidReason::WaterDamage);
        assert_eq!(
            Outcome::ReturnedUnrepaired.describe(void),
            "returned unrepaired (void: water damage)"
        );
        assert_eq!(
            Outcome::RepairedInHouse.describe(Verdict::Covered),
            "repaired in house"
        );
        assert_eq!(
            Outcome::ReturnedUnrepaired.describe(Verdict::Expired),
            "returned unrepaired (guarantee expired)"
        );
    }

    #[test]
    fn the_flow_and_its_undo() {
        for (from, to) in [
            (Expected, Received),
            (Received, AtManufacturer),
            (AtManufacturer, Inspected),
            (Inspected, Shipped),
            (Received, Inspected),
        ] {
            assert!(Stage::check_move(from, to).is_ok());
            assert!(Stage::check_move(to, from).is_ok(), "undo {to} -> {from}");
        }
    }

    #[test]
    fn skipping_stages_is_refused_with_the_options() {
        let err = Stage::check_move(Expected, Shipped).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a case cannot go from expected to shipped directly: from expected it can go to received"
        );
        assert!(Stage::check_move(Received, Shipped).is_err());
        assert!(Stage::check_move(Expected, AtManufacturer).is_err());
        assert_eq!(
            Stage::check_move(Received, Received),
            Err(MoveError::AlreadyThere(Received))
        );
    }

    #[test]
    fn parse_is_forgiving_about_case_and_separators() {
        assert_eq!(Stage::parse("at_manufacturer"), Ok(AtManufacturer));
        assert_eq!(Stage::parse("At-Manufacturer"), Ok(AtManufacturer));
        assert!(Stage::parse("repaired").is_err());
    }

    #[test]
    fn next_and_previous_follow_the_panes() {
        assert_eq!(Expected.next(), Some(Received));
        assert_eq!(Shipped.next(), None);
        assert_eq!(Expected.previous(), None);
        assert_eq!(Shipped.previous(), Some(Inspected));
    }
}

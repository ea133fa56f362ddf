//! The names in the event log: which staff action an event records and which field of
//! the case it changed. Stored as text in `events.kind` and `events.field`, exactly as
//! [`EventKind::as_str`] and [`EventField::as_str`] write them; the JSON output shows
//! the same strings.
//!
//! A name this version does not know (written by a newer rmaboard, or by hand) is kept
//! as read in `Other`, so reading an old or new database never fails on its history.

use std::fmt;

use serde::{Serialize, Serializer};

/// The staff action behind an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A case was opened.
    Open,
    /// The parcel was received.
    Receive,
    /// Sent to the manufacturer.
    Send,
    /// The repair passed inspection.
    InspectPass,
    /// The repair failed inspection.
    InspectFail,
    /// The warranty was found void.
    Void,
    /// Shipped back to the customer.
    Ship,
    /// Any allowed move (`rmaboard move`, the board's `<`).
    Move,
    /// The board's undo of a user's own last move.
    Undo,
    /// Fields were corrected.
    Edit,
    /// A kind this version does not know, as stored.
    Other(String),
}

impl EventKind {
    /// Every kind this version writes.
    pub const KNOWN: [EventKind; 10] = [
        EventKind::Open,
        EventKind::Receive,
        EventKind::Send,
        EventKind::InspectPass,
        EventKind::InspectFail,
        EventKind::Void,
        EventKind::Ship,
        EventKind::Move,
        EventKind::Undo,
        EventKind::Edit,
    ];

    /// The name stored in `events.kind` and shown in JSON.
    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Open => "open",
            EventKind::Receive => "receive",
            EventKind::Send => "send",
            EventKind::InspectPass => "inspect_pass",
            EventKind::InspectFail => "inspect_fail",
            EventKind::Void => "void",
            EventKind::Ship => "ship",
            EventKind::Move => "move",
            EventKind::Undo => "undo",
            EventKind::Edit => "edit",
            EventKind::Other(s) => s,
        }
    }

    /// The kind stored as `s`; never fails (an unknown name becomes `Other`).
    pub fn parse(s: &str) -> EventKind {
        match s {
            "open" => EventKind::Open,
            "receive" => EventKind::Receive,
            "send" => EventKind::Send,
            "inspect_pass" => EventKind::InspectPass,
            "inspect_fail" => EventKind::InspectFail,
            "void" => EventKind::Void,
            "ship" => EventKind::Ship,
            "move" => EventKind::Move,
            "undo" => EventKind::Undo,
            "edit" => EventKind::Edit,
            other => EventKind::Other(other.to_string()),
        }
    }
}

/// The field of a case that an event changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventField {
    /// The stage (pane).
    Stage,
    /// How the repair ended.
    Outcome,
    /// The count of trips to the manufacturer.
    Rounds,
    /// The warranty verdict.
    Verdict,
    /// The goodwill override reason.
    Goodwill,
    /// The customer's fault description.
    Fault,
    /// The inbound tracking number.
    TrackingIn,
    /// The manufacturer's reference.
    ManufacturerRef,
    /// The outbound China Post number.
    TrackingOut,
    /// A field this version does not know, as stored.
    Other(String),
}

impl EventField {
    /// Every field this version writes.
    pub const KNOWN: [EventField; 9] = [
        EventField::Stage,
        EventField::Outcome,
        EventField::Rounds,
        EventField::Verdict,
        EventField::Goodwill,
        EventField::Fault,
        EventField::TrackingIn,
        EventField::ManufacturerRef,
        EventField::TrackingOut,
    ];

    /// The name stored in `events.field` and shown in JSON.
    pub fn as_str(&self) -> &str {
        match self {
            EventField::Stage => "stage",
            EventField::Outcome => "outcome",
            EventField::Rounds => "rounds",
            EventField::Verdict => "verdict",
            EventField::Goodwill => "goodwill",
            EventField::Fault => "fault",
            EventField::TrackingIn => "tracking_in",
            EventField::ManufacturerRef => "manufacturer_ref",
            EventField::TrackingOut => "tracking_out",
            EventField::Other(s) => s,
        }
    }

    /// The field stored as `s`; never fails (an unknown name becomes `Other`).
    pub fn parse(s: &str) -> EventField {
        match s {
            "stage" => EventField::Stage,
            "outcome" => EventField::Outcome,
            "rounds" => EventField::Rounds,
            "verdict" => EventField::Verdict,
            "goodwill" => EventField::Goodwill,
            "fault" => EventField::Fault,
            "tracking_in" => EventField::TrackingIn,
            "manufacturer_ref" => EventField::ManufacturerRef,
            "tracking_out" => EventField::TrackingOut,
            other => EventField::Other(other.to_string()),
        }
    }

    /// The field in words, for a sentence: "RMA-… has no {outbound tracking number} yet".
    pub fn describe(&self) -> &str {
        match self {
            EventField::Stage => "stage",
            EventField::Outcome => "outcome",
            EventField::Rounds => "count of manufacturer rounds",
            EventField::Verdict => "verdict",
            EventField::Goodwill => "goodwill reason",
            EventField::Fault => "fault",
            EventField::TrackingIn => "inbound tracking number",
            EventField::ManufacturerRef => "manufacturer reference",
            EventField::TrackingOut => "outbound tracking number",
            EventField::Other(s) => s,
        }
    }
}

// `pad`, not `write_str`: `rmaboard show` lines the history up with `{:<13}`.
impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for EventField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for EventField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_read_back_as_written() {
        for k in EventKind::KNOWN {
            assert_eq!(EventKind::parse(k.as_str()), k);
            assert!(!matches!(k, EventKind::Other(_)));
        }
        for f in EventField::KNOWN {
            assert_eq!(EventField::parse(f.as_str()), f);
            assert!(!matches!(f, EventField::Other(_)));
        }
    }

    /// The strings in the database and in the JSON output: changing one breaks every
    /// database written so far and the scripts that read `show --json`.
    #[test]
    fn stored_names_do_not_change() {
        let kinds: Vec<&str> = EventKind::KNOWN.iter().map(EventKind::as_str).collect();
        assert_eq!(
            kinds,
            [
                "open",
                "receive",
                "send",
                "inspect_pass",
                "inspect_fail",
                "void",
                "ship",
                "move",
                "undo",
                "edit"
            ]
        );
        let fields: Vec<&str> = EventField::KNOWN.iter().map(EventField::as_str).collect();
        assert_eq!(
            fields,
            [
                "stage",
                "outcome",
                "rounds",
                "verdict",
                "goodwill",
                "fault",
                "tracking_in",
                "manufacturer_ref",
                "tracking_out"
            ]
        );
        assert_eq!(
            serde_json::to_string(&EventKind::InspectFail).unwrap(),
            "\"inspect_fail\""
        );
        assert_eq!(
            serde_json::to_string(&EventField::TrackingOut).unwrap(),
            "\"tracking_out\""
        );
    }

    #[test]
    fn unknown_names_are_kept_not_refused() {
        let k = EventKind::parse("recall");
        assert_eq!(k, EventKind::Other("recall".into()));
        assert_eq!(k.as_str(), "recall");
        let f = EventField::parse("warranty_note");
        assert_eq!(f.to_string(), "warranty_note");
        assert_eq!(format!("[{:<8}]", EventKind::Ship), "[ship    ]");
        assert_eq!(f.describe(), "warranty_note");
    }
}

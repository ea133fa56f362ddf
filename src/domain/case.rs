//! A repair case and what each staff action does to it.
//!
//! "What happens when a device is shipped" lives here, in [`plan`]: it checks the move
//! against the flow and the case's data and returns the new state and the events to log.
//! The store only persists what [`plan`] decided.

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::event::{EventField, EventKind};
use super::imei::Imei;
use super::rma::RmaNumber;
use super::stage::{MoveError, Outcome, Stage};
use super::text::{self, TextError};
use super::tracking::{S10, TrackingNumber};
use super::warranty::{Assessment, Part, Verdict, VoidReason};

/// One device a customer reported defective, as the workshop tracks it from the RMA number
/// to shipping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The database row id; staff use the RMA number instead.
    pub id: i64,
    /// The shop's RMA number, unique and never reused.
    pub rma: RmaNumber,
    /// The device's validated IMEI.
    pub imei: Imei,
    /// The pane the case is in.
    pub stage: Stage,
    /// How the repair ended (repaired, repaired in-house, returned unrepaired); `None`
    /// while it is under way.
    pub outcome: Option<Outcome>,
    /// The warranty verdict given when the case was opened, or `void` once found at intake
    /// or inspection.
    pub verdict: Verdict,
    /// The verdict's explanation in a sentence, as shown to staff.
    pub verdict_reason: String,
    /// Why the case was opened although the verdict refused it (goodwill).
    pub goodwill: Option<String>,
    /// The sales order the device was sold on, from the sales registry.
    pub order_number: String,
    /// The customer (mostly a reseller) the device was sold to, from the sales registry.
    pub customer_number: String,
    /// The device model, from the sales registry.
    pub model: String,
    /// The customer's description of the fault.
    pub fault: String,
    /// The part reported faulty: the device itself or an accessory.
    pub part: Part,
    /// The inbound parcel's tracking number (any carrier, as typed); `None` until known.
    pub tracking_in: Option<String>,
    /// The manufacturer's reference for the repair; `None` until sent.
    pub manufacturer_ref: Option<String>,
    /// The China Post S10 number the device was shipped back with; `None` until shipped.
    pub tracking_out: Option<String>,
    /// Trips to the manufacturer: 1 after the first send, one more per failed inspection.
    pub rounds: u32,
    /// When the customer claimed: the date the warranty verdict is judged on.
    pub claimed_at: DateTime<Utc>,
    /// When the RMA number was issued.
    pub opened_at: DateTime<Utc>,
    /// When the case entered its current stage (or started its current manufacturer round).
    pub stage_since: DateTime<Utc>,
    /// When the case was last written.
    pub updated_at: DateTime<Utc>,
    /// Bumped by every write; a write based on an older version is refused.
    pub version: i64,
}

/// What staff do to a case (besides adding notes, which never conflict).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The parcel arrived at the shop.
    Receive {
        /// The parcel's tracking number as scanned or typed; `None` keeps the one recorded,
        /// if any.
        tracking_in: Option<TrackingNumber>,
    },
    /// Sent to the manufacturer for repair.
    Send {
        /// The manufacturer's reference for this repair.
        manufacturer_ref: String,
    },
    /// `note`, if any, is kept as an ordinary note, in the same write.
    InspectPass {
        /// Repaired at the shop's own bench, straight from received.
        in_house: bool,
        /// What the inspector wants to keep about the pass.
        note: Option<String>,
    },
    /// The repair failed inspection: back to the manufacturer (or the bench) for another round.
    InspectFail {
        /// What is still wrong; required.
        note: String,
    },
    /// Warranty void (found at intake or inspection): the device goes back unrepaired.
    Void {
        /// Why the warranty is void.
        reason: VoidReason,
        /// What staff saw, in their words.
        note: String,
    },
    /// Sent back to the customer by China Post.
    Ship {
        /// The outbound China Post S10 number.
        tracking: S10,
    },
    /// Any allowed move, backwards included.
    Move {
        /// The stage to move the case to.
        to: Stage,
    },
    /// The undo of the user's own last move (not a failed inspection): back to `to`,
    /// logged as an undo, with what the move cleared or replaced (`before`).
    UndoMove {
        /// The stage the move started from.
        to: Stage,
        /// What the case had before the move, brought back.
        before: BeforeMove,
    },
    /// The undo of the user's own failed inspection: the case goes back to how it was
    /// before it, logged as an undo.
    UndoFail(BeforeFail),
    /// Corrections to fields recorded earlier.
    Edit(Edit),
}

/// Where a case was just before a failed inspection, for taking that inspection back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeforeFail {
    /// The stage: at_manufacturer, or inspected after a pass.
    pub stage: Stage,
    /// The manufacturer rounds counted then.
    pub rounds: u32,
    /// The inspection result then (a pass later failed), if any.
    pub outcome: Option<Outcome>,
    /// When the case had entered that stage (or started that round).
    pub stage_since: DateTime<Utc>,
}

/// What a move cleared or replaced, for taking it back: the undo brings the case back to
/// exactly how it was before the move.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BeforeMove {
    /// The result before a move that set it (an inspection, a void) or cleared it (a
    /// move out of inspected).
    pub outcome: Patch<Outcome>,
    /// The warranty verdict and its sentence before a void replaced them.
    pub verdict: Option<(Verdict, String)>,
    /// The inbound tracking number before a receipt recorded one.
    pub tracking_in: Patch<String>,
    /// The manufacturer reference before a send replaced it.
    pub manufacturer_ref: Patch<String>,
    /// The outbound tracking number before a shipment recorded one.
    pub tracking_out: Patch<String>,
    /// When the case had entered the stage it goes back to; `None`: the undo starts a new
    /// clock.
    pub stage_since: Option<DateTime<Utc>>,
}

/// Fields staff may correct after opening.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Edit {
    /// A corrected fault description; `None` keeps it.
    pub fault: Option<String>,
    /// The only field that may also be removed: a number entered by mistake.
    pub tracking_in: Patch<TrackingNumber>,
    /// A corrected manufacturer reference; `None` keeps it.
    pub manufacturer_ref: Option<String>,
}

/// What an edit does to an optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Leave the field as it is.
    #[default]
    Keep,
    /// Replace the field's value.
    Set(T),
    /// Remove the value.
    Clear,
}

/// One entry of the append-only event log: who, when, what, from, to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The staff member's login.
    pub author: String,
    /// The staff action.
    pub kind: EventKind,
    /// The field that changed.
    pub field: EventField,
    /// The value before, as text; `None` when the field was empty.
    pub from: Option<String>,
    /// The value after, as text; `None` when the field was cleared.
    pub to: Option<String>,
}

/// One repair note: append-only, with author and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// When the note was written.
    pub at: DateTime<Utc>,
    /// The staff member's login.
    pub author: String,
    /// The note itself.
    pub text: String,
}

/// A case with everything staff may want to read about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDetail {
    /// The case itself.
    pub case: Case,
    /// The IMEI's sale in the sales registry; `None` if the registry no longer has it.
    pub sale: Option<super::sale::Sale>,
    /// The repair notes, oldest first.
    pub notes: Vec<Note>,
    /// The case's history, oldest first.
    pub events: Vec<Event>,
    /// The photos and other files of the customer's mail the case was opened from.
    pub attachments: Vec<super::intake::Attachment>,
}

/// A field change decided by [`plan`], before it has an author and a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field that changed.
    pub field: EventField,
    /// The value before, as text; `None` when the field was empty.
    pub from: Option<String>,
    /// The value after, as text; `None` when the field was cleared.
    pub to: Option<String>,
}

/// The result of a staff action: the case as it will be, what to log, and a note to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The staff action, as it will be logged.
    pub kind: EventKind,
    /// The case as it will be after the action.
    pub case: Case,
    /// The field changes to log, one event each.
    pub changes: Vec<FieldChange>,
    /// A note to add in the same write (an inspection note, a void note).
    pub note: Option<String>,
}

/// Why a staff action cannot be done to a case.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaseError {
    /// The flow does not allow that move.
    #[error(transparent)]
    Move(#[from] MoveError),
    /// A typed text is empty, too long or unusable.
    #[error(transparent)]
    Text(#[from] TextError),
    /// The action needs the case in another stage.
    #[error("{rma} is in {stage}; {action} needs it to be in {needed}")]
    WrongStage {
        /// The case.
        rma: RmaNumber,
        /// The stage it is in.
        stage: Stage,
        /// The action refused, in words ("shipping").
        action: &'static str,
        /// The stage(s) the action needs, in words.
        needed: &'static str,
    },
    /// A forward move that skips the action which records `field` (the manufacturer
    /// reference on the way to the manufacturer, the S10 number on the way out).
    #[error("{}: {}", self.problem(), match field {
        EventField::ManufacturerRef => "send it to the manufacturer with its reference instead",
        EventField::TrackingOut => "ship it with its China Post tracking number instead",
        _ => "record it with the action for that stage instead",
    })]
    Missing {
        /// The case.
        rma: RmaNumber,
        /// The field that must be recorded first.
        field: EventField,
        /// The stage the move was meant to reach.
        to: Stage,
    },
    /// A plain move to inspected, which must record pass or fail instead.
    #[error("{}: record whether it passed or failed its inspection instead", self.problem())]
    NotInspected {
        /// The case.
        rma: RmaNumber,
    },
    /// The case was already returned unrepaired.
    #[error(
        "{rma} was already returned unrepaired ({reason}); move it back first if that was a mistake"
    )]
    AlreadyVoid {
        /// The case.
        rma: RmaNumber,
        /// The verdict's explanation, recorded when it was voided.
        reason: String,
    },
    /// The action is dated before the case entered its stage (a time given by hand, or
    /// a clock behind the one that recorded the move).
    #[error("{}: check the time it happened", self.problem())]
    BeforeStage {
        /// The case.
        rma: RmaNumber,
        /// The stage it is in.
        stage: Stage,
        /// When it entered that stage, in local time for the message.
        since: String,
    },
    /// An undo of a failed inspection on a case that is not where that failure left it.
    #[error("{rma} is not where its failed inspection left it, so that cannot be taken back")]
    NotAFailure {
        /// The case.
        rma: RmaNumber,
    },
    /// An edit that changes no field.
    #[error("nothing to change: give at least one field to edit")]
    NothingToEdit,
}

/// Why a case cannot be opened on a warranty verdict.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OpenError {
    /// The IMEI is not in the sales registry: refused, even as goodwill.
    #[error("{imei} was not sold by us, so no case can be opened, not even as goodwill: {reason}")]
    NotSoldByUs {
        /// The device.
        imei: Imei,
        /// The verdict's explanation.
        reason: String,
    },
    /// The verdict refuses a repair and no override reason was given.
    #[error("{} To open a case anyway as goodwill, give an override reason.", self.problem())]
    Refused {
        /// The device.
        imei: Imei,
        /// The refusing verdict.
        verdict: Verdict,
        /// The verdict's explanation.
        reason: String,
    },
}

impl CaseError {
    /// What is wrong, without what to do about it: a front end that names its own way
    /// out (a command-line flag, a key on the board) adds it to this.
    pub fn problem(&self) -> String {
        match self {
            CaseError::Missing { rma, field, to } => format!(
                "{rma} has no {} yet, so a plain move cannot take it to {to}",
                field.describe()
            ),
            CaseError::NotInspected { rma } => format!(
                "{rma} has no inspection result, so a plain move cannot take it to inspected"
            ),
            CaseError::BeforeStage { rma, stage, since } => {
                format!("{rma} entered {stage} at {since}, so this cannot have happened earlier")
            }
            other => other.to_string(),
        }
    }
}

impl OpenError {
    /// What is wrong, without what to do about it (see [`CaseError::problem`]).
    pub fn problem(&self) -> String {
        match self {
            OpenError::Refused {
                imei,
                verdict,
                reason,
            } => format!("{imei} is {verdict}: {reason}"),
            other => other.to_string(),
        }
    }
}

/// Decide whether a case may be opened on this assessment; with an override (goodwill),
/// returns the cleaned reason to record.
pub fn admit(
    imei: &Imei,
    assessment: &Assessment,
    override_reason: Option<&str>,
) -> Result<Option<String>, AdmitError> {
    match (assessment.verdict, override_reason) {
        (Verdict::NotSoldByUs, _) => Err(OpenError::NotSoldByUs {
            imei: imei.clone(),
            reason: assessment.reason.clone(),
        }
        .into()),
        (v, None) if v.accepts_repair() => Ok(None),
        (v, None) => Err(OpenError::Refused {
            imei: imei.clone(),
            verdict: v,
            reason: assessment.reason.clone(),
        }
        .into()),
        (_, Some(reason)) => Ok(Some(text::required_line(
            "override reason",
            reason,
            text::MAX_SHORT * 4,
        )?)),
    }
}

/// Errors of [`admit`]: the refusal itself or an unusable override reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AdmitError {
    /// The verdict refuses the case.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The override reason is empty or too long.
    #[error(transparent)]
    Text(#[from] TextError),
}

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

struct Planner {
    kind: EventKind,
    case: Case,
    changes: Vec<FieldChange>,
    note: Option<String>,
}

impl Planner {
    fn set_stage(&mut self, to: Stage, at: DateTime<Utc>) {
        if self.case.stage != to {
            self.changes.push(FieldChange {
                field: EventField::Stage,
                from: s(self.case.stage),
                to: s(to),
            });
            self.case.stage = to;
            self.case.stage_since = at;
        }
    }

    fn set_outcome(&mut self, to: Option<Outcome>) {
        if self.case.outcome != to {
            self.changes.push(FieldChange {
                field: EventField::Outcome,
                from: self.case.outcome.map(|o| o.to_string()),
                to: to.map(|o| o.to_string()),
            });
            self.case.outcome = to;
        }
    }

    fn set_rounds(&mut self, to: u32) {
        if self.case.rounds != to {
            self.changes.push(FieldChange {
                field: EventField::Rounds,
                from: s(self.case.rounds),
                to: s(to),
            });
            self.case.rounds = to;
        }
    }

    fn set_text(&mut self, field: EventField, to: Option<String>) {
        let slot = match field {
            EventField::TrackingIn => &mut self.case.tracking_in,
            EventField::ManufacturerRef => &mut self.case.manufacturer_ref,
            EventField::TrackingOut => &mut self.case.tracking_out,
            _ => return self.set_fault(to),
        };
        if *slot != to {
            self.changes.push(FieldChange {
                field,
                from: slot.clone(),
                to: to.clone(),
            });
            *slot = to;
        }
    }

    fn set_fault(&mut self, to: Option<String>) {
        if let Some(to) = to
            && self.case.fault != to
        {
            self.changes.push(FieldChange {
                field: EventField::Fault,
                from: s(&self.case.fault),
                to: s(&to),
            });
            self.case.fault = to;
        }
    }

    fn set_verdict(&mut self, verdict: Verdict, reason: String) {
        if self.case.verdict != verdict {
            self.changes.push(FieldChange {
                field: EventField::Verdict,
                from: s(verdict_label(self.case.verdict)),
                to: s(verdict_label(verdict)),
            });
            self.case.verdict = verdict;
            self.case.verdict_reason = reason;
        }
    }

    fn require(
        &self,
        action: &'static str,
        needed: &'static str,
        ok: &[Stage],
    ) -> Result<(), CaseError> {
        if ok.contains(&self.case.stage) {
            Ok(())
        } else {
            Err(CaseError::WrongStage {
                rma: self.case.rma,
                stage: self.case.stage,
                action,
                needed,
            })
        }
    }
}

/// `void:water_damage`, `not_covered:software`, or the plain name.
pub fn verdict_label(v: Verdict) -> String {
    match v.detail() {
        Some(d) => format!("{}:{d}", v.as_str()),
        None => v.as_str().to_string(),
    }
}

/// Work out what a staff action does to `case` at time `at`, or why it cannot be done.
pub fn plan(case: &Case, change: Change, at: DateTime<Utc>) -> Result<Plan, CaseError> {
    use Stage::*;
    let kind = match &change {
        Change::Receive { .. } => EventKind::Receive,
        Change::Send { .. } => EventKind::Send,
        Change::InspectPass { .. } => EventKind::InspectPass,
        Change::InspectFail { .. } => EventKind::InspectFail,
        Change::Void { .. } => EventKind::Void,
        Change::Ship { .. } => EventKind::Ship,
        Change::UndoMove { .. } | Change::UndoFail(_) => EventKind::Undo,
        Change::Move { .. } => EventKind::Move,
        Change::Edit(_) => EventKind::Edit,
    };
    if at < case.stage_since && !matches!(change, Change::Edit(_)) {
        return Err(CaseError::BeforeStage {
            rma: case.rma,
            stage: case.stage,
            since: crate::domain::time::local_minutes(case.stage_since),
        });
    }
    let mut p = Planner {
        kind,
        case: case.clone(),
        changes: Vec::new(),
        note: None,
    };
    match change {
        Change::Receive { tracking_in } => {
            p.require("receiving", "expected", &[Expected])?;
            if let Some(t) = tracking_in {
                p.set_text(EventField::TrackingIn, s(t));
            }
            p.set_stage(Received, at);
        }
        Change::Send { manufacturer_ref } => {
            p.require("sending to the manufacturer", "received", &[Received])?;
            let r =
                text::required_line("manufacturer reference", &manufacturer_ref, text::MAX_SHORT)?;
            p.set_text(EventField::ManufacturerRef, Some(r));
            p.set_rounds(case.rounds + 1);
            p.set_stage(AtManufacturer, at);
        }
        Change::InspectPass { in_house, note } => {
            if in_house {
                p.require("an in-house inspection", "received", &[Received])?;
                p.set_outcome(Some(Outcome::RepairedInHouse));
            } else {
                p.require(
                    "inspection after repair",
                    "at_manufacturer",
                    &[AtManufacturer],
                )?;
                p.set_outcome(Some(Outcome::Repaired));
            }
            if let Some(note) = note {
                p.note = Some(text::required_text("note", &note, text::MAX_NOTE)?);
            }
            p.set_stage(Inspected, at);
        }
        Change::InspectFail { note } => {
            p.require(
                "a failed inspection",
                "at_manufacturer or inspected",
                &[AtManufacturer, Inspected],
            )?;
            if case.outcome == Some(Outcome::ReturnedUnrepaired) {
                return Err(void_error(case));
            }
            let note = text::required_text("inspection note", &note, text::MAX_NOTE)?;
            p.note = Some(format!("Inspection failed: {note}"));
            p.set_outcome(None);
            if case.outcome == Some(Outcome::RepairedInHouse) {
                // An in-house repair that failed goes back to the bench, where staff
                // decide: another try, or off to the manufacturer with `send`.
                p.set_stage(Received, at);
            } else {
                p.set_rounds(case.rounds.max(1) + 1);
                p.set_stage(AtManufacturer, at);
                // A new manufacturer round starts its clock now, even without a stage change.
                p.case.stage_since = at;
            }
        }
        Change::Void { reason, note } => {
            p.require(
                "recording a void reason",
                "received, at_manufacturer or inspected",
                &[Received, AtManufacturer, Inspected],
            )?;
            if case.outcome == Some(Outcome::ReturnedUnrepaired) {
                return Err(void_error(case));
            }
            let note = text::required_text("void note", &note, text::MAX_NOTE)?;
            p.note = Some(format!("Void ({}): {note}", reason.describe()));
            p.set_verdict(
                Verdict::Void(reason),
                format!("The guarantee is void: {}.", reason.describe()),
            );
            p.set_outcome(Some(Outcome::ReturnedUnrepaired));
            p.set_stage(Inspected, at);
        }
        Change::Ship { tracking } => {
            p.require("shipping", "inspected", &[Inspected])?;
            p.set_text(EventField::TrackingOut, s(tracking));
            p.set_stage(Shipped, at);
        }
        Change::Move { to, .. } => move_to(&mut p, case, to, None, at)?,
        Change::UndoMove { to, before } => {
            let restore = match &before.outcome {
                Patch::Set(outcome) => Some(*outcome),
                Patch::Keep | Patch::Clear => None,
            };
            move_to(&mut p, case, to, restore, at)?;
            match before.outcome {
                Patch::Keep => {}
                Patch::Set(outcome) => p.set_outcome(Some(outcome)),
                Patch::Clear => p.set_outcome(None),
            }
            if let Some((verdict, reason)) = before.verdict {
                p.set_verdict(verdict, reason);
            }
            // The store offers this undo only while none of these was changed since the
            // move (`Store::last_own_moves`): each still holds what the move wrote.
            for (field, patch) in [
                (EventField::TrackingIn, before.tracking_in),
                (EventField::ManufacturerRef, before.manufacturer_ref),
                (EventField::TrackingOut, before.tracking_out),
            ] {
                match patch {
                    Patch::Keep => {}
                    Patch::Set(v) => p.set_text(field, Some(v)),
                    Patch::Clear => p.set_text(field, None),
                }
            }
            // Back to the clock it had: the move never happened.
            if let Some(since) = before.stage_since {
                p.case.stage_since = since;
            }
        }
        Change::UndoFail(before) => {
            // A failed inspection leaves no result behind; anything else means the case
            // was inspected again since.
            p.require(
                "taking back a failed inspection",
                "at_manufacturer or received",
                &[AtManufacturer, Received],
            )?;
            if case.outcome.is_some() || !matches!(before.stage, AtManufacturer | Inspected) {
                return Err(CaseError::NotAFailure { rma: case.rma });
            }
            p.set_outcome(before.outcome);
            p.set_rounds(before.rounds);
            p.set_stage(before.stage, at);
            // Back to the clock it had: the failed inspection never happened.
            p.case.stage_since = before.stage_since;
        }
        Change::Edit(edit) => {
            if edit == Edit::default() {
                return Err(CaseError::NothingToEdit);
            }
            if let Some(f) = edit.fault {
                let f = text::required_text("fault", &f, text::MAX_FAULT)?;
                p.set_fault(Some(f));
            }
            match edit.tracking_in {
                Patch::Keep => {}
                Patch::Set(t) => p.set_text(EventField::TrackingIn, s(t)),
                Patch::Clear => p.set_text(EventField::TrackingIn, None),
            }
            if let Some(r) = edit.manufacturer_ref {
                let r = text::required_line("manufacturer reference", &r, text::MAX_SHORT)?;
                p.set_text(EventField::ManufacturerRef, Some(r));
            }
        }
    }
    Ok(Plan {
        kind: p.kind,
        case: p.case,
        changes: p.changes,
        note: p.note,
    })
}

/// Plan a move to `to` (forward or back). `restore` is the inspection result an undo
/// brings back with the case into inspected: the one the move taken back cleared.
fn move_to(
    p: &mut Planner,
    case: &Case,
    to: Stage,
    restore: Option<Outcome>,
    at: DateTime<Utc>,
) -> Result<(), CaseError> {
    use Stage::*;
    Stage::check_move(case.stage, to)?;
    let missing = |field| CaseError::Missing {
        rma: case.rma,
        field,
        to,
    };
    if Stage::is_forward(case.stage, to) {
        match to {
            AtManufacturer if case.manufacturer_ref.is_none() => {
                return Err(missing(EventField::ManufacturerRef));
            }
            AtManufacturer => p.set_rounds(case.rounds + 1),
            // An undo brings back the result the move taken back cleared.
            Inspected if case.outcome.is_none() => match restore {
                Some(outcome) => p.set_outcome(Some(outcome)),
                None => return Err(CaseError::NotInspected { rma: case.rma }),
            },
            Shipped if case.tracking_out.is_none() => {
                return Err(missing(EventField::TrackingOut));
            }
            _ => {}
        }
    } else {
        // Going back undoes what the stage left behind.
        match (case.stage, to) {
            (AtManufacturer, Received) => p.set_rounds(case.rounds.saturating_sub(1)),
            (Inspected, _) if case.outcome != Some(Outcome::ReturnedUnrepaired) => {
                p.set_outcome(None)
            }
            _ => {}
        }
    }
    p.set_stage(to, at);
    Ok(())
}

fn void_error(case: &Case) -> CaseError {
    CaseError::AlreadyVoid {
        rma: case.rma,
        reason: case.verdict_reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::warranty::Exclusion;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, 0, 0).unwrap()
    }

    fn case_in(stage: Stage) -> Case {
        Case {
            id: 1,
            rma: RmaNumber::new(2026, 7),
            imei: Imei::parse("490154203237518").unwrap(),
            stage,
            outcome: None,
            verdict: Verdict::Covered,
            verdict_reason: "Covered.".into(),
            goodwill: None,
            order_number: "SO-1".into(),
            customer_number: "C-1".into(),
            model: "CECT P30".into(),
            fault: "no power".into(),
            part: Part::Device,
            tracking_in: None,
            manufacturer_ref: None,
            tracking_out: None,
            rounds: 0,
            claimed_at: t(0),
            opened_at: t(0),
            stage_since: t(0),
            updated_at: t(0),
            version: 1,
        }
    }

    fn stages(p: &Plan) -> Vec<(String, String)> {
        p.changes
            .iter()
            .filter(|c| c.field == EventField::Stage)
            .map(|c| (c.from.clone().unwrap(), c.to.clone().unwrap()))
            .collect()
    }

    #[test]
    fn whole_flow_open_to_shipped() {
        let c = case_in(Stage::Expected);
        let p = plan(
            &c,
            Change::Receive {
                tracking_in: Some(TrackingNumber::parse("rr123456785cn").unwrap()),
            },
            t(1),
        )
        .unwrap();
        assert_eq!(p.case.stage, Stage::Received);
        assert_eq!(p.case.tracking_in.as_deref(), Some("RR123456785CN"));
        assert_eq!(p.case.stage_since, t(1));
        let p = plan(
            &p.case,
            Change::Send {
                manufacturer_ref: " MF-991 ".into(),
            },
            t(2),
        )
        .unwrap();
        assert_eq!(
            (
                p.case.stage,
                p.case.rounds,
                p.case.manufacturer_ref.as_deref()
            ),
            (Stage::AtManufacturer, 1, Some("MF-991"))
        );
        // A note with a pass travels in the same plan; an empty one refuses the pass.
        let with_note = |note: &str| {
            plan(
                &p.case,
                Change::InspectPass {
                    in_house: false,
                    note: Some(note.into()),
                },
                t(3),
            )
        };
        assert_eq!(
            with_note(" Works now ").unwrap().note.as_deref(),
            Some("Works now")
        );
        assert!(with_note("  ").is_err());
        let p = plan(
            &p.case,
            Change::InspectPass {
                in_house: false,
                note: None,
            },
            t(3),
        )
        .unwrap();
        assert_eq!(p.case.outcome, Some(Outcome::Repaired));
        assert_eq!(p.note, None);
        let p = plan(
            &p.case,
            Change::Ship {
                tracking: S10::parse("RR123456785CN").unwrap(),
            },
            t(4),
        )
        .unwrap();
        assert_eq!(p.case.stage, Stage::Shipped);
        assert_eq!(stages(&p), vec![("inspected".into(), "shipped".into())]);
        assert_eq!(p.kind, EventKind::Ship);
    }

    #[test]
    fn failed_inspection_counts_a_round_and_restarts_the_clock() {
        let mut c = case_in(Stage::AtManufacturer);
        c.rounds = 1;
        c.manufacturer_ref = Some("MF".into());
        let p = plan(
            &c,
            Change::InspectFail {
                note: "still no power".into(),
            },
            t(5),
        )
        .unwrap();
        assert_eq!(p.case.stage, Stage::AtManufacturer);
        assert_eq!(p.case.rounds, 2);
        assert_eq!(p.case.stage_since, t(5));
        assert_eq!(p.note.as_deref(), Some("Inspection failed: still no power"));
        // And a fail after a pass sends it back too.
        let mut passed = c.clone();
        passed.stage = Stage::Inspected;
        passed.outcome = Some(Outcome::Repaired);
        let p = plan(&passed, Change::InspectFail { note: "x".into() }, t(5)).unwrap();
        assert_eq!(
            (p.case.stage, p.case.outcome),
            (Stage::AtManufacturer, None)
        );
    }

    #[test]
    fn a_failed_in_house_repair_goes_back_to_the_bench() {
        let mut c = case_in(Stage::Inspected);
        c.outcome = Some(Outcome::RepairedInHouse);
        let p = plan(
            &c,
            Change::InspectFail {
                note: "still dead".into(),
            },
            t(5),
        )
        .unwrap();
        assert_eq!(
            (p.case.stage, p.case.rounds, p.case.outcome),
            (Stage::Received, 0, None)
        );
    }

    #[test]
    fn nothing_happens_before_the_case_entered_its_stage() {
        let mut c = case_in(Stage::Received);
        c.stage_since = t(5);
        let err = plan(
            &c,
            Change::InspectPass {
                in_house: true,
                note: None,
            },
            t(4),
        )
        .unwrap_err();
        assert!(matches!(err, CaseError::BeforeStage { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "RMA-2026-00007 entered received at {}, so this cannot have happened earlier: check the time it happened",
                crate::domain::time::local_minutes(t(5))
            )
        );
        assert!(
            plan(
                &c,
                Change::InspectPass {
                    in_house: true,
                    note: None
                },
                t(5)
            )
            .is_ok()
        );
    }

    #[test]
    fn failed_inspection_needs_a_note() {
        let c = case_in(Stage::AtManufacturer);
        let err = plan(&c, Change::InspectFail { note: "  ".into() }, t(5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the inspection note is empty: type a few words"
        );
    }

    #[test]
    fn in_house_repair_skips_the_manufacturer() {
        let p = plan(
            &case_in(Stage::Received),
            Change::InspectPass {
                in_house: true,
                note: None,
            },
            t(1),
        )
        .unwrap();
        assert_eq!(
            (p.case.stage, p.case.outcome),
            (Stage::Inspected, Some(Outcome::RepairedInHouse))
        );
        assert!(
            plan(
                &case_in(Stage::Received),
                Change::InspectPass {
                    in_house: false,
                    note: None
                },
                t(1)
            )
            .is_err()
        );
    }

    #[test]
    fn void_returns_the_device_unrepaired() {
        let p = plan(
            &case_in(Stage::Received),
            Change::Void {
                reason: VoidReason::WaterDamage,
                note: "corrosion on the board".into(),
            },
            t(1),
        )
        .unwrap();
        assert_eq!(p.case.stage, Stage::Inspected);
        assert_eq!(p.case.outcome, Some(Outcome::ReturnedUnrepaired));
        assert_eq!(p.case.verdict, Verdict::Void(VoidReason::WaterDamage));
        let verdict = p
            .changes
            .iter()
            .find(|c| c.field == EventField::Verdict)
            .unwrap();
        assert_eq!(verdict.to.as_deref(), Some("void:water_damage"));
        // It is then shipped back.
        let shipped = plan(
            &p.case,
            Change::Ship {
                tracking: S10::parse("RR123456785CN").unwrap(),
            },
            t(2),
        )
        .unwrap();
        assert_eq!(shipped.case.outcome, Some(Outcome::ReturnedUnrepaired));
        // Voiding twice or before the parcel arrived is refused.
        assert!(matches!(
            plan(
                &p.case,
                Change::Void {
                    reason: VoidReason::Dropped,
                    note: "x".into()
                },
                t(2)
            ),
            Err(CaseError::AlreadyVoid { .. })
        ));
        assert!(matches!(
            plan(
                &case_in(Stage::Expected),
                Change::Void {
                    reason: VoidReason::Dropped,
                    note: "x".into()
                },
                t(2)
            ),
            Err(CaseError::WrongStage { .. })
        ));
    }

    #[test]
    fn wrong_stage_messages_name_the_case_and_what_is_needed() {
        let err = plan(
            &case_in(Stage::Received),
            Change::Ship {
                tracking: S10::parse("RR123456785CN").unwrap(),
            },
            t(1),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "RMA-2026-00007 is in received; shipping needs it to be in inspected"
        );
    }

    #[test]
    fn move_forward_needs_the_stage_data() {
        let err = plan(
            &case_in(Stage::Received),
            Change::Move {
                to: Stage::AtManufacturer,
            },
            t(1),
        )
        .unwrap_err();
        assert_eq!(
            err,
            CaseError::Missing {
                rma: RmaNumber::new(2026, 7),
                field: EventField::ManufacturerRef,
                to: Stage::AtManufacturer
            }
        );
        assert_eq!(
            err.to_string(),
            "RMA-2026-00007 has no manufacturer reference yet, so a plain move cannot take it to at_manufacturer: send it to the manufacturer with its reference instead"
        );
        let mut inspected = case_in(Stage::Inspected);
        inspected.outcome = Some(Outcome::Repaired);
        let err = plan(&inspected, Change::Move { to: Stage::Shipped }, t(1)).unwrap_err();
        assert!(
            err.to_string()
                .contains("no outbound tracking number yet, so a plain move cannot take it to shipped: ship it with its China Post tracking number"),
            "{err}"
        );
        let err = plan(
            &case_in(Stage::Expected),
            Change::Move { to: Stage::Shipped },
            t(1),
        )
        .unwrap_err();
        assert!(matches!(err, CaseError::Move(_)));
    }

    #[test]
    fn a_failed_inspection_is_taken_back_with_its_round_and_clock() {
        let mut c = case_in(Stage::Inspected);
        c.rounds = 1;
        c.outcome = Some(Outcome::Repaired);
        c.stage_since = t(2);
        let failed = plan(
            &c,
            Change::InspectFail {
                note: "scratched".into(),
            },
            t(3),
        )
        .unwrap();
        assert_eq!(
            (failed.case.stage, failed.case.rounds),
            (Stage::AtManufacturer, 2)
        );
        let before = BeforeFail {
            stage: c.stage,
            rounds: c.rounds,
            outcome: c.outcome,
            stage_since: c.stage_since,
        };
        let back = plan(&failed.case, Change::UndoFail(before), t(4)).unwrap();
        assert_eq!(back.kind, EventKind::Undo);
        assert_eq!(
            (
                back.case.stage,
                back.case.rounds,
                back.case.outcome,
                back.case.stage_since
            ),
            (Stage::Inspected, 1, Some(Outcome::Repaired), t(2))
        );
        assert_eq!(
            stages(&back),
            vec![("at_manufacturer".into(), "inspected".into())]
        );
        // Once inspected again, there is no failure left to take back.
        assert!(matches!(
            plan(&back.case, Change::UndoFail(before), t(5)),
            Err(CaseError::WrongStage { .. })
        ));
    }

    #[test]
    fn an_undo_brings_back_what_the_move_replaced() {
        let mut received = case_in(Stage::Received);
        received.rounds = 1;
        received.manufacturer_ref = Some("MF-1".into());
        received.stage_since = t(1);
        // Sent again under another reference, then taken back.
        let sent = plan(
            &received,
            Change::Send {
                manufacturer_ref: "MF-2".into(),
            },
            t(2),
        )
        .unwrap();
        let back = plan(
            &sent.case,
            Change::UndoMove {
                to: Stage::Received,
                before: BeforeMove {
                    manufacturer_ref: Patch::Set("MF-1".into()),
                    stage_since: Some(t(1)),
                    ..BeforeMove::default()
                },
            },
            t(3),
        )
        .unwrap();
        assert_eq!(
            Case {
                updated_at: received.updated_at,
                ..back.case
            },
            received
        );
        // A void taken back: its verdict and no result.
        let void = plan(
            &received,
            Change::Void {
                reason: VoidReason::WaterDamage,
                note: "wet".into(),
            },
            t(2),
        )
        .unwrap();
        let back = plan(
            &void.case,
            Change::UndoMove {
                to: Stage::Received,
                before: BeforeMove {
                    outcome: Patch::Clear,
                    verdict: Some((Verdict::Covered, "Covered.".into())),
                    stage_since: Some(t(1)),
                    ..BeforeMove::default()
                },
            },
            t(3),
        )
        .unwrap();
        assert_eq!(back.case, received);
    }

    #[test]
    fn moving_back_undoes_the_stage() {
        let mut c = case_in(Stage::AtManufacturer);
        c.rounds = 1;
        c.manufacturer_ref = Some("MF".into());
        let back = plan(
            &c,
            Change::UndoMove {
                to: Stage::Received,
                before: BeforeMove::default(),
            },
            t(1),
        )
        .unwrap();
        assert_eq!(
            (back.case.stage, back.case.rounds, back.kind),
            (Stage::Received, 0, EventKind::Undo)
        );
        // The reference is kept, so moving forward again needs no new one.
        let again = plan(
            &back.case,
            Change::Move {
                to: Stage::AtManufacturer,
            },
            t(2),
        )
        .unwrap();
        assert_eq!(again.case.rounds, 1);
        let mut inspected = case_in(Stage::Inspected);
        inspected.outcome = Some(Outcome::Repaired);
        let back = plan(
            &inspected,
            Change::Move {
                to: Stage::AtManufacturer,
            },
            t(1),
        )
        .unwrap();
        assert_eq!(back.case.outcome, None);
    }

    #[test]
    fn edits_log_each_field() {
        let p = plan(
            &case_in(Stage::Received),
            Change::Edit(Edit {
                fault: Some("screen flickers".into()),
                tracking_in: Patch::Set(TrackingNumber::parse("1z999").unwrap()),
                manufacturer_ref: None,
            }),
            t(1),
        )
        .unwrap();
        let fields: Vec<_> = p.changes.iter().map(|c| c.field.clone()).collect();
        assert_eq!(fields, vec![EventField::Fault, EventField::TrackingIn]);
        let cleared = plan(
            &p.case,
            Change::Edit(Edit {
                tracking_in: Patch::Clear,
                ..Edit::default()
            }),
            t(2),
        )
        .unwrap();
        assert_eq!(cleared.case.tracking_in, None);
        assert_eq!(cleared.changes[0].from.as_deref(), Some("1Z999"));
        assert_eq!(
            plan(
                &case_in(Stage::Received),
                Change::Edit(Edit::default()),
                t(1)
            ),
            Err(CaseError::NothingToEdit)
        );
    }

    #[test]
    fn admit_refuses_uncovered_claims_unless_overridden() {
        let imei = Imei::parse("490154203237518").unwrap();
        let expired = Assessment {
            verdict: Verdict::Expired,
            reason: "The guarantee ended on 2025-01-01.".into(),
            starts_on: None,
            ends_on: None,
        };
        let err = admit(&imei, &expired, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "490154203237518 is expired: The guarantee ended on 2025-01-01. To open a case anyway as goodwill, give an override reason."
        );
        assert_eq!(
            admit(&imei, &expired, Some(" loyal reseller ")).unwrap(),
            Some("loyal reseller".into())
        );
        let unknown = Assessment {
            verdict: Verdict::NotSoldByUs,
            ..expired.clone()
        };
        assert!(admit(&imei, &unknown, Some("please")).is_err());
        let excluded = Assessment {
            verdict: Verdict::NotCovered(Exclusion::Software),
            ..expired
        };
        assert!(admit(&imei, &excluded, None).is_err());
    }
}

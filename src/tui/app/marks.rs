//! Marked cards: Space marks the selected card, and `>`, `<`, `v` and ship then act on all
//! the marked cards of the focused pane at once, asking once for what the move needs, in
//! one transaction (all or nothing). Marks belong to a pane: a marked case that leaves
//! its pane (moved from another terminal, say) is unmarked, and the message line says so.
//!
//! The question or form for the marked cards is the one a single case gets, opened for a
//! stand-in target ("3 marked cases"); the write it answers with is turned into one
//! write on every marked case.

use super::{App, Pane, Screen};
use crate::domain::case::{Case, Change};
use crate::domain::{RmaNumber, Stage};
use crate::tui::action::Action;
use crate::tui::form::Form;
use crate::tui::overlay::{Choice, ChoiceKind, Overlay};
use crate::tui::protocol::{Effect, MessageKind, Target};

/// A row id no case has (SQLite's start at 1): the stand-in target of a question or form
/// asked once for all the marked cards.
const MARKED: i64 = 0;

/// The marked cards a question or form was opened for, as the user saw them then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The cases, in the order they were marked.
    pub targets: Vec<Target>,
}

impl Pane {
    /// Whether the case with this row id is marked in this pane.
    pub fn is_marked(&self, id: i64) -> bool {
        self.marked.iter().any(|t| t.id == id)
    }
}

/// The stand-in target of a question or form for `n` marked cards.
fn stand_in(n: usize) -> Target {
    Target {
        id: MARKED,
        version: 0,
        rma: crate::domain::text::count(n as u64, "marked case"),
    }
}

/// "RMA-2026-00001, RMA-2026-00002"
fn list(targets: &[Target]) -> String {
    let rmas: Vec<&str> = targets.iter().map(|t| t.rma.as_str()).collect();
    rmas.join(", ")
}

/// What a move did to every marked case, naming each; what the single-case sentence
/// adds after it (a warning about the S10 number) is kept.
fn done_for(change: &Change, targets: &[Target], single: &str) -> String {
    let cases = list(targets);
    let warning = single
        .find(" Warning: ")
        .map(|i| &single[i..])
        .unwrap_or_default();
    let what = match change {
        Change::Receive { .. } => "received".to_string(),
        Change::Send { manufacturer_ref } => {
            format!("sent to the manufacturer ({manufacturer_ref})")
        }
        Change::InspectPass { in_house: true, .. } => "repaired in-house and inspected".into(),
        Change::InspectPass { .. } => "passed inspection".into(),
        Change::InspectFail { .. } => "failed inspection and are back at the manufacturer".into(),
        Change::Void { reason, .. } => format!("recorded as void ({})", reason.describe()),
        Change::Ship { tracking } => format!("shipped together with {tracking}"),
        Change::Move { to, .. } | Change::UndoMove { to, .. } => {
            format!("moved back to {}", to.title())
        }
        Change::UndoFail(_) | Change::Edit(_) => "changed".into(),
    };
    format!("{cases} {what}.{warning}")
}

impl App {
    /// Marked cards in every pane.
    pub fn marked_count(&self) -> usize {
        self.panes.iter().map(|p| p.marked.len()).sum()
    }

    /// The row ids of every marked case.
    fn marked_ids(&self) -> Vec<i64> {
        self.panes
            .iter()
            .flat_map(|p| p.marked.iter().map(|t| t.id))
            .collect()
    }

    /// Space: mark the selected card, or unmark it.
    pub(super) fn toggle_mark(&mut self) -> Vec<Effect> {
        if matches!(self.screen, Screen::Detail(_)) {
            let back = self.settings.keymap.first_key(Action::Back);
            self.complain(format!(
                "Cards are marked on the board: press {back} to go back to it first."
            ));
            return Vec::new();
        }
        let Some(case) = self.target() else {
            return Vec::new();
        };
        let focus = self.focus;
        let pane = self.pane_mut(focus);
        if pane.is_marked(case.id) {
            pane.marked.retain(|t| t.id != case.id);
        } else {
            pane.marked.push(Target::of(&case));
        }
        let n = pane.marked.len();
        let keys = &self.settings.keymap;
        self.say(if n == 0 {
            format!(
                "{} unmarked; no card is marked in {}.",
                case.rma,
                focus.title()
            )
        } else {
            format!(
                "{} marked in {}: {} act on all of them, {} clears the marks.",
                crate::domain::text::count(n as u64, "card"),
                focus.title(),
                [Action::MoveForward, Action::MoveBack, Action::Void]
                    .map(|a| keys.first_key(a))
                    .into_iter()
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                keys.first_key(Action::Back)
            )
        });
        Vec::new()
    }

    /// Esc on the board: forget every mark. `false` when there were none.
    pub(super) fn clear_marks(&mut self) -> bool {
        let n = self.marked_count();
        if n == 0 {
            return false;
        }
        for pane in &mut self.panes {
            pane.marked.clear();
        }
        self.say(format!(
            "Marks cleared ({}).",
            crate::domain::text::count(n as u64, "card")
        ));
        true
    }

    /// `>`, `<` or `v` on the board while the focused pane has marked cards: the move for
    /// all of them. `None` when there are none (the selected card is meant).
    pub(super) fn marked_command(&mut self, action: Action) -> Option<Vec<Effect>> {
        if !matches!(self.screen, Screen::Board) {
            return None;
        }
        let stage = self.focus;
        let targets = self.pane(stage).marked.clone();
        if targets.is_empty() {
            return None;
        }
        let all = stand_in(targets.len());
        let ask = |kind| Overlay::Choice(Choice::new(kind, all.clone()));
        let now = |change: Change| {
            let done = done_for(&change, &targets, "");
            vec![Effect::ApplyMany {
                targets: targets.clone(),
                change,
                done,
            }]
        };
        let overlay = match (action, stage) {
            (Action::MoveForward, Stage::Expected) => {
                return Some(now(Change::Receive { tracking_in: None }));
            }
            (Action::MoveForward, Stage::Received) => ask(ChoiceKind::AfterReceived),
            (Action::MoveForward, Stage::AtManufacturer) => ask(ChoiceKind::Inspect),
            (Action::MoveForward, Stage::Inspected) => {
                // One customer at one address, or no S10 is asked for.
                let ids = targets.iter().map(|t| t.id).collect();
                self.batch = Some(Batch { targets });
                return Some(vec![Effect::CheckParcel(ids)]);
            }
            (Action::MoveForward, Stage::Shipped) => {
                self.complain(format!(
                    "The marked cases are shipped: that is the last stage ({}).",
                    list(&targets)
                ));
                return Some(Vec::new());
            }
            (Action::MoveBack, _) => {
                return Some(match stage.previous() {
                    Some(to) => now(Change::Move { to }),
                    None => {
                        self.complain(
                            "The marked cases are in expected, the first stage: there is nothing before it.",
                        );
                        Vec::new()
                    }
                });
            }
            (Action::Void, _) => Overlay::form(Form::void(all)),
            _ => return None,
        };
        self.batch = Some(Batch { targets });
        self.overlay = Some(overlay);
        Some(Vec::new())
    }

    /// Whether the marked cards may go out as one parcel: the S10 is asked for once, or
    /// the sentence says why not. Nothing when the marks changed or a window was opened
    /// meanwhile.
    pub(super) fn on_parcel_checked(
        &mut self,
        ids: &[i64],
        problem: Option<String>,
    ) -> Vec<Effect> {
        let Some(batch) = &self.batch else {
            return Vec::new();
        };
        if batch.targets.iter().map(|t| t.id).ne(ids.iter().copied()) || self.overlay.is_some() {
            return Vec::new();
        }
        if let Some(problem) = problem {
            self.batch = None;
            self.complain(format!(
                "{}.",
                crate::domain::text::capitalized(problem.trim_end_matches('.'))
            ));
            return Vec::new();
        }
        let all = stand_in(batch.targets.len());
        self.overlay = Some(Overlay::form(Form::ship(all)));
        Vec::new()
    }

    /// The write a question or form for the marked cards answered with becomes one
    /// write on all of them.
    pub(super) fn batch_effects(&mut self, fx: Vec<Effect>) -> Vec<Effect> {
        fx.into_iter()
            .filter_map(|effect| match effect {
                Effect::Apply {
                    target,
                    change,
                    done,
                } if target.id == MARKED => match &self.batch {
                    Some(batch) => Some(Effect::ApplyMany {
                        done: done_for(&change, &batch.targets, &done),
                        targets: batch.targets.clone(),
                        change,
                    }),
                    None => {
                        self.complain(
                            "The marked cards were forgotten meanwhile, so nothing was saved: mark them again.",
                        );
                        None
                    }
                },
                other => Some(other),
            })
            .collect()
    }

    /// Every marked case moved: they are no longer marked.
    pub(super) fn on_applied_many(&mut self, ids: &[i64], done: String) -> Vec<Effect> {
        self.saving = None;
        self.batch = None;
        for pane in &mut self.panes {
            pane.marked.retain(|t| !ids.contains(&t.id));
        }
        self.say(done);
        self.refresh()
    }

    /// The user's own move of one case: if it left its pane, its mark goes with it,
    /// without a word (the user just did it).
    pub(super) fn unmark_moved(&mut self, case: &Case) {
        for (stage, pane) in Stage::ALL.into_iter().zip(self.panes.iter_mut()) {
            if stage != case.stage {
                pane.marked.retain(|t| t.id != case.id);
            }
        }
    }

    /// After the panes were loaded: ask how the marked cases are now.
    pub(super) fn check_marks(&self) -> Option<Effect> {
        let ids = self.marked_ids();
        (!ids.is_empty()).then_some(Effect::LoadMarked(ids))
    }

    /// The marked cases as they are now: those that left their pane are unmarked, and
    /// the message line names them; the others keep their latest version.
    pub(super) fn on_marked_loaded(&mut self, cases: &[Case]) -> Vec<Effect> {
        self.refresh_parcel(cases);
        let mut gone: Vec<(RmaNumber, Stage, Stage)> = Vec::new();
        for (stage, pane) in Stage::ALL.into_iter().zip(self.panes.iter_mut()) {
            pane.marked.retain_mut(|mark| {
                // A case not found is left as it is: acting on it names it.
                let Some(case) = cases.iter().find(|c| c.id == mark.id) else {
                    return true;
                };
                if case.stage == stage {
                    *mark = Target::of(case);
                    return true;
                }
                gone.push((case.rma, stage, case.stage));
                false
            });
        }
        if gone.is_empty() {
            return Vec::new();
        }
        let each: Vec<String> = gone
            .iter()
            .map(|(rma, from, to)| format!("{rma} left {} (now in {})", from.title(), to.title()))
            .collect();
        let sentence = format!(
            "{}, so {} no longer marked.",
            each.join("; "),
            if gone.len() == 1 { "it is" } else { "they are" }
        );
        // A refusal said just before stays in view.
        match &mut self.message {
            Some(m) if m.kind == MessageKind::Error => {
                m.text = format!("{} {sentence}", m.text);
            }
            _ => self.say(sentence),
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::S10;

    fn t(seq: u32) -> Target {
        Target {
            id: i64::from(seq),
            version: 1,
            rma: RmaNumber::new(2026, seq).to_string(),
        }
    }

    #[test]
    fn the_sentence_names_every_case_and_keeps_a_warning() {
        let ship = Change::Ship {
            tracking: S10::parse("RR123456785CN").unwrap(),
        };
        assert_eq!(
            done_for(&ship, &[t(1), t(2)], "x shipped. Warning: not tracked."),
            "RMA-2026-00001, RMA-2026-00002 shipped together with RR123456785CN. Warning: not tracked."
        );
        assert_eq!(
            done_for(&Change::Receive { tracking_in: None }, &[t(3)], ""),
            "RMA-2026-00003 received."
        );
    }
}

//! A short question with lettered answers: where a received case goes, how an inspection
//! went, whether to receive a scanned parcel, whether to undo one's last move.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Ctx, Outcome, Overlay};
use crate::domain::Stage;
use crate::domain::case::{BeforeFail, BeforeMove, Change};
use crate::tui::action::ChoiceAction;
use crate::tui::form::Form;
use crate::tui::protocol::{Effect, Target};

/// Which question is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceKind {
    /// `>` on a received case: to the manufacturer, or repaired in-house.
    AfterReceived,
    /// `>` on a case at the manufacturer: inspection passed or failed.
    Inspect,
    /// A scanned inbound tracking number of an expected parcel.
    ReceiveScanned,
    /// `u`: the user's own last move took the case from `from` to `to`.
    Undo {
        /// The stage the move started from.
        from: Stage,
        /// The stage it reached.
        to: Stage,
        /// For a failed inspection, where the case was before it.
        failed: Option<BeforeFail>,
        /// What the move cleared or replaced, brought back by the undo.
        before: Box<BeforeMove>,
    },
}

impl ChoiceKind {
    /// The lettered answers, in the order shown.
    pub fn options(&self) -> &'static [(char, &'static str)] {
        match self {
            ChoiceKind::AfterReceived => &[
                ('s', "Send to the manufacturer (asks for its reference)"),
                ('i', "Repaired in-house: inspection passed"),
            ],
            ChoiceKind::Inspect => &[
                ('p', "Passed: repaired, ready to ship"),
                ('f', "Failed: back to the manufacturer, with a note"),
            ],
            ChoiceKind::ReceiveScanned => {
                &[('y', "Yes, mark it received"), ('n', "No, just show it")]
            }
            ChoiceKind::Undo { .. } => &[('y', "Yes, undo that move"), ('n', "No, keep it")],
        }
    }
}

/// A question on the screen, about one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Which question.
    pub kind: ChoiceKind,
    /// The case it is about, as the user saw it.
    pub target: Target,
    /// The index of the marked answer.
    pub selected: usize,
    /// For an undo: the other cases the same command moved, each with the change that
    /// takes it back (they are undone together with the target, all or nothing).
    pub together: Vec<(Target, Change)>,
}

impl Choice {
    /// Ask `kind` about `target`, the first answer marked.
    pub fn new(kind: ChoiceKind, target: Target) -> Choice {
        Choice {
            kind,
            target,
            selected: 0,
            together: Vec::new(),
        }
    }

    /// The RMA numbers an undo takes back: the target's, then the others'.
    fn undone(&self) -> String {
        std::iter::once(self.target.rma.as_str())
            .chain(self.together.iter().map(|(t, _)| t.rma.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// For an undo of several moved cases: the stage each goes back to, with the RMA
    /// numbers going there, in the order given. One entry when they all started in the
    /// same stage.
    fn back_to(&self, from: Stage) -> Vec<(Stage, Vec<&str>)> {
        let mut groups: Vec<(Stage, Vec<&str>)> = Vec::new();
        let each = std::iter::once((self.target.rma.as_str(), from)).chain(
            self.together.iter().map(|(t, change)| {
                let back = match change {
                    Change::Move { to, .. } | Change::UndoMove { to, .. } => *to,
                    Change::UndoFail(before) => before.stage,
                    _ => from,
                };
                (t.rma.as_str(), back)
            }),
        );
        for (rma, stage) in each {
            match groups.iter_mut().find(|(s, _)| *s == stage) {
                Some((_, rmas)) => rmas.push(rma),
                None => groups.push((stage, vec![rma])),
            }
        }
        groups
    }

    /// The question as shown.
    pub fn question(&self) -> String {
        let n = self.together.len() + 1;
        let all = if n == 2 {
            "both".to_string()
        } else {
            format!("all {n}")
        };
        match self.kind {
            ChoiceKind::Undo {
                failed: Some(_), ..
            } if n > 1 => format!(
                "Your last move failed the inspection of {} together. Take that back for {all}?",
                self.undone()
            ),
            ChoiceKind::Undo { from, to, .. } if n > 1 => match self.back_to(from).as_slice() {
                [_] => format!(
                    "Your last move took {} from {} to {} together. Move {all} back to {}?",
                    self.undone(),
                    from.title(),
                    to.title(),
                    from.title()
                ),
                groups => format!(
                    "Your last move took {} to {} together. Move {}?",
                    self.undone(),
                    to.title(),
                    and_list(groups.iter().map(|(stage, rmas)| format!(
                        "{} back to {}",
                        rmas.join(", "),
                        stage.title()
                    )))
                ),
            },
            ChoiceKind::AfterReceived => "Where does it go next?".into(),
            ChoiceKind::Inspect => "How did the inspection go?".into(),
            ChoiceKind::ReceiveScanned => "This parcel was expected. Mark it received now?".into(),
            ChoiceKind::Undo {
                from,
                failed: Some(before),
                ..
            } => format!(
                "Your last move failed the inspection of {}. Take that back, to {}{}?",
                self.target.rma,
                from.title(),
                match before.outcome {
                    Some(outcome) => format!(" ({outcome})"),
                    None => format!(", round {}", before.rounds),
                }
            ),
            ChoiceKind::Undo { from, to, .. } => format!(
                "Your last move took {} from {} to {}. Move it back to {}?",
                self.target.rma,
                from.title(),
                to.title(),
                from.title()
            ),
        }
    }

    /// Read a key: an answer's letter, or the question's own keys.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let options = self.kind.options();
        // The letters in brackets answer at once, whatever the key map says.
        let letter = match key.code {
            KeyCode::Char(c) => options.iter().find(|o| o.0 == c).map(|o| o.0),
            _ => None,
        };
        let picked = match (letter, cx.keys.action::<ChoiceAction>(key)) {
            (Some(letter), _) => letter,
            (None, Some(ChoiceAction::Cancel)) => return Outcome::close(),
            (None, Some(ChoiceAction::Up)) => {
                self.selected = self.selected.saturating_sub(1);
                return Outcome::stay();
            }
            (None, Some(ChoiceAction::Down)) => {
                self.selected = (self.selected + 1).min(options.len().saturating_sub(1));
                return Outcome::stay();
            }
            (None, Some(ChoiceAction::Pick)) => match options.get(self.selected) {
                Some(o) => o.0,
                None => return Outcome::stay(),
            },
            (None, None) => return Outcome::stay(),
        };
        self.answer(picked)
    }

    /// A write stays asked until the store answers: `Msg::Applied` closes the question.
    fn answer(&self, picked: char) -> Outcome {
        let t = self.target.clone();
        let apply = |change, done: String| {
            Outcome::stay().run(vec![Effect::Apply {
                target: t.clone(),
                change,
                done,
            }])
        };
        match (&self.kind, picked) {
            (
                ChoiceKind::Undo {
                    from,
                    failed,
                    before,
                    ..
                },
                'y',
            ) if !self.together.is_empty() => {
                let mut steps = vec![(t, undo_change(*from, *failed, before))];
                steps.extend(self.together.iter().cloned());
                let back = match (failed, self.back_to(*from).as_slice()) {
                    (Some(_), _) => "their failed inspections are taken back".to_string(),
                    (None, [_]) => format!("they are back in {}", from.title()),
                    (None, groups) => {
                        let verb = |rmas: &[&str]| if rmas.len() == 1 { "is" } else { "are" };
                        let each = groups.iter().enumerate().map(|(i, (stage, rmas))| match i {
                            0 => format!(
                                "{} {} back in {}",
                                rmas.join(", "),
                                verb(rmas),
                                stage.title()
                            ),
                            _ => format!("{} in {}", rmas.join(", "), stage.title()),
                        });
                        and_list(each)
                    }
                };
                Outcome::stay().run(vec![Effect::ApplySteps {
                    done: format!("Undone together: {}; {back}.", self.undone()),
                    steps,
                }])
            }
            (ChoiceKind::AfterReceived, 's') => Outcome::replace(Overlay::form(Form::send(t))),
            (ChoiceKind::AfterReceived, _) => apply(
                Change::InspectPass {
                    in_house: true,
                    note: None,
                },
                format!("{} repaired in-house and inspected.", t.rma),
            ),
            (ChoiceKind::Inspect, 'p') => apply(
                Change::InspectPass {
                    in_house: false,
                    note: None,
                },
                format!("{} passed inspection.", t.rma),
            ),
            (ChoiceKind::Inspect, _) => Outcome::replace(Overlay::form(Form::inspect_fail(t))),
            (ChoiceKind::ReceiveScanned, 'y') => apply(
                Change::Receive { tracking_in: None },
                format!("{} received.", t.rma),
            ),
            (ChoiceKind::ReceiveScanned, _) => Outcome::close(),
            (
                ChoiceKind::Undo {
                    from,
                    failed,
                    before,
                    ..
                },
                'y',
            ) => apply(
                undo_change(*from, *failed, before),
                format!("Undone: {} is back in {}.", t.rma, from.title()),
            ),
            (ChoiceKind::Undo { .. }, _) => Outcome::close().say("Nothing was changed."),
        }
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: impl IntoIterator<Item = String>) -> String {
    let mut items: Vec<String> = items.into_iter().collect();
    match items.pop() {
        None => String::new(),
        Some(last) if items.is_empty() => last,
        Some(last) => format!("{} and {last}", items.join(", ")),
    }
}

/// The change that takes back a move from `from` (or a failed inspection), with what
/// the move cleared or replaced.
fn undo_change(from: Stage, failed: Option<BeforeFail>, before: &BeforeMove) -> Change {
    match failed {
        Some(failed) => Change::UndoFail(failed),
        None => Change::UndoMove {
            to: from,
            before: before.clone(),
        },
    }
}

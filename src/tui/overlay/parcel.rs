//! Unpacking an inbound parcel that holds several expected cases: each device's IMEI,
//! scanned or typed, ticks its case as out of the box; Enter marks the ticked ones
//! received in one transaction, Esc leaves the parcel with nothing saved.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Ctx, Outcome};
use crate::domain::case::{Case, Change};
use crate::domain::text::clean_line;
use crate::domain::{Imei, text};
use crate::tui::action::ChoiceAction;
use crate::tui::protocol::{Effect, Target};

/// One case expected in the parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InParcel {
    /// The case, as the user saw it.
    pub target: Target,
    /// The device model.
    pub model: String,
    /// The device.
    pub imei: Imei,
    /// Scanned out of the box.
    pub ticked: bool,
}

/// A parcel being unpacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    /// The inbound tracking number scanned.
    pub tracking: String,
    /// The cases expected in it, in case order.
    pub cases: Vec<InParcel>,
    /// A number typed by hand, not yet ended by Enter.
    pub typed: String,
    /// What the last scan did, shown in the overlay.
    pub note: Option<String>,
    /// The row ids of the cases ticked, in the order they came out of the box: Backspace
    /// puts the last one back.
    pub order: Vec<i64>,
}

impl Parcel {
    /// Unpack the parcel `tracking` holding `cases`, none ticked.
    pub fn new(tracking: String, cases: &[Case]) -> Parcel {
        Parcel {
            tracking,
            cases: cases
                .iter()
                .map(|c| InParcel {
                    target: Target::of(c),
                    model: c.model.clone(),
                    imei: c.imei.clone(),
                    ticked: false,
                })
                .collect(),
            typed: String::new(),
            note: None,
            order: Vec::new(),
        }
    }

    /// How many are out of the box.
    pub fn ticked(&self) -> usize {
        self.cases.iter().filter(|c| c.ticked).count()
    }

    /// Read a key: characters type a number (a slow scanner or a person), Enter ends it
    /// or, with nothing typed, receives the ticked cases; Esc clears the typing or leaves
    /// the parcel.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(c) if plain && c.is_ascii_alphanumeric() => {
                self.typed.push(c);
                return Outcome::stay();
            }
            KeyCode::Backspace if !self.typed.is_empty() => {
                self.typed.pop();
                return Outcome::stay();
            }
            KeyCode::Backspace => {
                self.untick_last();
                return Outcome::stay();
            }
            _ => {}
        }
        match cx.keys.action::<ChoiceAction>(key) {
            Some(ChoiceAction::Pick) if !self.typed.is_empty() => {
                let typed = std::mem::take(&mut self.typed);
                self.scanned(&typed)
            }
            Some(ChoiceAction::Pick) => self.finish(),
            Some(ChoiceAction::Cancel) if !self.typed.is_empty() => {
                self.typed.clear();
                Outcome::stay()
            }
            Some(ChoiceAction::Cancel) => Outcome::close().say(format!(
                "Left parcel {} unopened: nothing was received.",
                self.tracking
            )),
            _ => Outcome::stay(),
        }
    }

    /// A scanned number: the IMEI of a device taken out of the box. One not in the parcel
    /// is looked up, to say whose it is.
    pub fn scanned(&mut self, text: &str) -> Outcome {
        let shown: String = clean_line(text).chars().take(40).collect();
        let imei = match Imei::parse(text.trim()) {
            Ok(imei) => imei,
            Err(e) => {
                self.note = Some(format!(
                    "{shown} is not an IMEI ({e}): scan the IMEI on each device's label."
                ));
                return Outcome::stay();
            }
        };
        let total = self.cases.len();
        let Some(i) = self.cases.iter().position(|c| c.imei == imei) else {
            self.note = Some(format!("Looking up IMEI {imei}…"));
            return Outcome::stay().run(vec![Effect::ParcelStray(imei)]);
        };
        let was = std::mem::replace(&mut self.cases[i].ticked, true);
        if !was {
            self.order.push(self.cases[i].target.id);
        }
        let case = &self.cases[i];
        self.note = Some(if was {
            format!(
                "{} ({}) was already out of the box: {} of {total}.",
                case.target.rma,
                case.model,
                self.ticked()
            )
        } else {
            format!(
                "{} ({}) is out of the box: {} of {total}.",
                case.target.rma,
                case.model,
                self.ticked()
            )
        });
        Outcome::stay()
    }

    /// Backspace with nothing typed: the last device ticked goes back in the box (ticked
    /// by mistake, or found damaged).
    fn untick_last(&mut self) {
        let total = self.cases.len();
        while let Some(id) = self.order.pop() {
            let Some(case) = self
                .cases
                .iter_mut()
                .find(|c| c.target.id == id && c.ticked)
            else {
                continue;
            };
            case.ticked = false;
            let said = format!(
                "{} ({}) unticked: back in the box.",
                case.target.rma, case.model
            );
            self.note = Some(format!("{said} {} of {total} out.", self.ticked()));
            return;
        }
        self.note =
            Some("Nothing is ticked: scan each device's IMEI as it comes out of the box.".into());
    }

    /// Enter: the ticked cases are received, all in one transaction.
    fn finish(&mut self) -> Outcome {
        let (ticked, left): (Vec<&InParcel>, Vec<&InParcel>) =
            self.cases.iter().partition(|c| c.ticked);
        if ticked.is_empty() {
            self.note = Some(
                "Nothing is out of the box yet: scan each device's IMEI, or Esc to leave the parcel."
                    .into(),
            );
            return Outcome::stay();
        }
        let rmas = |cases: &[&InParcel]| {
            cases
                .iter()
                .map(|c| c.target.rma.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut done = format!(
            "Parcel {}: {} received ({}).",
            self.tracking,
            text::count(ticked.len() as u64, "case"),
            rmas(&ticked)
        );
        if !left.is_empty() {
            done.push_str(&format!(
                " Still expected, not in the box: {}.",
                rmas(&left)
            ));
        }
        let targets = ticked.iter().map(|c| c.target.clone()).collect();
        // The parcel stays asked until the store answers: refused, it comes back with its
        // ticks.
        Outcome::stay().run(vec![Effect::ApplyMany {
            targets,
            change: Change::Receive { tracking_in: None },
            done,
        }])
    }
}

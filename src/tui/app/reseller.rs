//! One reseller at a time: `c` picks a reseller from those with cases on the board and
//! every pane shows only that reseller's cases (`c` again shows everyone's); the Inspected
//! pane says how many devices are ready to ship to the selected card's reseller, and one
//! key marks them all, so `>` ships them together in one parcel.

use super::App;
use crate::domain::text::clean_line;
use crate::domain::{Case, Stage};
use crate::store::ResellerOnBoard;
use crate::tui::action::Action;
use crate::tui::overlay::{Overlay, ResellerPicker};
use crate::tui::protocol::{Effect, Target};

/// "Smart Gent BV (C-1001)", or the number alone when the registry has no name.
/// Cleaned of control characters: it is shown on the message line.
fn named(r: &ResellerOnBoard) -> String {
    let number = clean_line(&r.customer_number);
    match r.label() {
        label if label == r.customer_number => number,
        label => format!("{} ({number})", clean_line(label)),
    }
}

impl App {
    /// `c`: the picker, or back to every reseller when one is shown.
    pub(super) fn pick_reseller(&mut self) -> Vec<Effect> {
        if self.reseller.is_some() {
            return self.set_filter(None);
        }
        self.overlay = Some(Overlay::Resellers(ResellerPicker::default()));
        vec![Effect::LoadResellers(self.shipped_cutoff())]
    }

    /// The resellers for the picker, if it is still open.
    pub(super) fn on_resellers_loaded(&mut self, list: Vec<ResellerOnBoard>) -> Vec<Effect> {
        if let Some(Overlay::Resellers(picker)) = &mut self.overlay {
            picker.loaded(list);
        }
        Vec::new()
    }

    /// The picker's answer is carried out here: it changes what the panes show.
    pub(super) fn filter_effects(&mut self, fx: Vec<Effect>) -> Vec<Effect> {
        let mut out = Vec::new();
        for effect in fx {
            match effect {
                Effect::FilterReseller(r) => out.extend(self.set_filter(r)),
                other => out.push(other),
            }
        }
        out
    }

    /// Show only `r`'s cases (`None`: everyone's), every pane from its top. Marks are
    /// cleared: some would be hidden.
    fn set_filter(&mut self, r: Option<ResellerOnBoard>) -> Vec<Effect> {
        let marks = self.marked_count();
        for pane in &mut self.panes {
            pane.marked.clear();
            pane.selected = 0;
            pane.offset = 0;
            pane.loaded_at = 0;
            pane.cases.clear();
        }
        let key = self.settings.keymap.first_key(Action::Reseller);
        let mut text = match &r {
            Some(r) => format!(
                "Showing only {}: {key} shows every reseller again.",
                named(r)
            ),
            None => "Every reseller's cases are shown again.".to_string(),
        };
        if marks > 0 {
            text.push_str(" The marks were cleared.");
        }
        self.say(text);
        self.reseller = r;
        // The counts shown were everyone's (or the other reseller's) until these come.
        self.counted = false;
        vec![self.reload()]
    }

    /// A case found (scanned, searched) of another reseller than the one shown: the
    /// filter is lifted so it can be shown; the sentence to add says so.
    pub(super) fn filter_follows(&mut self, case: &Case) -> Option<String> {
        let shown = self.reseller.as_ref()?;
        if shown.customer_number == case.customer_number {
            return None;
        }
        let note = format!(
            "(It is a case of {}, not of {}: every reseller's cases are shown again.)",
            clean_line(&case.customer_number),
            named(shown)
        );
        self.reseller = None;
        Some(note)
    }

    /// "Smart Gent BV only" while the board shows one reseller.
    pub fn filter_label(&self) -> Option<String> {
        self.reseller
            .as_ref()
            .map(|r| format!("{} only", clean_line(r.label())))
    }

    /// How many inspected cases are ready to ship to each reseller.
    pub(super) fn on_ready_loaded(&mut self, list: Vec<ResellerOnBoard>) -> Vec<Effect> {
        self.ready = list;
        Vec::new()
    }

    /// The reseller of the Inspected pane's selected card, with its inspected cases.
    pub fn ready_for_selected(&self) -> Option<&ResellerOnBoard> {
        let case = self.pane(Stage::Inspected).selected_case()?;
        self.ready
            .iter()
            .find(|r| r.customer_number == case.customer_number)
    }

    /// Mark every inspected case of the reseller shown, or of the Inspected pane's
    /// selected card.
    pub(super) fn mark_ready(&mut self) -> Vec<Effect> {
        let customer = match &self.reseller {
            Some(r) => Some(r.customer_number.clone()),
            None => self
                .pane(Stage::Inspected)
                .selected_case()
                .map(|c| c.customer_number.clone()),
        };
        match customer {
            Some(c) => vec![Effect::MarkReady(c)],
            None => {
                let key = self.settings.keymap.first_key(Action::Reseller);
                self.complain(format!(
                    "No inspected case is selected: select one of the reseller's in the Inspected pane, or show one reseller with {key} first."
                ));
                Vec::new()
            }
        }
    }

    /// The reseller's inspected cases: marked, in the Inspected pane, ready for `>`.
    pub(super) fn on_ready_cases(&mut self, customer: &str, cases: Vec<Case>) -> Vec<Effect> {
        let label = self
            .ready
            .iter()
            .chain(self.reseller.as_ref())
            .find(|r| r.customer_number == customer)
            .map(named)
            .unwrap_or_else(|| customer.to_string());
        let cases: Vec<&Case> = cases
            .iter()
            .filter(|c| c.stage == Stage::Inspected && c.customer_number == customer)
            .collect();
        if cases.is_empty() {
            self.complain(format!(
                "No case of {label} is inspected, so none is ready to ship."
            ));
            return Vec::new();
        }
        let n = cases.len();
        self.pane_mut(Stage::Inspected).marked = cases.into_iter().map(Target::of).collect();
        self.focus = Stage::Inspected;
        let next = self.settings.keymap.first_key(Action::MoveForward);
        self.say(format!(
            "{} ready for {label} marked: {next} ships them together in one parcel (one S10).",
            crate::domain::text::count(n as u64, "case")
        ));
        Vec::new()
    }
}

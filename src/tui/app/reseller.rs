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

/// The most lines the Inspected pane gives to what is ready to ship; the picker (`p`)
/// lists every reseller.
pub const READY_LINES: usize = 3;

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
        if let Some(Overlay::Resellers(picker)) = &mut self.overlay
            && !picker.ready
        {
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
        // The list at the Inspected pane's foot takes room from its cards.
        if self.keep_selection_visible() {
            return vec![self.reload()];
        }
        Vec::new()
    }

    /// The reseller of the Inspected pane's selected card, with its inspected cases.
    pub fn ready_for_selected(&self) -> Option<&ResellerOnBoard> {
        let case = self.pane(Stage::Inspected).selected_case()?;
        self.ready
            .iter()
            .find(|r| r.customer_number == case.customer_number)
    }

    /// What is ready to ship, per reseller, as the Inspected pane lists it at its foot:
    /// "5 ready for Smart Gent BV", every reseller with inspected devices (only the one
    /// shown with `c`). At most [`READY_LINES`] lines and a quarter of the pane, so that
    /// cards fill most of it: when there are more, the last line says how many more.
    pub fn ready_lines(&self) -> Vec<String> {
        let ready: Vec<&ResellerOnBoard> = self
            .ready
            .iter()
            .filter(|r| {
                self.reseller
                    .as_ref()
                    .is_none_or(|shown| shown.customer_number == r.customer_number)
            })
            .collect();
        let g = self.geometry();
        let room = (g.rows * usize::from(g.card_lines) / 4).clamp(1, READY_LINES);
        let line = |r: &ResellerOnBoard| format!("{} ready for {}", r.cases, clean_line(r.label()));
        if ready.len() <= room {
            return ready.into_iter().map(line).collect();
        }
        let shown = room - 1;
        let mut lines: Vec<String> = ready.iter().take(shown).map(|r| line(r)).collect();
        let rest = &ready[shown..];
        let devices: u64 = rest.iter().map(|r| r.cases).sum();
        // Short enough for a narrow pane: "12 more resellers: 40 ready".
        lines.push(format!("{} more resellers: {devices} ready", rest.len()));
        lines
    }

    /// Cards that fit in a pane: the Inspected pane keeps room at its foot for what is
    /// ready to ship.
    pub fn rows_of(&self, stage: Stage) -> usize {
        let g = self.geometry();
        if stage != Stage::Inspected {
            return g.rows;
        }
        let lines = self.ready_lines().len();
        let per_card = usize::from(g.card_lines).max(1);
        ((g.rows * per_card).saturating_sub(lines) / per_card).max(1)
    }

    /// Mark every inspected case of one reseller, to ship them as one parcel: the
    /// reseller shown, the only one with inspected devices, or the one picked from
    /// those ready (the selected card's first).
    pub(super) fn mark_ready(&mut self) -> Vec<Effect> {
        let selected = self
            .pane(Stage::Inspected)
            .selected_case()
            .map(|c| c.customer_number.clone());
        if self.reseller.is_none() && self.ready.len() > 1 {
            let mut picker = ResellerPicker {
                ready: true,
                ..ResellerPicker::default()
            };
            picker.loaded(self.ready.clone());
            picker.selected = selected
                .and_then(|c| self.ready.iter().position(|r| r.customer_number == c))
                .unwrap_or(0);
            self.overlay = Some(Overlay::Resellers(picker));
            return Vec::new();
        }
        let customer = match (&self.reseller, self.ready.as_slice()) {
            (Some(r), _) => Some(r.customer_number.clone()),
            (None, [only]) => Some(only.customer_number.clone()),
            (None, _) => selected,
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

//! The board's panes: which stages show, the window of cases each holds, the selection
//! and its scrolling, and jumping to a case that was scanned or picked.

use chrono::{DateTime, Duration, Utc};

use super::{App, DetailState, Screen};
use crate::domain::{Case, Stage, TrackingNumber};
use crate::store::PaneQuery;
use crate::tui::action::{Action, ChoiceAction};
use crate::tui::layout::{BoardGeometry, board_geometry};
use crate::tui::overlay::{Choice, ChoiceKind, Overlay, Parcel};
use crate::tui::protocol::{BoardData, Effect, Reload, Target};
use crate::workshop::Counts;

/// One stage's pane: its window of cases and the selection.
#[derive(Debug, Clone, Default)]
pub struct Pane {
    /// Index in the whole pane (not the window).
    pub selected: usize,
    /// The first case shown, as an index in the whole pane.
    pub offset: usize,
    /// The loaded window; it starts at `loaded_at`, which trails `offset` until the
    /// store answers.
    pub cases: Vec<Case>,
    /// Where the loaded window starts, as an index in the whole pane.
    pub loaded_at: usize,
    /// The marked cases, in the order they were marked, as last seen.
    pub marked: Vec<Target>,
}

impl Pane {
    /// The selected case, if it is loaded.
    pub fn selected_case(&self) -> Option<&Case> {
        self.selected
            .checked_sub(self.loaded_at)
            .and_then(|i| self.cases.get(i))
    }
}

fn idx(stage: Stage) -> usize {
    Stage::ALL.iter().position(|&s| s == stage).unwrap_or(0)
}

impl App {
    /// The stages whose panes are shown, left to right.
    pub fn visible_stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|&s| self.show_expected || s != Stage::Expected)
            .collect()
    }

    /// How the panes fit the terminal now (beside the Requests pane, if it is shown).
    pub fn geometry(&self) -> BoardGeometry {
        board_geometry(
            self.size.0.saturating_sub(self.requests_width()),
            self.size.1,
            self.visible_stages().len(),
        )
    }

    /// The width of the Requests pane left of the others: 0 when it is hidden (by
    /// `[board] show_requests`, no open request, or a terminal too narrow for it beside
    /// the stages' panes; the tabs then count the requests).
    pub fn requests_width(&self) -> u16 {
        if !self.inbox.shown || self.requests.is_empty() {
            return 0;
        }
        let panes = self.visible_stages().len() as u16;
        let room = self
            .size
            .0
            .saturating_sub(crate::tui::layout::MIN_PANE_WIDTH * panes);
        if room >= crate::tui::layout::MIN_REQUESTS_WIDTH {
            room.min(crate::tui::layout::MAX_REQUESTS_WIDTH)
        } else {
            0
        }
    }

    /// The open requests that are late on the answer clock now.
    pub fn late_requests(&self) -> usize {
        let hours = self.settings.clocks.request_hours;
        self.requests
            .iter()
            .filter(|r| r.is_late(hours, self.now))
            .count()
    }

    /// The pane of `stage`.
    pub fn pane(&self, stage: Stage) -> &Pane {
        &self.panes[idx(stage)]
    }

    pub(super) fn pane_mut(&mut self, stage: Stage) -> &mut Pane {
        &mut self.panes[idx(stage)]
    }

    /// Cases the pane can scroll through (Shipped: only the recent window). Before the
    /// counts are known, the cases loaded so far.
    pub fn pane_len(&self, stage: Stage) -> usize {
        if !self.counted {
            let pane = self.pane(stage);
            return pane.loaded_at + pane.cases.len();
        }
        let n = self.counts[idx(stage)];
        let n = if stage == Stage::Shipped {
            n.saturating_sub(self.shipped_older)
        } else {
            n
        };
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    /// How many cases in `stage` are late.
    pub fn late_count(&self, stage: Stage) -> u64 {
        self.late[idx(stage)]
    }

    /// Shipments before this are left out of the Shipped pane.
    pub fn shipped_cutoff(&self) -> DateTime<Utc> {
        // A window reaching before the calendar begins shows every shipment.
        self.now
            .checked_sub_signed(Duration::days(i64::from(self.settings.shipped_days)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Whether a case is late on its stage's clock now.
    pub fn is_late(&self, case: &Case) -> bool {
        self.settings
            .clocks
            .is_late(case.stage, case.stage_since, self.now)
    }

    /// Read the whole board again: every pane's window, the counts, the open requests.
    pub(super) fn reload(&mut self) -> Effect {
        self.last_reload = Some(self.now);
        self.reload_of(&Stage::ALL, true)
    }

    /// Read only the windows of the panes in `stages` (those a scroll moved): the other
    /// panes keep theirs, which the next look for others' changes reloads if the store
    /// changed meanwhile.
    fn reload_panes(&self, stages: &[Stage]) -> Effect {
        self.reload_of(stages, false)
    }

    fn reload_of(&self, stages: &[Stage], whole: bool) -> Effect {
        let cutoff = self.shipped_cutoff();
        Effect::Reload(Reload {
            windows: stages
                .iter()
                .map(|&stage| PaneQuery {
                    stage,
                    shipped_after: (stage == Stage::Shipped).then_some(cutoff),
                    offset: self.pane(stage).offset,
                    limit: self.rows_of(stage),
                })
                .collect(),
            whole,
            shipped_cutoff: cutoff,
            now: self.now,
            customer: self.reseller.as_ref().map(|r| r.customer_number.clone()),
        })
    }

    fn take_counts(&mut self, counts: Counts) {
        self.counts = counts.counts;
        self.late = counts.late;
        self.shipped_older = counts.shipped_older;
        self.people = counts.people;
        self.counted = true;
    }

    /// The counts, counted after the windows were shown: they may let the selection
    /// go further, or (fewer cases than before) move it back.
    pub(super) fn on_counted(&mut self, customer: Option<String>, counts: Counts) -> Vec<Effect> {
        let shown = self.reseller.as_ref().map(|r| &r.customer_number);
        if shown != customer.as_ref() {
            // Counted for a filter since changed: its own counts are on their way.
            return Vec::new();
        }
        self.take_counts(counts);
        if self.keep_selection_visible() {
            vec![self.reload()]
        } else {
            Vec::new()
        }
    }

    pub(super) fn on_loaded(&mut self, data: BoardData) -> Vec<Effect> {
        if let Some(counts) = data.counts {
            self.take_counts(counts);
        }
        let whole = data.requests.is_some();
        if let Some(requests) = data.requests {
            self.requests_loaded(requests);
        }
        for (stage, offset, cases) in data.windows {
            let pane = self.pane_mut(stage);
            if pane.offset != offset {
                continue;
            }
            // Stay on the same case if it only moved within the window.
            let was = pane.selected_case().map(|c| c.id);
            if let Some(i) = was.and_then(|id| cases.iter().position(|c| c.id == id)) {
                pane.selected = offset + i;
            }
            pane.cases = cases;
            pane.loaded_at = offset;
        }
        let moved = self.scroll_to_selections();
        if !moved.is_empty() {
            return vec![if whole {
                self.reload()
            } else {
                self.reload_panes(&moved)
            }];
        }
        if !whole {
            // A scroll: what the marks and the "ready to ship" list depend on did not
            // change.
            return Vec::new();
        }
        let mut fx: Vec<Effect> = self.check_marks().into_iter().collect();
        fx.push(Effect::LoadReady);
        fx
    }

    /// Clamp every selection to its pane and scroll so it shows. True if a window moved
    /// (so it must be loaded again).
    pub(super) fn keep_selection_visible(&mut self) -> bool {
        !self.scroll_to_selections().is_empty()
    }

    /// Clamp every selection to its pane and scroll so it shows: the panes whose window
    /// moved (so they must be loaded again).
    fn scroll_to_selections(&mut self) -> Vec<Stage> {
        let mut moved = Vec::new();
        for stage in Stage::ALL {
            let rows = self.rows_of(stage);
            let len = self.pane_len(stage);
            let pane = self.pane_mut(stage);
            pane.selected = pane.selected.min(len.saturating_sub(1));
            let mut offset = pane.offset;
            if pane.selected < offset {
                offset = pane.selected;
            } else if pane.selected >= offset + rows {
                offset = pane.selected + 1 - rows;
            }
            // Do not leave empty rows at the bottom when cases vanished.
            offset = offset.min(len.saturating_sub(rows));
            if offset != pane.offset {
                pane.offset = offset;
                moved.push(stage);
            }
        }
        moved
    }

    fn select(&mut self, index: usize) -> Vec<Effect> {
        let focus = self.focus;
        self.pane_mut(focus).selected = index;
        let moved = self.scroll_to_selections();
        if moved.is_empty() {
            Vec::new()
        } else {
            vec![self.reload_panes(&moved)]
        }
    }

    /// Moving around the board: panes, cases, pages, hiding Expected. `None` for the
    /// actions that are not about moving.
    pub(super) fn navigate(&mut self, action: Action) -> Option<Vec<Effect>> {
        let len = self.pane_len(self.focus);
        let at = self.pane(self.focus).selected;
        let page = self.rows_of(self.focus).max(1);
        Some(match action {
            Action::PaneLeft | Action::PaneRight => {
                let stages = self.visible_stages();
                let i = stages.iter().position(|&s| s == self.focus).unwrap_or(0);
                let n = stages.len();
                let next = if action == Action::PaneLeft {
                    i.checked_sub(1).unwrap_or(n - 1)
                } else {
                    (i + 1) % n
                };
                self.focus = stages.get(next).copied().unwrap_or(Stage::Received);
                Vec::new()
            }
            Action::CaseUp => self.select(at.saturating_sub(1)),
            Action::CaseDown => self.select((at + 1).min(len.saturating_sub(1))),
            Action::PageUp => self.select(at.saturating_sub(page)),
            Action::PageDown => self.select((at + page).min(len.saturating_sub(1))),
            Action::First => self.select(0),
            Action::Last => self.select(len.saturating_sub(1)),
            Action::ToggleExpected => {
                self.show_expected = !self.show_expected;
                if !self.show_expected && self.focus == Stage::Expected {
                    self.focus = Stage::Received;
                }
                self.keep_selection_visible();
                vec![self.reload()]
            }
            _ => return None,
        })
    }

    /// A scanned inbound tracking number under which several cases are expected: the
    /// parcel opens to be unpacked, device by device, over the Expected pane. A board that
    /// cannot save only names them.
    pub(super) fn on_parcel_found(&mut self, tracking: String, cases: &[Case]) -> Vec<Effect> {
        self.overlay = None;
        self.screen = Screen::Board;
        self.show_expected = true;
        self.focus = Stage::Expected;
        let rmas: Vec<String> = cases.iter().map(|c| c.rma.to_string()).collect();
        if let Some(why) = self.read_only_reason() {
            self.say(format!(
                "Parcel {tracking} holds {} expected ({}); none can be received here: {why}",
                crate::domain::text::count(cases.len() as u64, "case"),
                rmas.join(", ")
            ));
        } else {
            let mut parcel = Parcel::new(tracking, cases);
            parcel.note = Some(format!(
                "{} expected in this parcel: scan each device's IMEI as it comes out of the box.",
                crate::domain::text::count(cases.len() as u64, "case"),
            ));
            self.message = None;
            self.overlay = Some(Overlay::Parcel(Box::new(parcel)));
        }
        vec![self.reload()]
    }

    /// The receive of a parcel's ticked cases was refused (a colleague received one of
    /// them meanwhile, say): the parcel comes back with its ticks and the store's
    /// sentence naming the case, and its cases are read again, so that Enter can be
    /// pressed again once fixed. Not when the user opened another window meanwhile.
    pub(super) fn on_parcel_refused(&mut self, mut parcel: Parcel, error: String) -> Vec<Effect> {
        let ids: Vec<i64> = parcel.cases.iter().map(|c| c.target.id).collect();
        let mut fx = self.refresh();
        if self.overlay.is_some() {
            self.complain(format!(
                "{error} Nothing was received from parcel {}. (It was closed because another window is open: scan it again.)",
                parcel.tracking
            ));
            return fx;
        }
        let enter = self.settings.keymap.first_key(ChoiceAction::Pick);
        let error = error.trim_end();
        let stop = if error.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        parcel.note = Some(format!(
            "{error}{stop} Nothing was received: the ticks are kept; fix them and press {enter} again."
        ));
        self.overlay = Some(Overlay::Parcel(Box::new(parcel)));
        fx.push(Effect::LoadMarked(ids));
        fx
    }

    /// The cases of the parcel being unpacked, as they are now: each keeps its tick with
    /// its latest version, and those no longer expected (received elsewhere meanwhile)
    /// leave the list, named.
    pub(super) fn refresh_parcel(&mut self, now: &[Case]) {
        let Some(Overlay::Parcel(parcel)) = &mut self.overlay else {
            return;
        };
        let mut gone = Vec::new();
        parcel.cases.retain_mut(|c| {
            let Some(case) = now.iter().find(|n| n.id == c.target.id) else {
                return true;
            };
            if case.stage == Stage::Expected {
                c.target = Target::of(case);
                return true;
            }
            gone.push(format!("{} (now in {})", case.rma, case.stage.title()));
            false
        });
        if gone.is_empty() {
            return;
        }
        let said = format!("No longer expected, so off the list: {}.", gone.join(", "));
        parcel.note = Some(match parcel.note.take() {
            Some(note) => format!("{note} {said}"),
            None => said,
        });
    }

    /// Show a case that was scanned or picked: its pane, selected, and its details. A
    /// scanned parcel's tracking number on an expected case offers to receive it.
    pub(super) fn on_found(
        &mut self,
        scanned: Option<String>,
        case: Case,
        position: Option<usize>,
    ) -> Vec<Effect> {
        self.overlay = None;
        let lifted = self.filter_follows(&case);
        if case.stage == Stage::Expected {
            self.show_expected = true;
        }
        self.focus = case.stage;
        let mut fx = Vec::new();
        match position {
            Some(p) => {
                let rows = self.rows_of(case.stage);
                let pane = self.pane_mut(case.stage);
                pane.selected = p;
                if p < pane.offset || p >= pane.offset + rows {
                    pane.offset = p.saturating_sub(rows / 2);
                }
                self.say(format!("{}: {} in {}.", case.rma, case.model, case.stage.title()));
            }
            None => self.say(format!(
                "{} was shipped over {} ago, so the Shipped pane does not list it; here are its details.",
                case.rma,
                crate::domain::text::count(self.settings.shipped_days, "day")
            )),
        }
        if let (Some(note), Some(m)) = (lifted, &mut self.message) {
            m.text = format!("{} {note}", m.text);
        }
        fx.push(self.reload());
        self.screen = Screen::Detail(Box::new(DetailState::loading(case.id)));
        fx.push(Effect::LoadDetail(case.id));
        let scanned_parcel = scanned
            .and_then(|s| TrackingNumber::parse(&s).ok())
            .is_some_and(|t| case.tracking_in.as_deref() == Some(t.as_str()));
        if case.stage == Stage::Expected && scanned_parcel && !self.settings.read_only {
            self.overlay = Some(Overlay::Choice(Choice::new(
                ChoiceKind::ReceiveScanned,
                Target::of(&case),
            )));
        }
        fx
    }
}

//! The workshop report over the board: 13 weeks at a time, stepped back or forth, with
//! its overdue list scrolled.

use crossterm::event::KeyEvent;

use super::{Ctx, Outcome};
use crate::report::Report;
use crate::tui::action::ReportAction;
use crate::tui::protocol::Effect;

/// The workshop report over the board.
#[derive(Debug, Clone, Default)]
pub struct WorkshopReport {
    /// `None` until it is loaded.
    pub report: Option<Box<Report>>,
    /// How far the overdue list is scrolled.
    pub scroll: u16,
}

impl WorkshopReport {
    /// Open while it loads.
    pub fn loading() -> WorkshopReport {
        WorkshopReport::default()
    }

    /// The store's answer: the report to show.
    pub fn loaded(&mut self, report: Box<Report>) {
        self.report = Some(report);
    }

    /// Read a key: 13 weeks earlier or later, scroll, or close.
    pub fn on_key(&mut self, key: &KeyEvent, cx: &Ctx) -> Outcome {
        let s = self.scroll;
        let later = match cx.keys.action::<ReportAction>(key) {
            Some(ReportAction::Earlier) => false,
            Some(ReportAction::Later) => true,
            Some(ReportAction::ScrollDown) => return self.scrolled(s.saturating_add(1)),
            Some(ReportAction::ScrollUp) => return self.scrolled(s.saturating_sub(1)),
            Some(ReportAction::PageDown) => return self.scrolled(s.saturating_add(10)),
            Some(ReportAction::PageUp) => return self.scrolled(s.saturating_sub(10)),
            // Any other key closes too.
            Some(ReportAction::Close) | None => return Outcome::close(),
        };
        let Some(shown) = self.report.as_ref().map(|r| r.period) else {
            // Still loading: keep it open and wait.
            return Outcome::stay();
        };
        // Earlier: the 13 weeks that end the day before this report starts. Later: 13
        // weeks on, or up to today; never past today.
        let to = if later {
            shown
                .to
                .checked_add_days(chrono::Days::new(13 * 7))
                .filter(|d| *d < cx.today)
        } else {
            Some(shown.from.pred_opt().unwrap_or(shown.from))
        };
        // The shown report stays until the other arrives (or is refused).
        self.scroll = 0;
        Outcome::stay().run(vec![Effect::LoadReport { to }])
    }

    fn scrolled(&mut self, scroll: u16) -> Outcome {
        self.scroll = scroll;
        Outcome::stay()
    }
}
